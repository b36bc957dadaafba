// The sinks that receive ops' ends from the loop.
#include <thread>
#include <vector>

#include "helpers.h"
#include "loop/sinks.h"

namespace iob {
namespace {

Completion end_of(uint64_t cookie) { return Completion{cookie, 0, OpEnd::kCompleted, {}}; }

std::vector<uint64_t> drain_cookies(CompletionQueue& queue) {
  std::vector<uint64_t> cookies;
  queue.drain([&](Completion& completion) { cookies.push_back(completion.cookie); });
  return cookies;
}

// The loop delivers a CQE batch end by end and flushes once after it: the owner sees the batch
// when it is published whole, with one store of the tail.
TEST(CompletionQueue, PublishesABatchOnlyAtItsFlush) {
  CompletionQueue queue(4);
  queue.deliver(end_of(1));
  queue.deliver(end_of(2));
  EXPECT_TRUE(queue.empty());
  EXPECT_TRUE(drain_cookies(queue).empty());
  queue.flush();
  EXPECT_FALSE(queue.empty());
  EXPECT_EQ(drain_cookies(queue), (std::vector<uint64_t>{1, 2}));
  EXPECT_TRUE(queue.empty());
}

// Slots are reused around the ring: a full queue's batch is published whole once the owner has
// drained the previous one.
TEST(CompletionQueue, KeepsOrderAcrossBatchesThatWrapAround) {
  CompletionQueue queue(2);
  for (uint64_t round = 0; round < 5; ++round) {
    queue.deliver(end_of(2 * round));
    queue.deliver(end_of(2 * round + 1));
    queue.flush();
    EXPECT_EQ(drain_cookies(queue), (std::vector<uint64_t>{2 * round, 2 * round + 1}));
  }
}

TEST(CompletionQueue, FlushWakesAnOwnerAsleepInWait) {
  CompletionQueue queue(4);
  std::vector<uint64_t> seen;
  std::thread owner([&] {
    queue.wait();
    seen = drain_cookies(queue);
  });
  queue.deliver(end_of(7));
  queue.flush();
  owner.join();
  EXPECT_EQ(seen, (std::vector<uint64_t>{7}));
}

}  // namespace
}  // namespace iob
