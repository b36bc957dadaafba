// Every op ends exactly once (result, timeout or abandoned), as a property over random mixes,
// ring sizes, op timeouts and shutdown moments; and the shutdown drill of `iouring-bench
// shutdown-drill`, run here so the ASan and TSan builds check it too.
//
// The property test is short by default (CI runs it three ways); scripts/soak-exactly-once.sh
// runs it for millions of ops. A failure names the op, its round and the round's seed; replay:
//   IOB_PROPERTY_SEED=<seed> IOB_PROPERTY_ITERATIONS=<rounds> core_tests
//   --gtest_filter='*ExactlyOnce.*'   (one wake mechanism: '*ExactlyOnce.*/futex')
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "clock.h"
#include "harness/shutdown_drill.h"
#include "helpers.h"

namespace iob {
namespace {

uint64_t env_number(const char* name, uint64_t fallback) {
  const char* text = std::getenv(name);
  return text != nullptr && *text != '\0' ? std::strtoull(text, nullptr, 0) : fallback;
}

std::string scratch_dir() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

// Every check the drill makes, as test failures that say how to replay.
void expect_every_check_passed(const DrillResult& result, const std::string& replay) {
  ASSERT_FALSE(result.error) << result.error->message();
  for (const DrillFailure& failure : result.failures) {
    ADD_FAILURE() << "round " << failure.round << " (round seed " << failure.round_seed
                  << "): " << failure.what << "\n  replay: " << replay;
  }
  EXPECT_EQ(result.hung_rounds, 0u) << replay;
  EXPECT_EQ(result.missing_ends, 0u) << replay;
  EXPECT_EQ(result.repeated_ends, 0u) << replay;
  EXPECT_EQ(result.unexpected_ends, 0u) << replay;
  EXPECT_EQ(result.count_mismatches, 0u) << replay;
  EXPECT_EQ(result.abandoned_handed_back, 0u) << replay;
  EXPECT_FALSE(result.loop_left_running);
  for (const DrillModeStats& mode : result.modes) {
    EXPECT_EQ(mode.submitted, mode.completed + mode.timed_out + mode.abandoned) << replay;
  }
  EXPECT_EQ(result.fds_after, result.fds_before) << "descriptors leaked; replay: " << replay;
}

using ExactlyOnce = EachWake;

TEST_P(ExactlyOnce, EveryOpEndsOnceAcrossRandomMixesRingSizesTimeoutsAndShutdowns) {
  DrillSpec spec;
  spec.wake = wake();
  spec.seed =
      env_number("IOB_PROPERTY_SEED", static_cast<uint64_t>(monotonic_ns()) % 1'000'000'007);
  spec.rounds = static_cast<uint32_t>(env_number("IOB_PROPERTY_ITERATIONS", scaled_count(40)));
  spec.max_ops_per_submitter = static_cast<uint32_t>(env_number("IOB_PROPERTY_MAX_OPS", 200));
  spec.ring_size = 0;   // random per round
  spec.submitters = 0;  // random per round
  // Shutdown at once (0), soon, later, or never abandoning.
  spec.shutdown_timeouts = {std::nullopt, 0ns, 1ms, 10ms};
  spec.op_timeouts = {std::nullopt, 500us, 5ms};
  spec.round_deadline = std::chrono::milliseconds(env_number("IOB_PROPERTY_DEADLINE_MS", 10'000));
  spec.scratch_dir = scratch_dir();
  const std::string replay = "IOB_PROPERTY_SEED=" + std::to_string(spec.seed) +
                             " IOB_PROPERTY_ITERATIONS=" + std::to_string(spec.rounds) +
                             " IOB_PROPERTY_MAX_OPS=" + std::to_string(spec.max_ops_per_submitter);
  const int64_t started = monotonic_ns();
  const DrillResult result = run_shutdown_drill(spec, nullptr, std::atomic<bool>(false));
  const double seconds = static_cast<double>(monotonic_ns() - started) / 1e9;

  DrillModeStats total;
  for (const DrillModeStats& mode : result.modes) {
    total.submitted += mode.submitted;
    total.completed += mode.completed;
    total.timed_out += mode.timed_out;
    total.abandoned += mode.abandoned;
  }
  // One parseable line (scripts/soak-exactly-once.sh adds them up).
  std::printf(
      "exactly-once: seed=%llu rounds=%u submitted=%llu completed=%llu timed_out=%llu "
      "abandoned=%llu "
      "seconds=%.3f\n",
      static_cast<unsigned long long>(spec.seed), result.rounds_run,
      static_cast<unsigned long long>(total.submitted),
      static_cast<unsigned long long>(total.completed),
      static_cast<unsigned long long>(total.timed_out),
      static_cast<unsigned long long>(total.abandoned), seconds);
  expect_every_check_passed(result, replay);
  EXPECT_EQ(result.rounds_run, spec.rounds) << replay;
  EXPECT_EQ(total.submitted, total.completed + total.timed_out + total.abandoned) << replay;
}

IOB_FOR_EACH_WAKE(ExactlyOnce);

// The drill as `iouring-bench shutdown-drill` runs it by default (fewer rounds): both shutdown
// modes, every kind of op, a 50 ms op timeout.
TEST(ShutdownDrill, TheCommandsDefaultDrillPassesEveryCheck) {
  DrillSpec spec;
  spec.rounds = static_cast<uint32_t>(scaled_count(12));
  spec.ring_size = 16;
  spec.submitters = 4;
  spec.seed = 7;
  spec.scratch_dir = scratch_dir();
  uint32_t progress_calls = 0;
  const DrillResult result = run_shutdown_drill(
      spec, [&](const DrillProgress&) { ++progress_calls; }, std::atomic<bool>(false));
  expect_every_check_passed(result, "seed 7");
  EXPECT_EQ(progress_calls, spec.rounds);
  ASSERT_EQ(result.modes.size(), 2u);
  for (const DrillModeStats& mode : result.modes) {
    EXPECT_GT(mode.rounds, 0u);
    EXPECT_EQ(mode.shutdown_latency.total_count(), mode.rounds);
  }
}

// With a shutdown timeout, ops that would never end are abandoned: each requester hears so.
TEST(ShutdownDrill, StallsAreAbandonedWhenTheShutdownTimeoutRunsOut) {
  DrillSpec spec;
  spec.rounds = 4;
  spec.ops = {OpKind::kStall};
  spec.op_timeouts = {std::nullopt};
  spec.shutdown_timeouts = {1ms};
  const DrillResult result = run_shutdown_drill(spec, nullptr, std::atomic<bool>(false));
  expect_every_check_passed(result, "stall, 1 ms shutdown timeout");
  const DrillModeStats& mode = result.modes.front();
  EXPECT_GT(mode.submitted, 0u);
  EXPECT_EQ(mode.abandoned, mode.submitted);
}

// Without one, the loop waits for every op: nothing is abandoned.
TEST(ShutdownDrill, WithoutAShutdownTimeoutNothingIsAbandoned) {
  DrillSpec spec;
  spec.rounds = 4;
  spec.ops = {OpKind::kTimer, OpKind::kNop};
  spec.op_timeouts = {std::nullopt};
  spec.shutdown_timeouts = {std::nullopt};
  const DrillResult result = run_shutdown_drill(spec, nullptr, std::atomic<bool>(false));
  expect_every_check_passed(result, "timer and nop, no shutdown timeout");
  const DrillModeStats& mode = result.modes.front();
  EXPECT_GT(mode.submitted, 0u);
  EXPECT_EQ(mode.abandoned, 0u);
  EXPECT_EQ(mode.completed, mode.submitted);
}

TEST(ShutdownDrill, ARingAboveTheKernelMaximumIsRefusedBeforeAnythingRuns) {
  DrillSpec spec;
  spec.ring_size = 32768;  // doubled by the op timeout
  EXPECT_THROW(run_shutdown_drill(spec, nullptr, std::atomic<bool>(false)), std::invalid_argument);
}

}  // namespace
}  // namespace iob
