// Rings come and go at the same addresses. liburing (2.3, built without libc) maps and unmaps a
// ring with raw system calls that TSan does not see, so when a new ring is mapped where a torn
// down one was, TSan takes the new ring's first accesses for races with the old ring's, made by
// a thread that never touched the new one. Under TSan every teardown releases, and every new
// ring acquires, one sync point: all that was done to a ring happens before anything done to a
// ring mapped after it is gone, which is what the kernel's unmap and map guarantee.
#pragma once

#include <liburing.h>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace iob {

inline char ring_lifetimes_sync;

// Call once a ring is mapped (io_uring_queue_init or io_uring_queue_mmap succeeded).
inline void ring_mapped() {
#if defined(__SANITIZE_THREAD__)
  __tsan_acquire(&ring_lifetimes_sync);
#endif
}

// Tears down a ring made by io_uring_queue_init (or mapped by io_uring_queue_mmap).
inline void exit_ring(io_uring& ring) {
#if defined(__SANITIZE_THREAD__)
  __tsan_release(&ring_lifetimes_sync);
#endif
  io_uring_queue_exit(&ring);
}

}  // namespace iob
