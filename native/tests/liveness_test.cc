// The seed's liveness scenario (contract point 11): a size-2 loop with read(fd1), read(fd2),
// write(fd1), write(fd2) stalls without op timeouts (the watchdog reports it and unblocks it)
// and recovers on its own with them. Both halves must end without help from the test.
#include <errno.h>

#include "harness/liveness.h"
#include "helpers.h"

namespace iob {
namespace {

const LivenessSpec kSpec{.op_timeout = 20ms, .watchdog = 150ms};

// The scenario, run once for the tests of both halves.
const LivenessResult& scenario() {
  static const LivenessResult result = run_liveness(kSpec);
  return result;
}

// write(fd1) and write(fd2), the last two ops, each wrote its own name.
void expect_writes_went_through(const LivenessHalf& half) {
  EXPECT_EQ(half.ops[2].name, "write(fd1)");
  for (int i = 2; i < 4; ++i) {
    EXPECT_EQ(half.ops[i].end, OpEnd::kCompleted);
    EXPECT_EQ(half.ops[i].result, static_cast<int32_t>(half.ops[i].name.size()))
        << half.ops[i].name;
  }
}

TEST(Liveness, WithoutTimeoutsTheWatchdogReportsTheStallAndUnblocksIt) {
  const LivenessHalf& half = scenario().without_timeouts;
  ASSERT_FALSE(half.error) << half.error->message();
  EXPECT_FALSE(half.gave_up);
  ASSERT_EQ(half.stalls.size(), 1u);
  const CapacityStallReport& stall = half.stalls.front();
  EXPECT_EQ(stall.in_flight, 2u);
  EXPECT_EQ(stall.queued, 2u);
  EXPECT_GE(stall.stalled_ns, 150'000'000);
  const std::string prefix =
      "capacity stall: all waiters in flight, 2 ops queued, no completion for ";
  EXPECT_EQ(stall.message(), prefix + format_duration(stall.stalled_ns));
  ASSERT_EQ(half.ops.size(), 4u);
  // The rescue's bytes complete a read; its slot frees, and the writes run (so the second read
  // may get its write's bytes before the rescue's).
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(half.ops[i].end, OpEnd::kCompleted);
    EXPECT_GT(half.ops[i].result, 0) << half.ops[i].name;
    EXPECT_GE(half.ops[i].ended_after_ns, 150'000'000);
  }
  expect_writes_went_through(half);
  EXPECT_GE(half.counters.capacity_stalls_waiter_bound, 1u);
  EXPECT_EQ(half.counters.timeouts_fired, 0u);
  EXPECT_EQ(half.counters.ops_accepted, 4u);
  EXPECT_EQ(half.counters.ops_completed, 4u);
}

TEST(Liveness, WithTimeoutsTheReadsTimeOutAndTheWritesProceed) {
  const LivenessHalf& half = scenario().with_timeouts;
  ASSERT_FALSE(half.error) << half.error->message();
  EXPECT_FALSE(half.gave_up);
  EXPECT_TRUE(half.stalls.empty()) << half.stalls.front().message();
  ASSERT_EQ(half.ops.size(), 4u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(half.ops[i].end, OpEnd::kCompleted);
    EXPECT_EQ(half.ops[i].result, -ETIMEDOUT) << half.ops[i].name;
    EXPECT_GE(half.ops[i].ended_after_ns, 20'000'000);
  }
  expect_writes_went_through(half);
  EXPECT_EQ(half.counters.timeouts_fired, 2u);
  EXPECT_EQ(half.counters.ops_completed, 4u);
  EXPECT_EQ(half.counters.ops_abandoned, 0u);
}

TEST(Liveness, TheWatchdogFormatsDurationsLikeTheCli) {
  EXPECT_EQ((CapacityStallReport{2, 2, 250'400'000}.message()),
            "capacity stall: all waiters in flight, 2 ops queued, no completion for 250 ms");
  EXPECT_EQ(format_duration(1'500'000'000), "1.5 s");
  EXPECT_EQ(format_duration(12'345), "12.3 µs");
  EXPECT_EQ(format_duration(999), "999 ns");
}

}  // namespace
}  // namespace iob
