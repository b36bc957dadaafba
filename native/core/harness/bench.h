// Benchmark drivers: the same workload through the loop and through the raw ring.
//
// Loop: N submitter threads, each keeping Q ops outstanding (closed loop). Each op goes
//   submitter -> Submitter::send -> MPSC -> loop thread -> SQE -> kernel -> CQE -> loop thread
//   -> the submitter's CompletionQueue -> latency recorded in the submitter's own histogram.
// Same-thread design (`design` = kSameThread): each submitter is the driver of a loop of its
//   own and runs on that loop's thread (Loop::run_inline): submitter -> the loop's waiters and
//   SQ -> kernel -> CQE -> the same thread's CompletionQueue. No MPSC, no wake, no second
//   thread. With N submitters that is N loops, each on its own thread, sharing nothing (a
//   thread-per-core runtime); each loop's capacity is `loop.size`.
// Raw: one thread on a plain liburing ring keeping N*Q ops in flight, batching submissions, no
//   MPSC and no waiters: the in-process limit of the ring for the same ops.
//
// Both run a warm-up (not recorded) and then a measured phase bounded by a duration or an op
// count. Histograms are merged once at the end.
//
// Closed loop (the default): every slot is re-issued as soon as its op ends. An op is measured
// if it was issued after the warm-up; its latency runs from the moment the requester issued it
// to the moment the requester saw its end.
// Open loop (`rate` > 0): ops are due on a schedule (uniform or Poisson arrivals at `rate` ops/s
// in total), whatever is in flight, up to `depth` in-flight slots per thread. An op's response
// time runs from the instant it was due (its intended start), its service time from the moment
// it was actually issued; an op that fell due while every slot was busy waits for one and counts
// as late. So a system that falls behind shows response times that grow, never a flat service
// time (coordinated omission). An op is measured if it was issued after the warm-up, even one
// due during it that a thread behind its schedule reaches only then. An op due before the phase
// ends is issued even if the thread reaches it a little after (a late wake-up), when a slot is
// free; ops due in the phase that still wait for a slot when it ends are counted as missed,
// never dropped silently.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "counters.h"
#include "harness/histogram.h"
#include "harness/workload.h"
#include "loop/loop.h"

namespace iob {

enum class Arrivals { kUniform, kPoisson };

// Where a loop benchmark's submitters run: on threads of their own, handing ops to the loop's
// thread (the seed's design), or each on the thread of a loop of its own (see above).
enum class Design { kCrossThread, kSameThread };

struct DriveSpec {
  uint32_t submitters = 1;
  // Ops each submitter keeps outstanding (closed loop), or at most keeps in flight (open loop).
  uint32_t depth = 1;
  // The measured phase ends after `duration`, or after `ops` measured ops when `ops` > 0.
  std::chrono::nanoseconds duration{std::chrono::seconds(2)};
  uint64_t ops = 0;
  std::chrono::nanoseconds warmup{0};
  // Open loop when > 0: ops due at this total rate (ops/s), split evenly over the submitters.
  double rate = 0;
  Arrivals arrivals = Arrivals::kUniform;
  Design design = Design::kCrossThread;
  // The loop only: after the measured phase the loop stays up this long with nothing to do, and
  // the process's CPU over that window is reported (0: not measured).
  std::chrono::nanoseconds idle{0};
};

struct BenchSpec {
  LoopConfig loop;
  WorkloadSpec workload;
  DriveSpec drive;
  std::chrono::milliseconds progress_interval{250};
};

struct CpuTime {
  int64_t user_ns = 0;
  int64_t system_ns = 0;  // io_threads_ns included
  // io_uring's kernel threads of the process (SQPOLL's iou-sqp, io-wq's iou-wrk) that the run's
  // rings made, while they ran the run's work.
  int64_t io_threads_ns = 0;
  // Of the system's own threads (getrusage RUSAGE_THREAD): it blocked, or was preempted.
  int64_t voluntary_switches = 0;
  int64_t involuntary_switches = 0;
  // Counted by the CPU over every thread of the system (harness/hardware_counters.h); -1 when
  // not counted, and then hardware_counters_error is perf_event_open's errno.
  int64_t instructions = -1;
  int64_t cycles = -1;
  int hardware_counters_error = 0;
  // Kernel mode not allowed: user mode alone counted. Multiplexed: the share of the time counted.
  bool hardware_user_only = false;
  double hardware_counted_share = 1;
};

// How measured ops ended, for all ops or for one kind. Counts are of measured ops.
struct OpStats {
  uint64_t ops = 0;        // measured ops that ended, however they ended
  uint64_t expected = 0;   // ...with the op's normal result
  uint64_t timed_out = 0;  // ...with -ETIMEDOUT from the op timeout
  uint64_t abandoned = 0;  // ...abandoned by the loop
  uint64_t corrupt = 0;    // ...with the right length but not the bytes that were written
  std::map<int32_t, uint64_t> unexpected;  // other results, by value
  uint64_t bytes = 0;                      // bytes the ops moved
  // Every measured op that got a result: from its intended start (closed loop: its issue).
  LatencyHistogram latency;
  // Open loop only: from its actual issue (service time).
  LatencyHistogram service;
  // Ops ended by their op timeout: how late the loop handled the -ETIMEDOUT past the deadline
  // (when the loop handed the op to the kernel, plus the op timeout).
  LatencyHistogram timeout_lateness;
  uint64_t timeouts_early = 0;  // ...handled before the deadline (never, if timeouts are right)

