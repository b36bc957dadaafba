#include "harness/buffer_ring.h"

#include <sys/mman.h>

#include <new>

#include "invariant.h"

namespace iob {

BufferRing::BufferRing(uint32_t count, uint32_t size)
    : count_(count), size_(size), buffers_(size_t{count} * size) {
  check_invariant(count > 0 && count <= 32768 && (count & (count - 1)) == 0,
                  "a buffer ring holds a power of two of buffers, at most 32768");
  // The kernel wants the ring page-aligned; anonymous pages are, and start zeroed.
  void* memory = ::mmap(nullptr, count * sizeof(io_uring_buf), PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) {
    throw std::bad_alloc();
  }
  ring_ = static_cast<io_uring_buf_ring*>(memory);
  io_uring_buf_ring_init(ring_);
  const int mask = io_uring_buf_ring_mask(count_);
  for (uint32_t id = 0; id < count_; ++id) {
    io_uring_buf_ring_add(ring_, buffers_.data() + size_t{id} * size_, size_,
                          static_cast<uint16_t>(id), mask, static_cast<int>(id));
  }
  io_uring_buf_ring_advance(ring_, static_cast<int>(count_));
}

BufferRing::~BufferRing() { ::munmap(ring_, count_ * sizeof(io_uring_buf)); }

void BufferRing::give_back(uint16_t id) {
  check_invariant(id < count_, "a CQE named a buffer its ring does not have");
  io_uring_buf_ring_add(ring_, buffers_.data() + size_t{id} * size_, size_, id,
                        io_uring_buf_ring_mask(count_), 0);
  // Publishes the slot with a release store of the tail, which the kernel reads.
  io_uring_buf_ring_advance(ring_, 1);
}

}  // namespace iob
