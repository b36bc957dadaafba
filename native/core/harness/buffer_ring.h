// A provided buffer ring (IORING_REGISTER_PBUF_RING, 5.19) and the buffers it hands out. Its
// owner adds every buffer at the start; the kernel takes one for each chunk of data a
// buffer-selecting op (a multishot RECV) receives, and names it in the CQE; the owner reads the
// data and gives the buffer back. The ring and the buffers live in this object, which must
// outlive the io_uring it is registered with.
#pragma once

#include <liburing.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "loop/loop.h"
#include "loop/op.h"

namespace iob {

class BufferRing {
 public:
  // `count` buffers (a power of two, at most 32768) of `size` bytes each, all added.
  BufferRing(uint32_t count, uint32_t size);
  ~BufferRing();
  BufferRing(const BufferRing&) = delete;
  BufferRing& operator=(const BufferRing&) = delete;

  // What the ring to register it with needs, as group `group`.
  BufferRingRegistration registration(uint16_t group) const {
    return BufferRingRegistration{ring_, count_, group};
  }

  // The data a CQE's result put into buffer `id`.
  const std::byte* data(uint16_t id) const { return buffers_.data() + size_t{id} * size_; }
  uint32_t count() const { return count_; }

  // Hands buffer `id` back to the kernel (after its data was read).
  void give_back(uint16_t id);

 private:
  const uint32_t count_;
  const uint32_t size_;
  io_uring_buf_ring* ring_ = nullptr;  // count_ slots in mmap'd pages
  Buffer buffers_;                     // count_ * size_ bytes
};

}  // namespace iob
