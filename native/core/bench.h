// Benchmark drivers: the same workload through the loop and through the raw ring.
//
// Loop: N submitter threads, each keeping Q ops outstanding (closed loop). Each op goes
//   submitter -> Submitter::send -> MPSC -> loop thread -> SQE -> kernel -> CQE -> loop thread
//   -> the submitter's CompletionQueue -> latency recorded in the submitter's own histogram.
// Raw: one thread on a plain liburing ring keeping N*Q ops in flight, batching submissions, no
//   MPSC and no waiters: the in-process limit of the ring for the same ops.
//
// Both run a warm-up (not recorded) and then a measured phase bounded by a duration or an op
// count. An op is measured if it was submitted after the warm-up; its latency runs from the
// moment the requester issued it to the moment the requester saw its end. Histograms are merged
// once at the end.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>

#include "counters.h"
#include "histogram.h"
#include "loop.h"
#include "workload.h"

namespace iob {

struct DriveSpec {
  uint32_t submitters = 1;
  // Ops each submitter keeps outstanding.
  uint32_t depth = 1;
  // The measured phase ends after `duration`, or after `ops` measured ops when `ops` > 0.
  std::chrono::nanoseconds duration{std::chrono::seconds(1)};
  uint64_t ops = 0;
  std::chrono::nanoseconds warmup{0};
};

struct BenchSpec {
  LoopConfig loop;
  WorkloadSpec workload;
  DriveSpec drive;
  std::chrono::milliseconds progress_interval{250};
};

struct CpuTime {
  int64_t user_ns = 0;
  int64_t system_ns = 0;
};

// What one system did. Counts are of measured ops.
struct RunStats {
  uint64_t ops = 0;        // measured ops that ended, however they ended
  uint64_t expected = 0;   // ...with the op's normal result
  uint64_t timed_out = 0;  // ...with -ETIMEDOUT from the op timeout
  uint64_t abandoned = 0;  // ...abandoned by the loop
  std::map<int32_t, uint64_t> unexpected;  // other results, by value
  LatencyHistogram latency;                // every measured op that got a result
  int64_t elapsed_ns = 0;                  // warm-up end .. last measured end
  uint64_t all_ops = 0;                    // every op that ended, warm-up included
  CpuTime cpu;                             // every thread of the system, whole run
  bool interrupted = false;

  void merge(const RunStats& other);
};

struct Progress {
  int64_t elapsed_ns = 0;  // since the run started
  bool measuring = false;  // past the warm-up
  uint64_t ops_ended = 0;  // every op that ended so far, warm-up included
  LoopCountersSnapshot counters;
};

using ProgressFn = std::function<void(const Progress&)>;

struct BenchResult {
  RunStats stats;
  // Counted over the measured phase (stall_ns_max over the whole run). For the raw ring only enter_calls, sqes_submitted, ops_completed, timeouts_fired and
  // timeout_cqes are counted.
  LoopCountersSnapshot counters;
  RingInfo ring;
  std::optional<LoopError> error;
};

// Throws std::invalid_argument for a configuration the loop refuses outright (see
// Loop::create); refusals by the kernel or the process's limits come back in
// BenchResult::error.
BenchResult run_loop_bench(const BenchSpec& spec, const ProgressFn& progress,
                           const std::atomic<bool>& cancel);
BenchResult run_raw_bench(const BenchSpec& spec, const ProgressFn& progress,
                          const std::atomic<bool>& cancel);

}  // namespace iob
