// The latency histogram and the benchmark drivers.
#include <errno.h>
#include <sys/resource.h>
#include <unistd.h>

#include <vector>

#include "harness/bench.h"
#include "harness/histogram.h"
#include "helpers.h"

namespace iob {
namespace {

TEST(LatencyHistogram, ValuesBelow2048AreExact) {
  LatencyHistogram histogram;
  for (uint64_t v = 1; v <= 2047; ++v) {
    histogram.record(v);
  }
  EXPECT_EQ(histogram.total_count(), 2047u);
  EXPECT_EQ(histogram.min(), 1u);
  EXPECT_EQ(histogram.max(), 2047u);
  EXPECT_EQ(histogram.value_at_percentile(50), 1024u);
  EXPECT_EQ(histogram.value_at_percentile(100), 2047u);
  EXPECT_EQ(histogram.value_at_percentile(0), 1u);
}

TEST(LatencyHistogram, LargerValuesKeepThreeSignificantDigits) {
  LatencyHistogram histogram;
  const uint64_t values[] = {10'000, 123'456, 9'999'999, 1'000'000'000};
  for (uint64_t value : values) {
    LatencyHistogram single;
    single.record(value);
    const uint64_t reported = single.value_at_percentile(50);
    EXPECT_GE(reported, value);
    EXPECT_LE(reported - value, value / 1000) << value;  // within 0.1 %
  }
}

TEST(LatencyHistogram, BucketsRoundTripThroughTheirLowestValue) {
  // The JS side re-records (lowest equivalent value, count) pairs; each must land in the
  // bucket it came from.
  LatencyHistogram original;
  for (uint64_t v = 1; v < 50'000'000; v = v * 3 / 2 + 1) {
    original.record(v, v % 7 + 1);
  }
  LatencyHistogram copy;
  original.for_each_bucket([&](uint64_t value, uint64_t count) { copy.record(value, count); });
  EXPECT_EQ(copy.total_count(), original.total_count());
  for (double p : {1.0, 25.0, 50.0, 90.0, 99.0, 99.9, 100.0}) {
    EXPECT_EQ(copy.value_at_percentile(p), original.value_at_percentile(p)) << p;
  }
}

TEST(LatencyHistogram, MergeAddsCounts) {
  LatencyHistogram a, b;
  a.record(100, 3);
  b.record(100, 2);
  b.record(5'000'000);
  a.merge(b);
  EXPECT_EQ(a.total_count(), 6u);
  EXPECT_EQ(a.max(), 5'000'000u);
  EXPECT_EQ(a.min(), 100u);
}

TEST(LatencyHistogram, ValuesAboveTheRangeAreClamped) {
  LatencyHistogram histogram;
  histogram.record(LatencyHistogram::kHighestTrackable * 4);
  EXPECT_EQ(histogram.max(), LatencyHistogram::kHighestTrackable);
}

BenchSpec nop_spec(uint32_t submitters, uint32_t depth, uint64_t ops) {
  BenchSpec spec;
  spec.loop.size = 64;
  spec.drive = DriveSpec{.submitters = submitters, .depth = depth, .ops = ops};
  return spec;
}

const std::atomic<bool> kNeverCancel{false};

TEST(Bench, LoopRunsExactlyTheRequestedOps) {
  const BenchResult result = run_loop_bench(nop_spec(2, 16, 10'001), nullptr, kNeverCancel);
  ASSERT_FALSE(result.error) << result.error->message();
  EXPECT_EQ(result.stats.ops, 10'001u);
  EXPECT_EQ(result.stats.expected, 10'001u);
  EXPECT_EQ(result.stats.latency.total_count(), 10'001u);
  EXPECT_EQ(result.stats.abandoned, 0u);
  EXPECT_TRUE(result.stats.unexpected.empty());
  EXPECT_GT(result.stats.elapsed_ns, 0);
  EXPECT_EQ(result.counters.ops_completed, 10'001u);
  EXPECT_EQ(result.counters.ops_accepted, result.counters.ops_completed);
  EXPECT_FALSE(result.stats.interrupted);
}

// Same-thread with 2 submitters: two loops, each driven by its submitter on its own thread; the
// counters are the two loops' together, and nothing is handed over or woken.
TEST(Bench, SameThreadRunsExactlyTheRequestedOps) {
  const BenchResult result = run_same_thread_bench(nop_spec(2, 16, 10'001), nullptr, kNeverCancel);
  ASSERT_FALSE(result.error) << result.error->message();
  EXPECT_EQ(result.stats.ops, 10'001u);
  EXPECT_EQ(result.stats.expected, 10'001u);
  EXPECT_EQ(result.stats.latency.total_count(), 10'001u);
  EXPECT_EQ(result.counters.ops_completed, 10'001u);
  EXPECT_EQ(result.counters.ops_accepted, result.counters.ops_completed);
  EXPECT_EQ(result.counters.wakes_received, 0u);
  EXPECT_EQ(result.counters.wakes_sent, 0u);
  EXPECT_GE(result.ring.sq_entries, 64u);
}

// A same-thread loop smaller than the depth: the driver keeps the ops it has no room for and
// issues them as slots free up, as a cross-thread submitter waits on a full queue.
TEST(Bench, SameThreadOpsBeyondTheLoopsCapacityWaitInTheDriver) {
  BenchSpec spec = nop_spec(1, 32, 5000);
  spec.loop.size = 4;
  for (RunFn run : {&run_loop_bench, &run_same_thread_bench}) {
    const BenchResult result = run(spec, nullptr, kNeverCancel);
    ASSERT_FALSE(result.error) << result.error->message();
    EXPECT_EQ(result.stats.expected, 5000u);
    EXPECT_EQ(result.counters.ops_completed, 5000u);
  }
}

// Every ring knob runs on the loop's ring, in both designs, and on the raw baseline's alike,
// with the flags it asks for; a knob this kernel refuses at setup is skipped, named.
TEST(Bench, EveryRingKnobRunsOnTheLoopAndTheRawRing) {
  const std::pair<const char*, LoopConfig> knobs[] = {
      {"single-issuer", {.single_issuer = true}},
      {"defer-taskrun", {.defer_taskrun = true}},
      {"coop-taskrun", {.coop_taskrun = true}},
      {"taskrun-flag", {.taskrun_flag = true}},
      {"sqpoll", {.sqpoll = true, .sq_thread_idle_ms = 10}},
      {"sqpoll on cpu 0", {.sqpoll = true, .sq_thread_cpu = 0}},
      {"cq-size", {.cq_entries = 1024}},
      {"submit-all", {.submit_all = true}},
      {"no-sqarray", {.no_sqarray = true}},
      {"ring-fd", {.register_ring_fd = true}},
  };
  for (const auto& [name, knob] : knobs) {
    BenchSpec spec = nop_spec(1, 8, 2000);
    const LoopConfig defaults = spec.loop;
    spec.loop = knob;
    spec.loop.size = defaults.size;
    for (RunFn run : kEverySystem) {
      const BenchResult result = run(spec, nullptr, kNeverCancel);
      if (result.error && result.error->call == "io_uring_setup" && result.error->error == EINVAL) {
        std::printf("skipped %s: %s\n", name, result.error->message().c_str());
        continue;
      }
      ASSERT_FALSE(result.error) << name << ": " << result.error->message();
      EXPECT_EQ(result.stats.expected, 2000u) << name;
      EXPECT_EQ(result.ring.setup_flags & ring_setup_flags(spec.loop), ring_setup_flags(spec.loop))
          << name;
    }
  }
}

TEST(Bench, RawRunsExactlyTheRequestedOps) {
  const BenchResult result = run_raw_bench(nop_spec(1, 32, 5000), nullptr, kNeverCancel);
  ASSERT_FALSE(result.error) << result.error->message();
  EXPECT_EQ(result.stats.ops, 5000u);
  EXPECT_EQ(result.stats.expected, 5000u);
  EXPECT_EQ(result.counters.ops_completed, 5000u);
  EXPECT_GT(result.counters.enter_calls, 0u);
  EXPECT_GE(result.ring.sq_entries, 32u);
}

TEST(Bench, WarmupOpsAreNotMeasured) {
  BenchSpec spec = nop_spec(1, 4, 0);
  spec.drive.warmup = 100ms;
  spec.drive.duration = 100ms;
  const BenchResult result = run_loop_bench(spec, nullptr, kNeverCancel);
  ASSERT_FALSE(result.error);
  EXPECT_GT(result.stats.all_ops, result.stats.ops);  // warm-up ops ended but were not counted
  EXPECT_EQ(result.stats.ops, result.stats.latency.total_count());
}

TEST(Bench, CountersCoverTheMeasuredPhase) {
  BenchSpec spec = nop_spec(1, 4, 5000);
  spec.drive.warmup = 100ms;
  for (RunFn run : kEverySystem) {
    const BenchResult result = run(spec, nullptr, kNeverCancel);
    ASSERT_FALSE(result.error);
    EXPECT_GT(result.stats.all_ops, 5000u);
    // Only ops in flight as the warm-up ended may fall on either side.
    EXPECT_GE(result.counters.ops_completed, 5000u - 4);
    EXPECT_LE(result.counters.ops_completed, 5000u + 4);
    EXPECT_LT(result.counters.ops_completed, result.stats.all_ops);
  }
}

TEST(Bench, TimerLatencyIsAtLeastTheTimer) {
  BenchSpec spec = nop_spec(1, 2, 10);
  spec.workload = WorkloadSpec{.op = OpKind::kTimer, .timer = 2ms};
  for (RunFn run : kEverySystem) {
    const BenchResult result = run(spec, nullptr, kNeverCancel);
    ASSERT_FALSE(result.error);
    EXPECT_EQ(result.stats.expected, 10u);  // each ended with -ETIME
    EXPECT_GE(result.stats.latency.min(), 2'000'000u);
  }
}

TEST(Bench, OpTimeoutsApplyToBothSystems) {
  // A 50 ms timer under a 1 ms op timeout: every op times out, in the loop and in the raw ring.
  BenchSpec spec = nop_spec(1, 2, 6);
  spec.loop.op_timeout = 1ms;
  spec.workload = WorkloadSpec{.op = OpKind::kTimer, .timer = 50ms};
  for (RunFn run : kEverySystem) {
    const BenchResult result = run(spec, nullptr, kNeverCancel);
    ASSERT_FALSE(result.error);
    EXPECT_EQ(result.stats.timed_out, 6u);
    EXPECT_EQ(result.counters.timeouts_fired, 6u);
  }
}

TEST(Bench, ProgressIsReportedWhileItRuns) {
  BenchSpec spec = nop_spec(1, 8, 0);
  spec.drive.duration = 300ms;
  spec.progress_interval = 50ms;
  for (RunFn run : kEverySystem) {
    int reports = 0;
    uint64_t last_ops = 0;
    const BenchResult result = run(
        spec,
        [&](const Progress& progress) {
          ++reports;
          EXPECT_GE(progress.ops_ended, last_ops);
          last_ops = progress.ops_ended;
        },
        kNeverCancel);
    ASSERT_FALSE(result.error);
    EXPECT_GE(reports, 2);
  }
}

TEST(Bench, CancellingStopsEarlyAndMarksTheResult) {
  BenchSpec spec = nop_spec(2, 8, 0);
  spec.drive.duration = 60s;
  for (RunFn run : {&run_loop_bench, &run_same_thread_bench}) {
    std::atomic<bool> cancel{false};
    std::thread canceller([&] {
      std::this_thread::sleep_for(100ms);
      cancel = true;
    });
    const auto started = std::chrono::steady_clock::now();
    const BenchResult result = run(spec, nullptr, cancel);
    canceller.join();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
    ASSERT_FALSE(result.error);
    EXPECT_TRUE(result.stats.interrupted);
    EXPECT_GT(result.stats.ops, 0u);
  }
}

TEST(Bench, RunningOutOfDescriptorsIsReportedNotThrown) {
  rlimit saved{};
  getrlimit(RLIMIT_NOFILE, &saved);
  // Take every descriptor up to a lowered limit, so the loop's eventfd cannot be made.
  rlimit tight{64, saved.rlim_max};
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &tight), 0);
  std::vector<UniqueFd> hogs;
  for (int fd = 0; (fd = dup(0)) >= 0;) {
    hogs.emplace_back(fd);
  }
  const BenchResult result = run_loop_bench(nop_spec(1, 1, 1), nullptr, kNeverCancel);
  hogs.clear();
  setrlimit(RLIMIT_NOFILE, &saved);
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->call, "eventfd");
  EXPECT_EQ(result.error->error, EMFILE);
}

TEST(Bench, ARefusedRingIsReportedNotThrown) {
  BenchSpec spec = nop_spec(1, 1, 1);
  spec.loop.io_poll = true;  // the loop's wake poll is refused on IOPOLL rings
  const BenchResult result = run_loop_bench(spec, nullptr, kNeverCancel);
  if (!result.error) {
    GTEST_SKIP() << "this kernel runs the loop on an IOPOLL ring";
  }
  EXPECT_EQ(result.error->call, "wake poll");
}

TEST(Bench, AnIdleSpinFindsWorkBeforeSleeping) {
  BenchSpec spec = nop_spec(1, 1, 2000);
  spec.loop.wait = WaitStrategy::fixed_spin(1ms);
  const BenchResult result = run_loop_bench(spec, nullptr, kNeverCancel);
  ASSERT_FALSE(result.error);
  EXPECT_EQ(result.stats.expected, 2000u);
  EXPECT_GT(result.counters.spin_wakes, 0u);
  // Each spin that found work is one sleep (and one eventfd wake) saved.
  EXPECT_LT(result.counters.sleeps, 2000u);
}

TEST(Bench, ASubmitBatchLimitsTheSqesPerEnter) {
  BenchSpec spec = nop_spec(1, 32, 3200);
  spec.loop.submit_batch = 4;
  const BenchResult result = run_loop_bench(spec, nullptr, kNeverCancel);
  ASSERT_FALSE(result.error);
  EXPECT_EQ(result.stats.expected, 3200u);
  // At most 4 ops per enter (plus, now and then, the re-armed wake poll).
  EXPECT_GE(result.counters.enter_calls * 5, result.counters.sqes_submitted);
  EXPECT_GE(result.counters.enter_calls, 3200u / 4);
}

// An SQPOLL thread advances the SQ head after it has posted its batch's CQEs, so a same-thread
// driver can see every op ended while the SQ still counts them as not taken. The batch limit
// then refused every new op, with nothing in flight: the loop stopped on its invariant (found by
// advise racing sqpoll with submit-batch). The limit counts what was staged since the last enter.
TEST(Bench, ASameThreadSubmitBatchRunsBesideALaggingSqThread) {
  BenchSpec spec = nop_spec(1, 32, 20'000);
  spec.drive.design = Design::kSameThread;
  spec.loop.sqpoll = true;
  spec.loop.submit_batch = 8;
  const BenchResult result = run_loop_bench(spec, nullptr, kNeverCancel);
  ASSERT_FALSE(result.error);
  EXPECT_EQ(result.stats.expected, 20'000u);
  // Still at most 8 ops per enter.
  EXPECT_GE(result.counters.enter_calls, 20'000u / 8);
}

}  // namespace
}  // namespace iob
