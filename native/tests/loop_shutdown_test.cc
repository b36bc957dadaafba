// Shutdown: drain, shutdown_timeout, the abandoned outcome, EXT_ARG waits (contract points
// 8 and 9).
#include <errno.h>

#include <future>
#include <memory>

#include "helpers.h"

namespace iob {
namespace {

using LoopShutdown = EachWake;

// Seed: test_shutdown_no_timeout. Without a shutdown timeout the loop waits for every op, here a
// 3 s timer submitted just before the last submitter goes.
TEST_P(LoopShutdown, WithoutATimeoutItWaitsForEveryOp) {
  LoopThread running(config({}));
  OneShot done;
  send(running, make_timer(3s), done);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(running.stop());
  EXPECT_GE(std::chrono::steady_clock::now() - started, 2900ms);
  Completion completion = done.wait();
  EXPECT_EQ(completion.end, OpEnd::kCompleted);
  EXPECT_EQ(completion.result, -ETIME);
}

// Seed: test_shutdown_timeout. A 5000 s timer is abandoned after the 1 s shutdown timeout, and
// its requester sees "abandoned" (never a hang, never a fake result).
TEST_P(LoopShutdown, WithATimeoutItAbandonsWhatIsLeftPromptly) {
  LoopThread running(config({.shutdown_timeout = 1s}));
  OneShot done;
  send(running, make_timer(5000s), done);
  // Let the loop block in io_uring_enter first.
  ASSERT_TRUE(went_idle(running));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(running.stop());
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 3s);
  Completion completion = done.wait();
  EXPECT_EQ(completion.end, OpEnd::kAbandoned);
  const auto counters = running.loop().counters().snapshot();
  EXPECT_EQ(counters.ops_abandoned, 1u);
  EXPECT_EQ(counters.pending_operations, 0u);
  // The bounded wait used EXT_ARG: the only SQEs ever submitted are the wake sources (eventfd
  // poll, FUTEX_WAIT) and the timer.
  EXPECT_EQ(counters.sqes_submitted, 1 + counters.wake_rearms);
}

// Records, when told of the op's end on the loop thread, whether the op's fd handle is still
// held by the loop.
class LifetimeProbe final : public CompletionSink {
 public:
  explicit LifetimeProbe(std::weak_ptr<const UniqueFd> fd) : fd_(std::move(fd)) {}
  void deliver(Completion&& completion) override {
    end_ = completion.end;
    fd_alive_at_end_ = !fd_.expired();
  }
  void flush() override { done_.flush(); }
  void wait() { done_.wait(); }
  OpEnd end_ = OpEnd::kCompleted;
  bool fd_alive_at_end_ = false;

