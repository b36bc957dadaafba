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
  // Null while the slot is free.
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

// Every op passes through here twice, so it is written for the hot path: slots are filled and
// freed in place (no waiter is moved in or out whole) and the free list is a fixed stack.
class Waiters {
 public:
  explicit Waiters(size_t capacity) : entries_(capacity), free_(capacity), free_count_(capacity) {
    // Lowest index on top, so the first insert takes slot 0.
    for (size_t i = 0; i < capacity; ++i) {
      free_[i] = static_cast<uint32_t>(capacity - 1 - i);
    }
  }

  size_t size() const { return entries_.size() - free_count_; }
  size_t capacity() const { return entries_.size(); }
  bool empty() const { return free_count_ == entries_.size(); }
  bool full() const { return free_count_ == 0; }

  // Fills a free slot with an op's waiter and returns its index. The caller checks capacity
  // first; inserting into a full store is a bug. `sink` must not be null.
  uint64_t insert(CompletionSink* sink, uint64_t cookie, Resources&& resources, int64_t staged_ns,
                  bool multishot) {
    check_invariant(free_count_ > 0, "waiters should not exceed configured capacity");
    check_invariant(sink != nullptr, "an op needs a sink to end at");
    const uint32_t index = free_[--free_count_];
    Waiter& waiter = entries_[index];
    check_invariant(waiter.sink == nullptr, "free slot should not contain waiter");
    waiter.sink = sink;
    waiter.cookie = cookie;
    waiter.resources = std::move(resources);
    waiter.staged_ns = staged_ns;
    waiter.first_result.reset();
    waiter.multishot = multishot;
    return index;
  }

  Waiter& get(uint64_t slot) { return occupied(slot); }

  // Removes and returns the waiter of `slot`; the slot becomes the next one handed out.
  Waiter remove(uint64_t slot) {
    Waiter waiter = std::move(occupied(slot));
    release(slot);
    return waiter;
  }

  // Frees `slot`, whose waiter the caller has read in place (get()) and taken what it needs
  // from. The slot becomes the next one handed out.
  void release(uint64_t slot) {
    Waiter& waiter = occupied(slot);
    waiter.sink = nullptr;
    waiter.resources.reset();
    free_[free_count_++] = static_cast<uint32_t>(slot);
  }

  // Removes every waiter, passing each to `take` (used when ops are abandoned).
  template <typename Take>
  void remove_all(Take&& take) {
    for (size_t i = 0; i < entries_.size() && !empty(); ++i) {
      if (entries_[i].sink != nullptr) {
        take(remove(i));
      }
    }
  }

 private:
  Waiter& occupied(uint64_t slot) {
    check_invariant(slot < entries_.size() && entries_[slot].sink != nullptr, "missing waiter");
    return entries_[slot];
  }

  std::vector<Waiter> entries_;
  // Free slot indices, a stack: the top free_count_ entries.
  std::vector<uint32_t> free_;
  size_t free_count_;
};

}  // namespace iob
