// Bounded multi-producer, single-consumer queue: the channel from submitters to the loop.
//
// A Vyukov array queue: each cell carries a sequence number that says whose turn it is, so a
// push and a pop each touch one cell and one position counter, with no lock. Producers claim a
// position with a CAS on `tail_` (a burst claims a run of free positions with one CAS); the
// single consumer owns `head_`.
//
// Closing from the receiving side sets the top bit of `tail_`, so no producer can claim a
// position after it (the CAS fails on the changed word) and the receiver knows exactly which
// positions were claimed: close_receiver() returns that bound, and the receiver drains up to
// it (a claimed cell may still be being written; it waits for it).
//
// Sequences count in half steps: a cell is free for the push at position p when its sequence is
// 2p, holds that push's value at 2p + 1. Vyukov's whole steps (p, p + 1) cannot tell "full at
// p" from "free for p + 1" when the capacity is 1 (a loop of size 1), and a second push then
// overwrote the first value.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <thread>
#include <utility>

#include "cache_line.h"
#include "invariant.h"

namespace iob {

template <typename T>
class BoundedMpsc {
 public:
  enum class Push { kOk, kFull, kClosed };

  // `capacity` must be a power of two.
  explicit BoundedMpsc(size_t capacity) : cells_(new Cell[capacity]), mask_(capacity - 1) {
    check_invariant(capacity > 0 && (capacity & (capacity - 1)) == 0,
                    "queue capacity must be a power of two");
    for (size_t i = 0; i < capacity; ++i) {
      cells_[i].sequence.store(2 * i, std::memory_order_relaxed);
    }
  }

  size_t capacity() const { return mask_ + 1; }

  struct Pushed {
    Push result;
    size_t count;  // values moved in: at least 1 with kOk, 0 otherwise
  };

  // Claims as many of the free cells from the tail on as there are `values` (all of them, or
  // as many as are free) with one CAS, moves that many values in, in order, and publishes each
  // cell as it is written. Returns kOk with that count, or kFull / kClosed with 0, leaving the
  // values it did not take untouched.
  Pushed try_push_n(std::span<T> values) {
    uint64_t position = tail_.load(std::memory_order_relaxed);
    for (;;) {
      if ((position & kClosedBit) != 0) {
        return {Push::kClosed, 0};
      }
      // The free run from `position`: a cell is free for the push at p when its sequence is
      // 2p. It cannot pass the capacity: the cell after the last is the first again, whose
      // sequence is 2 * position then.
      size_t free = 0;
      int64_t turn = 0;
      for (; free < values.size(); ++free) {
        const uint64_t at = position + free;
        const uint64_t sequence = cells_[at & mask_].sequence.load(std::memory_order_acquire);
        turn = static_cast<int64_t>(sequence - 2 * at);
        if (turn != 0) {
          break;
        }
      }
      if (free > 0) {
        // The run stays free until the tail moves past it, so the CAS claims all of it; a
        // failed CAS (another producer, or the close) reloads `position` and looks again.
        if (tail_.compare_exchange_weak(position, position + free, std::memory_order_relaxed)) {
          for (size_t i = 0; i < free; ++i) {
            Cell& cell = cells_[(position + i) & mask_];
            cell.value = std::move(values[i]);
            cell.sequence.store(2 * (position + i) + 1, std::memory_order_release);
          }
          return {Push::kOk, free};
        }
      } else if (turn < 0) {
        return {Push::kFull, 0};
      } else {
        position = tail_.load(std::memory_order_relaxed);
      }
    }
  }

  // Moves `value` in and returns kOk, or leaves it untouched and returns kFull / kClosed.
  Push try_push(T& value) { return try_push_n(std::span<T>(&value, 1)).result; }

  // Whether a push could succeed now (or would fail as closed): for producers deciding to
  // sleep. Another producer may take the space first, so a push can still find it full.
  bool has_space_or_closed() const {
    const uint64_t position = tail_.load(std::memory_order_acquire);
    if ((position & kClosedBit) != 0) {
      return true;
    }
    const uint64_t sequence = cells_[position & mask_].sequence.load(std::memory_order_acquire);
    return static_cast<int64_t>(sequence - 2 * position) >= 0;
  }

  // Consumer only. Hands the next value, in its cell, to use(T&), then frees the cell; returns
  // false, calling nothing, when the next cell is empty or still being written. The value is
  // used where the producer wrote it instead of being moved out first; whatever `use` leaves in
  // it stays there until the cell's next push overwrites it.
  template <typename Use>
  bool try_pop_with(Use&& use) {
    Cell& cell = cells_[head_ & mask_];
    if (cell.sequence.load(std::memory_order_acquire) != 2 * head_ + 1) {
      return false;
    }
    use(cell.value);
    cell.sequence.store(2 * (head_ + mask_ + 1), std::memory_order_release);
    ++head_;
    return true;
  }

  // Consumer only: moves the next value into `out`; false when there is none (see try_pop_with).
  bool try_pop(T& out) {
    return try_pop_with([&](T& value) { out = std::move(value); });
  }

  // Consumer only: whether the next cell holds no finished push (empty, or still being written).
  bool next_empty() const {
    return cells_[head_ & mask_].sequence.load(std::memory_order_acquire) != 2 * head_ + 1;
  }

  // Consumer only: stops all further pushes, then hands every value already claimed to `take`.
  template <typename Take>
  void close_receiver(Take&& take) {
    const uint64_t end = tail_.fetch_or(kClosedBit, std::memory_order_acq_rel) & ~kClosedBit;
    while (head_ != end) {
      if (!try_pop_with([&](T& value) { take(std::move(value)); })) {
        std::this_thread::yield();  // a producer claimed this cell and is still writing it
      }
    }
  }

  bool receiver_closed() const { return (tail_.load(std::memory_order_acquire) & kClosedBit) != 0; }

 private:
  static constexpr uint64_t kClosedBit = uint64_t{1} << 63;

  // Each cell starts a cache line and fills whole lines, so a producer writing one cell never
  // invalidates the line of a neighbouring cell the consumer is reading (for Op: 8 + 88 bytes
  // in two lines, where unaligned 96-byte cells straddled lines they shared).
  struct alignas(kCacheLineSize) Cell {
    std::atomic<uint64_t> sequence{0};
    T value{};
  };

  std::unique_ptr<Cell[]> cells_;
  const uint64_t mask_;
  alignas(kCacheLineSize) std::atomic<uint64_t> tail_{0};
  alignas(kCacheLineSize) uint64_t head_ = 0;
};

}  // namespace iob
