// The bounded MPSC channel between submitters and the loop.
#include <set>
#include <vector>

#include "helpers.h"

namespace iob {
namespace {

TEST(BoundedMpsc, KeepsFifoOrderAndReportsFull) {
  BoundedMpsc<int> queue(4);
  for (int i = 0; i < 4; ++i) {
    int value = i;
    ASSERT_EQ(queue.try_push(value), BoundedMpsc<int>::Push::kOk);
  }
  int extra = 99;
  EXPECT_FALSE(queue.has_space_or_closed());
  EXPECT_EQ(queue.try_push(extra), BoundedMpsc<int>::Push::kFull);
  EXPECT_EQ(extra, 99);  // left untouched
  int out = -1;
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(queue.try_pop(out));
    EXPECT_EQ(out, i);
  }
  EXPECT_FALSE(queue.try_pop(out));
  EXPECT_TRUE(queue.has_space_or_closed());
}

// A loop of size 1 has a queue of one cell. Found by the exactly-once property test: with whole
// sequence steps the second push overwrote the first op, which then never ended.
TEST(BoundedMpsc, ACapacityOfOneRefusesASecondPushUntilThePop) {
  BoundedMpsc<int> queue(1);
  int first = 1, second = 2;
  ASSERT_EQ(queue.try_push(first), BoundedMpsc<int>::Push::kOk);
  EXPECT_FALSE(queue.has_space_or_closed());
  EXPECT_EQ(queue.try_push(second), BoundedMpsc<int>::Push::kFull);
  int out = 0;
  ASSERT_TRUE(queue.try_pop(out));
  EXPECT_EQ(out, 1);
  EXPECT_FALSE(queue.try_pop(out));
  ASSERT_EQ(queue.try_push(second), BoundedMpsc<int>::Push::kOk);
  ASSERT_TRUE(queue.try_pop(out));
  EXPECT_EQ(out, 2);
}

// The loop stages an op straight from its cell: the cell stays the consumer's until `use`
// returns, so no producer can overwrite the value while it is being read.
TEST(BoundedMpsc, PopWithUsesTheValueInItsCellAndFreesTheCellAfter) {
  BoundedMpsc<int> queue(1);
  int value = 5;
  ASSERT_EQ(queue.try_push(value), BoundedMpsc<int>::Push::kOk);
  int used = 0;
  ASSERT_TRUE(queue.try_pop_with([&](int& in_cell) {
    used = in_cell;
    EXPECT_FALSE(queue.has_space_or_closed());
  }));
  EXPECT_EQ(used, 5);
  EXPECT_TRUE(queue.has_space_or_closed());
  EXPECT_FALSE(queue.try_pop_with([&](int&) { ADD_FAILURE() << "popped an empty queue"; }));
}

TEST(BoundedMpsc, CloseHandsBackEveryClaimedValueAndRefusesLaterPushes) {
  BoundedMpsc<int> queue(8);
  for (int i = 0; i < 5; ++i) {
    int value = i;
    queue.try_push(value);
  }
  std::vector<int> taken;
  queue.close_receiver([&](int&& value) { taken.push_back(value); });
  EXPECT_EQ(taken, (std::vector<int>{0, 1, 2, 3, 4}));
  int late = 7;
  EXPECT_EQ(queue.try_push(late), BoundedMpsc<int>::Push::kClosed);
  EXPECT_TRUE(queue.receiver_closed());
  EXPECT_TRUE(queue.has_space_or_closed());
}

TEST(BoundedMpsc, ManyProducersLoseAndDuplicateNothing) {
  BoundedMpsc<int> queue(64);
  constexpr int kProducers = 4;
  const int kPerProducer = scaled_count(20000);
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        int value = p * kPerProducer + i;
        while (queue.try_push(value) != BoundedMpsc<int>::Push::kOk) {
          std::this_thread::yield();
        }
      }
    });
  }
  std::set<int> seen;
  int value = 0;
  while (seen.size() < static_cast<size_t>(kProducers * kPerProducer)) {
    if (queue.try_pop(value)) {
      EXPECT_TRUE(seen.insert(value).second) << "duplicate " << value;
    }
  }
  for (auto& producer : producers) {
    producer.join();
  }
  EXPECT_FALSE(queue.try_pop(value));
}

}  // namespace
}  // namespace iob
