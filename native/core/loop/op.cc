#include "loop/op.h"

#include <new>

namespace iob {

Buffer::Buffer(size_t size) : size_(size) {
  if (size == 0) {
    return;
  }
  void* memory = nullptr;
  // Rounded up so the allocation is a whole number of alignment units (aligned_alloc's rule).
  const size_t rounded = (size + kAlignment - 1) / kAlignment * kAlignment;
  memory = std::aligned_alloc(kAlignment, rounded);
  if (memory == nullptr) {
    throw std::bad_alloc();
  }
  data_.reset(static_cast<std::byte*>(memory));
}

}  // namespace iob
