#include "ops.h"

#include <linux/time_types.h>

#include <cstring>
#include <utility>

namespace iob {

Op make_nop() {
  Op op;
  io_uring_prep_nop(&op.sqe);
  return op;
}

Op make_timer(std::chrono::nanoseconds duration) {
  Op op;
  prep_timer(op.sqe, op.resources, duration);
  return op;
}

void prep_timer(io_uring_sqe& sqe, Resources& resources, std::chrono::nanoseconds duration) {
  Buffer& buffer = resources_of(resources).buffer;
  if (buffer.size() < sizeof(__kernel_timespec)) {
    buffer = Buffer(sizeof(__kernel_timespec));
  }
  auto* ts = new (buffer.data()) __kernel_timespec{};
  ts->tv_sec = duration.count() / 1'000'000'000;
  ts->tv_nsec = duration.count() % 1'000'000'000;
  // Lifetime: the timespec is in the op's buffer, which the op owns until it ends.
  io_uring_prep_timeout(&sqe, ts, 0, 0);
}

Op make_recv(SharedFd fd, size_t length) {
  Op op;
  OpResources& resources = resources_of(op.resources);
  resources.buffer = Buffer(length);
  io_uring_prep_recv(&op.sqe, fd->get(), resources.buffer.data(), length, 0);
  resources.fd = std::move(fd);
  return op;
}

Op make_write(SharedFd fd, std::string_view data) {
  Op op;
  OpResources& resources = resources_of(op.resources);
  resources.buffer = Buffer(data.size());
  std::memcpy(resources.buffer.data(), data.data(), data.size());
  // Offset -1: the file's current position, as write(2) does (sockets and pipes ignore it).
  io_uring_prep_write(&op.sqe, fd->get(), resources.buffer.data(), data.size(), -1);
  resources.fd = std::move(fd);
  return op;
}

}  // namespace iob