 private:
  std::weak_ptr<const UniqueFd> fd_;
  OneShot done_;
};

// Memory the kernel may still write stays valid until the ring is torn down: an abandoned
// recv's buffer and fd handle are still held by the loop when the requester hears "abandoned",
// and released only once run() has torn the ring down.
TEST_P(LoopShutdown, AbandonedOpsKeepTheirResourcesUntilTheRingIsTornDown) {
  auto [left, right] = socket_pair();
  std::weak_ptr<const UniqueFd> watched = left;
  LifetimeProbe probe(watched);
  {
    LoopThread running(config({.shutdown_timeout = 50ms}));
    send(running, make_recv(std::move(left), 64), probe);
    ASSERT_TRUE(went_idle(running));
    EXPECT_FALSE(running.stop());
    EXPECT_TRUE(watched.expired()) << "released after teardown";
  }
  probe.wait();
  EXPECT_EQ(probe.end_, OpEnd::kAbandoned);
  EXPECT_TRUE(probe.fd_alive_at_end_) << "the fd was released before the ring was torn down";
}

// Every waiter in flight on an op that never ends, nothing queued: the loop must still see the
// last submitter go and apply its shutdown timeout (found by the shutdown drill; the seed never
// pops, so never notices, and hangs).
TEST_P(LoopShutdown, WithEveryWaiterInFlightTheShutdownTimeoutStillApplies) {
  auto [left, right] = socket_pair();
  OneShot done;
  LoopThread running(config({.size = 1, .shutdown_timeout = 20ms}));
  send(running, make_recv(left, 8), done);
  ASSERT_TRUE(eventually([&] { return running.loop().counters().pending_operations.load() == 1; }));
  auto stopped = std::async(std::launch::async, [&] { return running.stop(); });
  if (stopped.wait_for(5s) != std::future_status::ready) {
    ::shutdown(right->get(), SHUT_RDWR);  // ends the recv, so the test fails instead of hanging
    FAIL() << "the loop did not shut down within 5 s";
  }
  EXPECT_FALSE(stopped.get());
  EXPECT_EQ(done.wait().end, OpEnd::kAbandoned);
}

TEST_P(LoopShutdown, ShutdownDrainsOpsQueuedBehindFullCapacityFirst) {
  // Size 2, four queued timers: two wait behind capacity when the last submitter goes. They
  // are staged as the first two end, well within the shutdown timeout.
  LoopThread running(config({.size = 2, .shutdown_timeout = 5s}));
  OneShot sinks[4];
  for (auto& sink : sinks) {
    send(running, make_timer(30ms), sink);
  }
  EXPECT_FALSE(running.stop());
  for (auto& sink : sinks) {
    Completion completion = sink.wait();
    EXPECT_EQ(completion.end, OpEnd::kCompleted);
    EXPECT_EQ(completion.result, -ETIME);
  }
}

// Every waiter in flight on an op that never ends and more ops queued behind them: the shutdown
// timeout counts from the last submitter's going, and what is left when it runs out, queued
// or in flight, is abandoned (the seed, and this loop before, hung here: the queue never
// drained, so the drain never began).
TEST_P(LoopShutdown, OpsQueuedBehindEndlessOpsAreAbandonedWhenTheShutdownTimeoutRunsOut) {
  // Size 2: two recvs in flight, and the queue (as deep as the loop) holds two more ops.
  auto [left, right] = socket_pair();
  OneShot in_flight[2];
  OneShot queued[2];
  LoopThread running(config({.size = 2, .shutdown_timeout = 20ms}));
  for (auto& sink : in_flight) {
    send(running, make_recv(left, 8), sink);
  }
  ASSERT_TRUE(eventually([&] { return running.loop().counters().pending_operations.load() == 2; }));
  send(running, make_nop(), queued[0]);
  send(running, make_recv(left, 8), queued[1]);
  auto stopped = std::async(std::launch::async, [&] { return running.stop(); });
  if (stopped.wait_for(5s) != std::future_status::ready) {
    ::shutdown(right->get(), SHUT_RDWR);  // ends the recvs, so the test fails instead of hanging
    FAIL() << "the loop did not shut down within 5 s";
  }
  EXPECT_FALSE(stopped.get());
  for (auto& sink : in_flight) {
    EXPECT_EQ(sink.wait().end, OpEnd::kAbandoned);
  }
  for (auto& sink : queued) {
    EXPECT_EQ(sink.wait().end, OpEnd::kAbandoned);
  }
  const auto counters = running.loop().counters().snapshot();
  EXPECT_EQ(counters.ops_accepted, 2u) << "the queued ops never reached the kernel";
  EXPECT_EQ(counters.ops_abandoned, 4u);
}

// Without a shutdown timeout, ops queued behind a full loop still run once room frees up.
TEST_P(LoopShutdown, WithoutATimeoutOpsQueuedBehindAFullLoopRunWhenRoomFreesUp) {
  auto [left, right] = socket_pair();
  OneShot in_flight;
  OneShot queued;
  LoopThread running(config({.size = 1}));
  send(running, make_recv(left, 8), in_flight);
  ASSERT_TRUE(eventually([&] { return running.loop().counters().pending_operations.load() == 1; }));
  send(running, make_nop(), queued);
  auto stopped = std::async(std::launch::async, [&] { return running.stop(); });
  EXPECT_EQ(stopped.wait_for(50ms), std::future_status::timeout) << "it waits for the recv";
  ::shutdown(right->get(), SHUT_RDWR);  // the recv ends (0 bytes), freeing the one waiter
  EXPECT_FALSE(stopped.get());
  EXPECT_EQ(in_flight.wait().end, OpEnd::kCompleted);
  Completion completion = queued.wait();
  EXPECT_EQ(completion.end, OpEnd::kCompleted);
  EXPECT_EQ(completion.result, 0);
}

TEST_P(LoopShutdown, ALoopThatNeverRunsStillEndsItsQueuedOps) {
  OneShot done;
  {
    auto [submitter, loop] = Loop::create(config());
    Op op = make_nop();
    op.sink = &done;
    ASSERT_TRUE(submitter.send(op));
  }
  auto end = done.wait_for(1s);
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->end, OpEnd::kAbandoned);
}

TEST(LoopShutdownOnIoPoll, SendAfterTheLoopStoppedOnAnErrorIsRefused) {
  // An IOPOLL ring stops the loop with an error (see Loop.IoPollRingStopsWithTheWakePollReason);
  // afterwards the channel refuses work instead of queueing it forever.
  auto [submitter, loop] = Loop::create(LoopConfig{.io_poll = true});
  auto exit = loop->run();
  if (!exit) {
    GTEST_SKIP() << "this kernel runs the loop on an IOPOLL ring";
  }
  OneShot done;
  Op op = make_nop();
  op.sink = &done;
  EXPECT_FALSE(submitter.send(op));
}

IOB_FOR_EACH_WAKE(LoopShutdown);

}  // namespace
}  // namespace iob
