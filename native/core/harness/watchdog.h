// A watchdog for the loop's liveness caveat (see loop.h). On its own thread it samples what the
// loop exposes (the start of the current capacity stall, the in-flight gauge, the ops queued
// behind them) and reports a stall that has lasted `threshold` — every waiter in flight, ops
// queued, no completion since — instead of letting it go unnoticed. What to do about it is the
// caller's: `on_stall` runs on the watchdog's thread.
//
// Needs the loop's counters (IOB_COUNTERS=1): without them stall_since_ns is never set.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "loop/loop.h"

namespace iob {

struct CapacityStallReport {
  uint64_t in_flight = 0;  // ops in flight: every waiter
  uint64_t queued = 0;     // ops queued behind them
  int64_t stalled_ns = 0;  // since the stall began, with no completion since

  // "capacity stall: all waiters in flight, N ops queued, no completion for T"
  std::string message() const;
};

// "250 ms", "1.5 s": three significant digits, like the CLI's durations.
std::string format_duration(int64_t ns);

class CapacityWatchdog {
 public:
  using OnStall = std::function<void(const CapacityStallReport&)>;

  // Starts sampling `loop` (which must outlive the watchdog) every threshold / 10 (at least
  // 1 ms); calls `on_stall` once for each stall that lasts `threshold`.
  CapacityWatchdog(const Loop& loop, std::chrono::nanoseconds threshold, OnStall on_stall);
  ~CapacityWatchdog() { stop(); }
  CapacityWatchdog(const CapacityWatchdog&) = delete;
  CapacityWatchdog& operator=(const CapacityWatchdog&) = delete;

  // Stops sampling and joins the thread; idempotent.
  void stop();

  // Every stall reported so far.
  std::vector<CapacityStallReport> reports() const;

 private:
  void run();
  // The stall to report now, if the loop is in one that has lasted the threshold.
  std::optional<CapacityStallReport> sample(int64_t& reported_since) const;

  const Loop& loop_;
  const std::chrono::nanoseconds threshold_;
  const OnStall on_stall_;
  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::vector<CapacityStallReport> reports_;
  std::thread thread_;
};

}  // namespace iob
