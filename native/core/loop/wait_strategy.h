// How a thread waits for work another thread hands it: the loop for submissions and completions,
// a submitter for the ends of its ops. One Spinner per waiting thread runs the spin phase of
// every wait; when it finds nothing, the caller blocks (the loop in io_uring_enter, a submitter
// on its completion queue's futex).
//
//   sleep       block at once (the seed's behaviour)
//   spin=DUR    spin up to DUR, then block
//   adaptive    spin up to a budget it learns: a spin that found work grows it, one that ran out
//               halves it, and a wait that ran out but ended soon after (the spin and the block
//               together within the maximum) grows it to cover that wait; never past `spin`
//               (the maximum)
//
// Neither spin strategy spins while nothing is in flight: with no op outstanding, work can only
// come from outside, so a spin would only burn the CPU (an idle loop costs nothing).
//
// The trap this avoids (issue 15): a spinner that shares its CPU with the thread it waits for
// holds that thread off until its budget runs out, so every hand-off costs the whole budget.
// The scheduler places a depth-1 ping-pong pair on one vCPU (a wakee goes to its waker's CPU),
// where sleeping costs a 2 us context switch; two 50 us spinners there (the submitter waiting
// for its end, the loop for the next submission) made every op cost 2 x 50 us. So each round of
// a spin ends in sched_yield(): with nothing else runnable on the CPU it returns at once, and
// otherwise the thread the spin waits for runs. Measured with native/tools/loop-bench, NOP
// depth 1, threads pinned with taskset (see the commit): both on one vCPU, sleep 115-343 k ops/s,
// spin 50 us 3.2-3.8 k (p50 104 us), spin with a yield per round 98-140 k; on two vCPUs, sleep
// 10-11 k (two cross-vCPU wakes per op), spin 79-90 k, with yields 74-99 k.
// The price: on a CPU shared with other processes' threads, each yield pushes the spinner's
// EEVDF deadline back a slice, so a spinning thread gets a smaller share of a contended CPU
// than a sleeping one (NOP depth 1 unpinned under load 15: sleep 125-458 k ops/s, spin 50 us
// 56-201 k, though its p50 is lower, 1.9 us against 2.1 us).

#pragma once

#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "clock.h"

namespace iob {

struct WaitStrategy {
  enum class Kind : uint8_t { kSleep, kSpin, kAdaptive };
  Kind kind = Kind::kSleep;
  // kSpin: how long every wait spins; kAdaptive: the most its learned budget grows to.
  std::chrono::nanoseconds spin{0};

  static WaitStrategy sleep() { return {}; }
  static WaitStrategy fixed_spin(std::chrono::nanoseconds budget) { return {Kind::kSpin, budget}; }
  static WaitStrategy adaptive(std::chrono::nanoseconds max = kAdaptiveMaxSpin) {
    return {Kind::kAdaptive, max};
  }

  // A cross-vCPU wake costs about 35 us on this kind of VM and a round trip needs two: spinning up
  // to about that long before blocking keeps the classic two-phase bound (never worse than twice
  // the better of spinning and sleeping).
  static constexpr std::chrono::nanoseconds kAdaptiveMaxSpin{std::chrono::microseconds(100)};
};

class Spinner {
 public:
  // The least an adaptive budget shrinks to: it keeps probing whether spinning pays again.
  static constexpr int64_t kMinAdaptiveBudget = 1'000;

  explicit Spinner(WaitStrategy strategy)
      : strategy_(strategy),
        max_ns_(strategy.kind == WaitStrategy::Kind::kSleep ? 0 : strategy.spin.count()),
        floor_ns_(std::min(kMinAdaptiveBudget, max_ns_)),
        budget_ns_(strategy.kind == WaitStrategy::Kind::kAdaptive ? std::max(max_ns_ / 4, floor_ns_)
                                                                  : max_ns_) {}

  // Whether a wait with `in_flight` as given spins before it blocks.
  bool would_spin(bool in_flight) const { return in_flight && budget_ns_ > 0; }

  // Spins until `ready()` holds or the budget runs out; returns whether it holds. Does not spin
  // (returns false at once) when `in_flight` is false or the budget is 0: the caller blocks.
  template <typename Ready>
  bool spin(bool in_flight, Ready&& ready) {
    if (!would_spin(in_flight)) {
      return false;
    }
    started_ns_ = monotonic_ns();
    const int64_t deadline = started_ns_ + budget_ns_;
    do {
      for (int check = 0; check < kChecksPerRound; ++check) {
        if (ready()) {
          ++hits_;
          learn(true);
          return true;
        }
        cpu_relax();
      }
      sched_yield();
    } while (monotonic_ns() < deadline);
    ++misses_;
    learn(false);
    missed_ = true;
    return false;
  }

  // After a spin that ran out the caller blocks, and calls this when it wakes (at `now_ns`). A
  // wait that ended within the maximum, counted from the spin's start, is one a budget that long
  // would have caught: the budget grows to cover it, with a quarter to spare. Hits alone would
  // grow it only a step at a time, while every miss halves it: with waits a little longer than
  // the budget it would never catch up (a deep queue's batches measured 0.6x of a fixed spin).
  void woke(int64_t now_ns) {
    if (!missed_) {
      return;
    }
    missed_ = false;
    const int64_t waited = now_ns - started_ns_;
    if (strategy_.kind == WaitStrategy::Kind::kAdaptive && waited <= max_ns_) {
      budget_ns_ = std::max(budget_ns_, std::min(max_ns_, waited + waited / 4));
    }
  }
  // Whether the caller should call woke() when it wakes: the last spin ran out.
  bool learns_from_wake() const {
    return missed_ && strategy_.kind == WaitStrategy::Kind::kAdaptive;
  }
  // woke() at the time now, read only when there is something to learn: what a caller calls
  // after the block that follows a spin.
  void woke_now() {
    if (learns_from_wake()) {
      woke(monotonic_ns());
    }
  }
  // When the last spin began (CLOCK_MONOTONIC ns).
  int64_t started_ns() const { return started_ns_; }

  // What the next spin may take, in ns (0: it will not spin).
  int64_t budget_ns() const { return budget_ns_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }

 private:
  // Cheap checks between two yields (and clock reads): each round takes well under a
  // microsecond, about what a hand-off between two running threads takes.
  static constexpr int kChecksPerRound = 8;

  void learn(bool found_work) {
    if (strategy_.kind != WaitStrategy::Kind::kAdaptive) {
      return;
    }
    // Grows gently on a hit (a quarter, and at least a step so a small budget can grow), halves on
    // a miss: a budget that keeps running out costs little for long.
    budget_ns_ = found_work ? std::min(max_ns_, budget_ns_ + budget_ns_ / 4 + kMinAdaptiveBudget)
                            : std::max(floor_ns_, budget_ns_ / 2);
  }

  const WaitStrategy strategy_;
  const int64_t max_ns_;
  const int64_t floor_ns_;
  int64_t budget_ns_;
  int64_t started_ns_ = 0;
  // The last spin ran out and the caller has not said when it woke.
  bool missed_ = false;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace iob