  void merge(const OpStats& other);
};

// What one system did.
struct RunStats : OpStats {
  // Per kind of op, when the workload has more than one (a mix, writes with fsyncs).
  std::vector<std::string> kind_names;
  std::vector<OpStats> kinds;
  uint64_t late = 0;       // open loop: measured ops due while every in-flight slot was busy
  uint64_t missed = 0;     // open loop: ops due in the measured phase but never issued
  ReadBack read_back;      // write workloads: the blocks written, read back after the run
  int64_t elapsed_ns = 0;  // warm-up end .. last measured end
  uint64_t all_ops = 0;    // every op that ended, warm-up included
  uint64_t issued = 0;     // every op handed to the loop (the ring), warm-up included
  CpuTime cpu;             // every thread of the system, whole run (read-back excluded)
  bool interrupted = false;

  void merge(const RunStats& other);
};

struct Progress {
  int64_t elapsed_ns = 0;    // since the run started
  bool measuring = false;    // past the warm-up
  uint64_t ops_ended = 0;    // every op that ended so far, warm-up included
  uint64_t bytes_ended = 0;  // bytes those ops moved
  LoopCountersSnapshot counters;
};

using ProgressFn = std::function<void(const Progress&)>;

// The process's CPU (every thread) while the loop waited with nothing to do.
struct IdleCpu {
  int64_t window_ns = 0;
  CpuTime cpu;
};

struct BenchResult {
  RunStats stats;
  // Counted over the measured phase (stall_ns_max over the whole run). For the raw ring only
  // enter_calls, sqes_submitted, ops_completed, timeouts_fired, timeout_cqes, zc_notifications and
  // zc_copied are counted.
  LoopCountersSnapshot counters;
  RingInfo ring;
  // Set when the run measured an idle window (DriveSpec::idle).
  std::optional<IdleCpu> idle;
  std::optional<LoopError> error;
};

// Throws std::invalid_argument for a configuration the loop refuses outright (see
// Loop::create); refusals by the kernel or the process's limits, and files or sockets the
// workload cannot set up, come back in
// BenchResult::error.
BenchResult run_loop_bench(const BenchSpec& spec, const ProgressFn& progress,
                           const std::atomic<bool>& cancel);
BenchResult run_raw_bench(const BenchSpec& spec, const ProgressFn& progress,
                          const std::atomic<bool>& cancel);

}  // namespace iob
