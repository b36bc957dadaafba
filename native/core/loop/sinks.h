// Two ways to receive the ends of ops.
//
// OneShot: one op, one waiting thread (the seed's oneshot channel). Tests and simple callers.
// CompletionQueue: many ops of one submitter thread. The loop writes ends as CQEs arrive,
//   publishes them once per flush (a CQE batch, or each half of a large one) and wakes the
//   submitter then, only if it is asleep (the same SleepGate handshake the loop uses for its own
//   wake).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <vector>

#include "cache_line.h"
#include "clock.h"
#include "invariant.h"
#include "loop/op.h"
#include "loop/sleep_gate.h"
#include "loop/wait_strategy.h"

namespace iob {

class OneShot final : public CompletionSink {
 public:
  void deliver(Completion&& completion) override { completion_ = std::move(completion); }

  // The waiting thread may destroy this object as soon as it sees the end, so it is told only
  // here, after the loop's last access.
  void flush() override {
    std::lock_guard lock(mutex_);
    ready_ = true;
    cv_.notify_all();
  }

  Completion wait() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return ready_; });
    return std::move(completion_);
  }

  std::optional<Completion> wait_for(std::chrono::nanoseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, timeout, [&] { return ready_; })) {
      return std::nullopt;
    }
    return std::move(completion_);
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool ready_ = false;
  Completion completion_;
};

// Single producer (the loop thread), single consumer (the owning submitter). Holds at most
// `capacity` ends: the owner must never have more ops outstanding than that. The owner keeps
// the queue alive until the loop has exited, since flush() may still touch it after the last
// end becomes visible.
class CompletionQueue final : public CompletionSink {
 public:
  explicit CompletionQueue(size_t capacity) : slots_(capacity) {
    check_invariant(capacity > 0 && (capacity & (capacity - 1)) == 0,
                    "completion queue capacity must be a power of two");
  }

  // Writes the end into its slot; the owner sees it only once flush() publishes the batch.
  void deliver(Completion&& completion) override {
    if (written_ - cached_head_ == slots_.size()) {
      cached_head_ = head_.load(std::memory_order_acquire);
      check_invariant(written_ - cached_head_ < slots_.size(),
                      "more ops outstanding than the completion queue holds");
    }
    slots_[written_ & (slots_.size() - 1)] = std::move(completion);
    ++written_;
  }

  // Publishes the batch's ends with one store of the tail (the owner's line moves once per
  // batch, not once per op), then wakes the owner if it sleeps.
  void flush() override {
    tail_.store(written_, std::memory_order_release);
    gate_.publish_and_wake();
  }

  // Owner: calls take(Completion&) on every available end, in place, and releases their slots;
  // returns how many.
  template <typename Take>
  size_t drain(Take&& take) {
    const size_t tail = tail_.load(std::memory_order_acquire);
    size_t head = head_.load(std::memory_order_relaxed);
    const size_t count = tail - head;
    for (; head != tail; ++head) {
      take(slots_[head & (slots_.size() - 1)]);
    }
    head_.store(head, std::memory_order_release);
    return count;
  }

  bool empty() const {
    return tail_.load(std::memory_order_acquire) == head_.load(std::memory_order_relaxed);
  }

  // Owner: sleeps until at least one end is available. With a spinner, and ops outstanding (the
  // owner knows), spins first as its strategy says (see loop/wait_strategy.h).
  void wait(Spinner* spinner = nullptr, bool outstanding = true) {
    if (spinner != nullptr && spinner->spin(outstanding, [&] { return !empty(); })) {
      return;
    }
    while (empty()) {
      gate_.sleep_unless([&] { return !empty(); });
      gate_.disarm();
    }
    if (spinner != nullptr) {
      spinner->woke_now();
    }
  }

  // Owner: sleeps until an end is available or `deadline_ns` (CLOCK_MONOTONIC) has passed.
  void wait_until(int64_t deadline_ns) {
    if (empty()) {
      gate_.sleep_unless_until([&] { return !empty(); }, deadline_ns);
      gate_.disarm();
    }
  }

 private:
  // Read by both sides, written by neither once made.
  std::vector<Completion> slots_;
  // Loop thread only: ends written so far, published or not, and the consumer's position as
  // last read (refreshed only when the queue looks full).
  alignas(kCacheLineSize) size_t written_ = 0;
  size_t cached_head_ = 0;
  // Written by the loop once per batch (the owner writes the gate only to sleep).
  alignas(kCacheLineSize) std::atomic<size_t> tail_{0};
  FutexGate gate_;
  // Written by the owner after each drain.
  alignas(kCacheLineSize) std::atomic<size_t> head_{0};
};

}  // namespace iob
