#include "harness/ops.h"

#include <errno.h>
#include <linux/time_types.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "clock.h"
#include "loop/ring_memory.h"
#include "loop/uapi.h"

namespace iob {

void prep_timer(io_uring_sqe& sqe, Resources& resources, std::chrono::nanoseconds duration) {
  Buffer& buffer = resources_of(resources).buffer;
  if (buffer.size() < sizeof(__kernel_timespec)) {
    buffer = Buffer(sizeof(__kernel_timespec));
  }
  auto* ts = new (buffer.data()) __kernel_timespec(to_kernel_timespec(duration));
  // Lifetime: the timespec is in the op's buffer, which the op owns until it ends.
  io_uring_prep_timeout(&sqe, ts, 0, 0);
}

Buffer& buffer_for(Resources& resources, const SharedFd& fd, size_t size) {
  OpResources& owned = resources_of(resources);
  if (owned.buffer.size() < size) {
    owned.buffer = Buffer(size);
  }
  if (owned.fd != fd) {
    owned.fd = fd;
  }
  return owned.buffer;
}

void prep_read(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, size_t length,
               uint64_t offset) {
  Buffer& buffer = buffer_for(resources, fd, length);
  // Lifetime: the buffer and the fd handle travel with the op until its CQE is handled.
  io_uring_prep_read(&sqe, fd->get(), buffer.data(), static_cast<unsigned>(length), offset);
}

void prep_write(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, size_t length,
                uint64_t offset) {
  Buffer& buffer = buffer_for(resources, fd, length);
  io_uring_prep_write(&sqe, fd->get(), buffer.data(), static_cast<unsigned>(length), offset);
}

std::vector<Buffer>& vectored_for(Resources& resources, const SharedFd& fd, size_t count,
                                  size_t each) {
  OpResources& owned = resources_of(resources);
  if (owned.vectored.size() != count || owned.vectored.front().size() < each) {
    owned.vectored.clear();
    owned.iovecs = std::make_unique<iovec[]>(count);
    for (size_t i = 0; i < count; ++i) {
      owned.vectored.emplace_back(each);
      owned.iovecs[i] = iovec{owned.vectored[i].data(), each};
    }
  }
  if (owned.fd != fd) {
    owned.fd = fd;
  }
  return owned.vectored;
}

void prep_writev(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, uint64_t offset) {
  OpResources& owned = resources_of(resources);
  // Lifetime: the iovec array and the buffers it points at are the op's own (the waiter keeps
  // them until the CQE, as the seed's Waiter keeps its iovecs), never the requester's stack.
  io_uring_prep_writev(&sqe, fd->get(), owned.iovecs.get(),
                       static_cast<unsigned>(owned.vectored.size()), offset);
}

void prep_read_fixed(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, Buffer& buffer,
                     uint32_t index, size_t length, uint64_t offset) {
  resources_of(resources).fd = fd;
  io_uring_prep_read_fixed(&sqe, fd->get(), buffer.data(), static_cast<unsigned>(length), offset,
                           static_cast<int>(index));
}

void prep_write_fixed(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, Buffer& buffer,
                      uint32_t index, size_t length, uint64_t offset) {
  resources_of(resources).fd = fd;
  io_uring_prep_write_fixed(&sqe, fd->get(), buffer.data(), static_cast<unsigned>(length), offset,
                            static_cast<int>(index));
}

void prep_fsync(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd) {
  OpResources& owned = resources_of(resources);
  if (owned.fd != fd) {
    owned.fd = fd;
  }
  io_uring_prep_fsync(&sqe, fd->get(), 0);
}

void prep_send(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, size_t length) {
  Buffer& buffer = buffer_for(resources, fd, length);
  io_uring_prep_send(&sqe, fd->get(), buffer.data(), length, MSG_WAITALL | MSG_NOSIGNAL);
}

void prep_send_zc(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, size_t length,
                  bool report_usage) {
  Buffer& buffer = buffer_for(resources, fd, length);
  io_uring_prep_send_zc(&sqe, fd->get(), buffer.data(), length, MSG_WAITALL | MSG_NOSIGNAL,
                        report_usage ? IORING_SEND_ZC_REPORT_USAGE : 0);
}

namespace {

bool ask_send_zc_reports_usage() {
  io_uring ring{};
  if (io_uring_queue_init(2, &ring, 0) < 0) {
    return false;
  }
  ring_mapped(ring);
  int ends[2];
  bool reports = false;
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) == 0) {
    char byte = 0;
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    io_uring_prep_send_zc(sqe, ends[0], &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL,
                          IORING_SEND_ZC_REPORT_USAGE);
    io_uring_cqe* cqe = nullptr;
    if (io_uring_submit_and_wait(&ring, 1) == 1 && io_uring_wait_cqe(&ring, &cqe) == 0) {
      reports = cqe->res != -EINVAL;
    }
    ::close(ends[0]);
    ::close(ends[1]);
  }
  exit_ring(ring);
  return reports;
}

}  // namespace

bool send_zc_reports_usage() {
  static const bool reports = ask_send_zc_reports_usage();
  return reports;
}

void prep_recv(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, size_t length) {
  Buffer& buffer = buffer_for(resources, fd, length);
  io_uring_prep_recv(&sqe, fd->get(), buffer.data(), length, MSG_WAITALL);
}

Op make_recv(SharedFd fd, size_t length) {
  Op op;
  Buffer& buffer = buffer_for(op.resources, fd, length);
  io_uring_prep_recv(&op.sqe, fd->get(), buffer.data(), length, 0);
  return op;
}

Op make_write(SharedFd fd, std::string_view data) {
  Op op;
  Buffer& buffer = buffer_for(op.resources, fd, data.size());
  std::memcpy(buffer.data(), data.data(), data.size());
  // Offset -1: the file's current position, as write(2) does (sockets and pipes ignore it).
  io_uring_prep_write(&op.sqe, fd->get(), buffer.data(), data.size(), -1);
  return op;
}

}  // namespace iob
