// The loop's in-flight op store: a flat slot array with a LIFO free list. A slot's index is the
// op's SQE user_data, so a CQE finds its waiter with one array access.
//
// Each occupied slot keeps, until the op's CQE is handled: the sink to tell, the op's resources
// (buffer, iovec array, fd handle) and the linked-timeout timespec, whose address the kernel
// was given in the LINK_TIMEOUT SQE. Slots never move, so that address stays valid.
#pragma once

#include <linux/time_types.h>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "invariant.h"
#include "loop/op.h"

namespace iob {

struct Waiter {
  CompletionSink* sink = nullptr;
  uint64_t cookie = 0;
  Resources resources;
  // Storage for the linked timeout's timespec (used only with an op timeout).
  __kernel_timespec timeout{};
  // With an op timeout: when the loop staged the op, just before handing it to the kernel,
  // which arms the timeout; its deadline is at the earliest this plus the op timeout.
  int64_t staged_ns = 0;
  // An op whose first CQE said more would follow (F_MORE: a SEND_ZC's result before its
  // notification): that result, which the op ends with when its last CQE comes.
  std::optional<int32_t> first_result;
  // Op::multishot: its F_MORE CQEs are results of their own, delivered as they come.
  bool multishot = false;
};

class Waiters {
 public:
  explicit Waiters(size_t capacity) : entries_(capacity) {
    free_.reserve(capacity);
    // Lowest index on top, so the first insert takes slot 0.
    for (size_t i = capacity; i-- > 0;) {
      free_.push_back(static_cast<uint32_t>(i));
    }
  }

  size_t size() const { return size_; }
  size_t capacity() const { return entries_.size(); }
  bool empty() const { return size_ == 0; }
  bool full() const { return size_ == entries_.size(); }

  // Stores a waiter and returns its slot index. The caller checks capacity first; inserting
  // into a full store is a bug.
  uint64_t insert(Waiter&& waiter) {
    check_invariant(!free_.empty(), "waiters should not exceed configured capacity");
    const uint32_t index = free_.back();
    free_.pop_back();
    check_invariant(!entries_[index].has_value(), "free slot should not contain waiter");
    entries_[index].emplace(std::move(waiter));
    ++size_;
    return index;
  }

  Waiter& get(uint64_t slot) { return occupied(slot); }

  // Removes and returns the waiter of `slot`; the slot becomes the next one handed out.
  Waiter remove(uint64_t slot) {
    Waiter waiter = std::move(occupied(slot));
    entries_[slot].reset();
    free_.push_back(static_cast<uint32_t>(slot));
    --size_;
    return waiter;
  }

  // Removes every waiter, passing each to `take` (used when ops are abandoned).
  template <typename Take>
  void remove_all(Take&& take) {
    for (size_t i = 0; i < entries_.size() && size_ > 0; ++i) {
      if (entries_[i].has_value()) {
        take(remove(i));
      }
    }
  }

 private:
  Waiter& occupied(uint64_t slot) {
    check_invariant(slot < entries_.size() && entries_[slot].has_value(), "missing waiter");
    return *entries_[slot];
  }

  std::vector<std::optional<Waiter>> entries_;
  std::vector<uint32_t> free_;
  size_t size_ = 0;
};

}  // namespace iob
