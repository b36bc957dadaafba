// Linked op timeouts (contract point 7).
#include <errno.h>

#include <vector>

#include "helpers.h"

namespace iob {
namespace {

using LoopTimeouts = EachWake;

// Seed: test_timeout. A recv on an idle socket never completes on its own; its linked timeout
// cancels it, and the requester sees -ETIMEDOUT (not -ECANCELED).
TEST_P(LoopTimeouts, AnOpCancelledByItsTimeoutReportsEtimedout) {
  LoopThread running(config({.op_timeout = 1s}));
  auto [left, right] = socket_pair();
  OneShot done;
  const auto started = std::chrono::steady_clock::now();
  send(running, make_recv(left, 8), done);
  Completion completion = done.wait();
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(completion.end, OpEnd::kCompleted);
  EXPECT_EQ(completion.result, -ETIMEDOUT);
  EXPECT_GE(took, 1s);
  EXPECT_LT(took, 3s);
  EXPECT_FALSE(running.stop());
  const auto counters = running.loop().counters().snapshot();
  EXPECT_EQ(counters.timeouts_fired, 1u);
  EXPECT_EQ(counters.timeout_cqes, 1u);  // the LINK_TIMEOUT's own CQE, reserved user_data
}

// Seed: test_linked_timeout_ensure_enough_capacity. Regression: each op needs two SQEs (op and
// timeout), and staging once reserved only one, overflowing the SQ. Size 8 gives 16 SQ entries;
// 64 NOPs force batching through them.
TEST_P(LoopTimeouts, StagingReservesTwoSqSlotsPerOp) {
  LoopThread running(config({.size = 8, .op_timeout = 5ms}));
  constexpr int kOps = 64;
  std::vector<OneShot> sinks(kOps);
  for (auto& sink : sinks) {
    send(running, make_nop(), sink);
  }
  for (auto& sink : sinks) {
    EXPECT_EQ(sink.wait().result, 0);
  }
  EXPECT_FALSE(running.stop());
  const auto counters = running.loop().counters().snapshot();
  EXPECT_EQ(counters.ops_completed, uint64_t{kOps});
  EXPECT_EQ(counters.timeouts_fired, 0u);
  // Every NOP completed first, so each timeout posted its -ECANCELED CQE under UINT64_MAX.
  EXPECT_EQ(counters.timeout_cqes, uint64_t{kOps});
}

TEST_P(LoopTimeouts, OpsThatFinishInTimeKeepTheirResult) {
  LoopThread running(config({.op_timeout = 2s}));
  OneShot done;
  send(running, make_timer(10ms), done);
  EXPECT_EQ(done.wait().result, -ETIME);  // the timer's own expiry, not the op timeout
  EXPECT_FALSE(running.stop());
  EXPECT_EQ(running.loop().counters().timeouts_fired.get(), 0u);
}

// Timeouts free waiter capacity: with every slot taken by ops that never complete, queued ops
// still get their turn once the timeouts fire.
TEST_P(LoopTimeouts, TimedOutOpsFreeTheirSlotsForQueuedOps) {
  LoopThread running(config({.size = 2, .op_timeout = 50ms}));
  auto [left, right] = socket_pair();
  OneShot stalled1, stalled2, queued;
  send(running, make_recv(left, 8), stalled1);
  send(running, make_recv(left, 8), stalled2);
  send(running, make_nop(), queued);
  EXPECT_EQ(stalled1.wait().result, -ETIMEDOUT);
  EXPECT_EQ(stalled2.wait().result, -ETIMEDOUT);
  EXPECT_EQ(queued.wait().result, 0);
  EXPECT_GE(running.loop().counters().capacity_stalls_waiter_bound.get(), 1u);
}

IOB_FOR_EACH_WAKE(LoopTimeouts);

}  // namespace
}  // namespace iob
