#include "harness/watchdog.h"

#include <algorithm>
#include <cstdio>

#include "clock.h"

namespace iob {

std::string format_duration(int64_t ns) {
  const double value = static_cast<double>(ns);
  char text[32];
  if (value >= 1e9) {
    std::snprintf(text, sizeof text, "%.3g s", value / 1e9);
  } else if (value >= 1e6) {
    std::snprintf(text, sizeof text, "%.3g ms", value / 1e6);
  } else if (value >= 1e3) {
    std::snprintf(text, sizeof text, "%.3g µs", value / 1e3);
  } else {
    std::snprintf(text, sizeof text, "%lld ns", static_cast<long long>(ns));
  }
  return text;
}

std::string CapacityStallReport::message() const {
  return "capacity stall: all waiters in flight, " + std::to_string(queued) +
         " ops queued, no completion for " + format_duration(stalled_ns);
}

CapacityWatchdog::CapacityWatchdog(const Loop& loop, std::chrono::nanoseconds threshold,
                                   OnStall on_stall)
    : loop_(loop), threshold_(threshold), on_stall_(std::move(on_stall)) {
  thread_ = std::thread([this] { run(); });
}

void CapacityWatchdog::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

std::vector<CapacityStallReport> CapacityWatchdog::reports() const {
  std::lock_guard lock(mutex_);
  return reports_;
}

std::optional<CapacityStallReport> CapacityWatchdog::sample(int64_t& reported_since) const {
  const LoopCounters& counters = loop_.counters();
  const int64_t since = counters.stall_since_ns.load(std::memory_order_relaxed);
  if (since == 0 || since == reported_since) {
    return std::nullopt;
  }
  const int64_t stalled = monotonic_ns() - since;
  const uint64_t in_flight = counters.pending_operations.load(std::memory_order_relaxed);
  const uint64_t queued = loop_.queued_ops();
  // A stall the loop is waiting out: all waiters busy, work behind them, and no CQE since it
  // began (any CQE ends the wait and clears stall_since_ns).
  if (stalled < threshold_.count() || in_flight < loop_.capacity() || queued == 0) {
    return std::nullopt;
  }
  reported_since = since;
  return CapacityStallReport{in_flight, queued, stalled};
}

void CapacityWatchdog::run() {
  const auto interval =
      std::max<std::chrono::nanoseconds>(threshold_ / 10, std::chrono::milliseconds(1));
  int64_t reported_since = 0;
  std::unique_lock lock(mutex_);
  while (!stop_cv_.wait_for(lock, interval, [&] { return stopping_; })) {
    const std::optional<CapacityStallReport> stall = sample(reported_since);
    if (stall) {
      reports_.push_back(*stall);
      lock.unlock();
      on_stall_(*stall);
      lock.lock();
    }
  }
}

}  // namespace iob
