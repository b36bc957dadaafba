// Rings come and go at the same addresses. liburing (2.3, built without libc) maps and unmaps a
// ring with raw system calls that TSan does not see, so when a new ring is mapped where a torn
// down one was, TSan takes the new ring's first accesses for races with the old ring's, made by
// a thread that never touched the new one. Under TSan, a teardown releases each page of the
// ring's mappings and a new ring acquires each page of its own: whatever was done to a page of a
// ring happens before anything done to a ring later mapped over that page, as the kernel's unmap
// and map guarantee, and nothing else is ordered.
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace iob {

#if defined(__SANITIZE_THREAD__)
// Calls `each` with the address of every page of the ring's SQ ring, CQ ring and SQE array.
template <typename Each>
void for_each_ring_page(const io_uring& ring, Each&& each) {
  constexpr uintptr_t kPage = 4096;
  const auto pages = [&](const void* start, size_t bytes) {
    const auto first = reinterpret_cast<uintptr_t>(start) & ~(kPage - 1);
    for (uintptr_t page = first; page < reinterpret_cast<uintptr_t>(start) + bytes; page += kPage) {
      each(reinterpret_cast<void*>(page));
    }
  };
  pages(ring.sq.ring_ptr, ring.sq.ring_sz);
  if (ring.cq.ring_ptr != ring.sq.ring_ptr) {
    pages(ring.cq.ring_ptr, ring.cq.ring_sz);
  }
  const size_t sqe_size = (ring.flags & IORING_SETUP_SQE128) != 0 ? 128 : 64;
  pages(ring.sq.sqes, ring.sq.ring_entries * sqe_size);
}
#endif

// Call once `ring` is mapped (io_uring_queue_init or io_uring_queue_mmap succeeded).
inline void ring_mapped([[maybe_unused]] const io_uring& ring) {
#if defined(__SANITIZE_THREAD__)
  for_each_ring_page(ring, [](void* page) { __tsan_acquire(page); });
#endif
}

// Tears down a ring made by io_uring_queue_init (or mapped by io_uring_queue_mmap).
inline void exit_ring(io_uring& ring) {
#if defined(__SANITIZE_THREAD__)
  for_each_ring_page(ring, [](void* page) { __tsan_release(page); });
#endif
  io_uring_queue_exit(&ring);
}

}  // namespace iob
