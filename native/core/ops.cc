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
  op.resources.buffer = Buffer(sizeof(__kernel_timespec));
  auto* ts = new (op.resources.buffer.data()) __kernel_timespec{};
  ts->tv_sec = duration.count() / 1'000'000'000;
  ts->tv_nsec = duration.count() % 1'000'000'000;
  io_uring_prep_timeout(&op.sqe, ts, 0, 0);
  return op;
}

Op make_recv(SharedFd fd, size_t length) {
  Op op;
  op.resources.buffer = Buffer(length);
  io_uring_prep_recv(&op.sqe, fd->get(), op.resources.buffer.data(), length, 0);
  op.resources.fd = std::move(fd);
  return op;
}

Op make_write(SharedFd fd, std::string_view data) {
  Op op;
  op.resources.buffer = Buffer(data.size());
  std::memcpy(op.resources.buffer.data(), data.data(), data.size());
  // Offset -1: the file's current position, as write(2) does (sockets and pipes ignore it).
  io_uring_prep_write(&op.sqe, fd->get(), op.resources.buffer.data(), data.size(), -1);
  op.resources.fd = std::move(fd);
  return op;
}

}  // namespace iob
