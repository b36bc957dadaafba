// What the loop counts about itself.
//
// Every counter is listed once, in IOB_LOOP_COUNTERS, with its report name, kind, unit and
// meaning (the gauges in IOB_LOOP_GAUGES); the live atomic set, the plain snapshot, the JS object
// and, through scripts/gen/generate.mjs, the TypeScript counter list, the result schema and
// the Prometheus help text all come from those lists.
//
// Cost: loop-side counters have a single writer (the loop thread), so an increment is a relaxed
// load and store, i.e. a plain add, never a locked instruction; any thread may read them while
// the loop runs. Submitter-side counters are only touched on slow paths (a wake of the loop,
// a wait for queue space), and each sits on a cache line of its own, so their writes never
// invalidate the line the loop's counters are on. Build with IOB_COUNTERS=0 to compile them all
// out; the bench scripts measure both builds side by side to show what counting costs.
#pragma once

#include <atomic>
#include <cstdint>

#include "cache_line.h"

#ifndef IOB_COUNTERS
#define IOB_COUNTERS 1
#endif

namespace iob {

inline constexpr bool kCountersEnabled = IOB_COUNTERS != 0;

// X(writer, field, "reportName", kind, unit, "meaning"):
// - writer is Owned (the loop thread) or Shared (submitters, slow paths only);
// - kind is Total (grows over a run, added when runs merge) or Max (the largest seen);
// - unit is Count or Ns, so a report can show a duration as one.
// scripts/gen/generate.mjs reads this list for the TypeScript side (counter list, result
// schema, Prometheus help): keep each entry's strings literal.
#define IOB_LOOP_COUNTERS(X)                                                                       \
  X(Owned, ops_accepted, "opsAccepted", Total, Count,                                              \
    "ops taken from the submission queue and staged")                                              \
  X(Owned, ops_completed, "opsCompleted", Total, Count, "ops whose CQE was handled and delivered") \
  X(Owned, ops_abandoned, "opsAbandoned", Total, Count,                                            \
    "ops given up at shutdown or on a loop error")                                                 \
  X(Owned, timeouts_fired, "timeoutsFired", Total, Count,                                          \
    "ops ended by their linked timeout (-ETIMEDOUT)")                                              \
  X(Owned, timeout_cqes, "timeoutCqes", Total, Count,                                              \
    "linked-timeout CQEs (reserved user_data UINT64_MAX)")                                         \
  X(Owned, zc_notifications, "zcNotifications", Total, Count,                                      \
    "zero-copy send notifications (F_NOTIF CQEs): each ends the SEND_ZC its result CQE began")     \
  X(Owned, zc_copied, "zcCopied", Total, Count,                                                    \
    "zero-copy sends whose notification says the kernel copied the data after all (6.2+)")         \
  X(Owned, multishot_results, "multishotResults", Total, Count,                                    \
    "results of multishot receives that went on (F_MORE CQEs), each a buffer of data")             \
  X(Owned, multishot_no_buffers, "multishotNoBuffers", Total, Count,                               \
    "multishot ops ended by ENOBUFS: their provided buffer ring ran dry (the data waits)")         \
  X(Owned, capacity_stalls, "capacityStalls", Total, Count,                                        \
    "times work was queued but staging stopped at capacity")                                       \
  X(Owned, capacity_stalls_waiter_bound, "capacityStallsWaiterBound", Total, Count,                \
    "capacity stalls where every waiter slot was in flight")                                       \
  X(Owned, capacity_stalls_sq_bound, "capacityStallsSqBound", Total, Count,                        \
    "capacity stalls where the submission queue was full")                                         \
  X(Owned, stall_ns_total, "stallNsTotal", Total, Ns,                                              \
    "time spent waiting in capacity stalls (ns)")                                                  \
  X(Owned, stall_ns_max, "stallNsMax", Max, Ns, "longest single capacity stall (ns)")              \
  X(Owned, sleeps, "sleeps", Total, Count,                                                         \
    "times the loop blocked waiting for a completion or a wake")                                   \
  X(Owned, skipped_sleeps, "skippedSleeps", Total, Count,                                          \
    "times the arm recheck saw new work and ran on")                                               \
  X(Owned, spin_wakes, "spinWakes", Total, Count,                                                  \
    "idle spins (wait strategy spin or adaptive) that found work before their budget ran out")     \
  X(Owned, spin_misses, "spinMisses", Total, Count,                                                \
    "idle spins that ran out their budget and went on to sleep")                                   \
  X(Owned, futex_parks, "futexParks", Total, Count,                                                \
    "sleeps parked on the gate word with nothing in flight (wake futex)")                          \
  X(Owned, wakes_received, "wakesReceived", Total, Count,                                          \
    "wakes that reached the loop: wake CQEs and futex parks a submission ended")                   \
  X(Owned, late_wakes, "lateWakes", Total, Count,                                                  \
    "wake CQEs handled after the sleep they were sent to end had ended another way")               \
  X(Owned, wake_rearms, "wakeRearms", Total, Count,                                                \
    "wake sources installed: eventfd polls (first one and re-arms) and FUTEX_WAIT ops")            \
  X(Owned, enter_calls, "enterCalls", Total, Count, "io_uring_enter calls made by the loop")       \
  X(Owned, sqes_submitted, "sqesSubmitted", Total, Count,                                          \
    "SQEs handed to the kernel by those calls")                                                    \
  X(Owned, transient_enter_errors, "transientEnterErrors", Total, Count,                           \
    "io_uring_enter calls that returned EINTR, EAGAIN or EBUSY")                                   \
  X(Shared, wakes_sent, "wakesSent", Total, Count,                                                 \
    "wakes submitters sent a sleeping loop (eventfd write, FUTEX_WAKE or MSG_RING)")               \
  X(Shared, backpressure_waits, "backpressureWaits", Total, Count,                                 \
    "times a submitter blocked on a full queue")                                                   \
  X(Shared, backpressure_ns, "backpressureNs", Total, Ns,                                          \
    "time submitters spent blocked on a full queue (ns)")

// X(field, "reportName", unit, "meaning"): levels read at one moment, never compiled out, merged
// by maximum (runs that did not overlap in time cannot be in flight together).
#define IOB_LOOP_GAUGES(X)                                                                  \
  X(pending_operations, "pendingOperations", Count,                                         \
    "ops submitted to the ring whose CQE had not been handled when the counters were read") \
  X(spin_budget_ns, "spinBudgetNs", Ns,                                                     \
    "the loop's idle-spin budget after its last spin (adaptive: what it has learned)")

enum class CounterKind { kTotal, kMax };

// A plain copy of the counters, plus the gauge, taken at one moment.
struct LoopCountersSnapshot {
#define IOB_FIELD(writer, field, name, kind, unit, help) uint64_t field = 0;
  IOB_LOOP_COUNTERS(IOB_FIELD)
#undef IOB_FIELD
#define IOB_GAUGE_FIELD(field, name, unit, help) uint64_t field = 0;
  IOB_LOOP_GAUGES(IOB_GAUGE_FIELD)
#undef IOB_GAUGE_FIELD
};

// What happened between two snapshots. Totals are subtracted; maxima and gauges keep `later`'s
// value (a maximum cannot be split).
inline LoopCountersSnapshot counters_since(const LoopCountersSnapshot& later,
                                           const LoopCountersSnapshot& earlier) {
  LoopCountersSnapshot delta = later;
#define IOB_SUBTRACT(writer, field, name, kind, unit, help) \
  if constexpr (CounterKind::k##kind == CounterKind::kTotal) delta.field -= earlier.field;
  IOB_LOOP_COUNTERS(IOB_SUBTRACT)
#undef IOB_SUBTRACT
  return delta;
}

// Adds `part`, the counters of a loop that ran at the same time as the others in `total` (the
// same-thread design's loops): totals and gauges add up, a maximum is the larger.
inline void add_concurrent_counters(LoopCountersSnapshot& total, const LoopCountersSnapshot& part) {
#define IOB_ADD(writer, field, name, kind, unit, help)                 \
  if constexpr (CounterKind::k##kind == CounterKind::kTotal) {         \
    total.field += part.field;                                         \
  } else {                                                             \
    total.field = total.field > part.field ? total.field : part.field; \
  }
  IOB_LOOP_COUNTERS(IOB_ADD)
#undef IOB_ADD
#define IOB_ADD_GAUGE(field, name, unit, help) total.field += part.field;
  IOB_LOOP_GAUGES(IOB_ADD_GAUGE)
#undef IOB_ADD_GAUGE
}

// A counter with a single writing thread: increments are plain adds, reads may come from any
// thread.
class OwnedCounter {
 public:
  void add(uint64_t n = 1) {
    if constexpr (kCountersEnabled) {
      value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
  }
  void raise_to(uint64_t n) {
    if constexpr (kCountersEnabled) {
      if (n > value_.load(std::memory_order_relaxed)) {
        value_.store(n, std::memory_order_relaxed);
      }
    }
  }
  uint64_t get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A counter written by many threads, only on slow paths. A line of its own: submitters' writes
// must not invalidate the line of the counters the loop writes per op (see LoopCounters).
class alignas(kCacheLineSize) SharedCounter {
 public:
  void add(uint64_t n = 1) {
    if constexpr (kCountersEnabled) {
      value_.fetch_add(n, std::memory_order_relaxed);
    }
  }
  uint64_t get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Laid out by writer: each Shared counter fills a cache line of its own (SharedCounter's
// alignment), so wherever it stands in IOB_LOOP_COUNTERS, no counter the loop writes per op
// shares a line with one submitters write. The struct starts a line too (its alignment).
struct LoopCounters {
#define IOB_DECLARE(writer, field, name, kind, unit, help) writer##Counter field;
  IOB_LOOP_COUNTERS(IOB_DECLARE)
#undef IOB_DECLARE

  // The gauges, always maintained.
#define IOB_DECLARE_GAUGE(field, name, unit, help) std::atomic<uint64_t> field{0};
  IOB_LOOP_GAUGES(IOB_DECLARE_GAUGE)
#undef IOB_DECLARE_GAUGE
  // Monotonic time (ns) at which the current capacity stall began, 0 when not stalled; read
  // by watchdogs to report a stall that has not ended.
  std::atomic<int64_t> stall_since_ns{0};

  LoopCountersSnapshot snapshot() const {
    LoopCountersSnapshot s;
#define IOB_READ(writer, field, name, kind, unit, help) s.field = field.get();
    IOB_LOOP_COUNTERS(IOB_READ)
#undef IOB_READ
#define IOB_READ_GAUGE(field, name, unit, help) s.field = field.load(std::memory_order_relaxed);
    IOB_LOOP_GAUGES(IOB_READ_GAUGE)
#undef IOB_READ_GAUGE
    return s;
  }
};

}  // namespace iob
