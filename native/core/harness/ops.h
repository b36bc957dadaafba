// Builders for the ops the tool runs. Each prepares an SQE that points only into resources the
// op owns (its buffer, vectored buffers and iovec array, its fd handle), so the op may be moved
// into the loop and outlive its requester's stack. The prep_* forms reuse a slot's resources
// (allocating what is missing the first time); the make_* forms build a fresh Op.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "loop/op.h"

namespace iob {

// IORING_OP_TIMEOUT of `duration`; ends with -ETIME when the timer expires. The timespec lives
// in the op's buffer (allocated on first use, reused after).
void prep_timer(io_uring_sqe& sqe, Resources& resources, std::chrono::nanoseconds duration);

// The op's buffer, at least `size` bytes (reallocated only when too small), with `fd` held.
Buffer& buffer_for(Resources& resources, const SharedFd& fd, size_t size);

// IORING_OP_READ of `length` bytes at `offset` into the op's buffer.
void prep_read(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, size_t length,
               uint64_t offset);
// IORING_OP_WRITE of the first `length` bytes of the op's buffer at `offset` (the caller fills
// them through buffer_for first).
void prep_write(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, size_t length,
                uint64_t offset);
// IORING_OP_WRITEV of the op's vectored buffers at `offset`; the caller sizes and fills them
// through vectored_for first.
void prep_writev(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, uint64_t offset);
// READ_FIXED / WRITE_FIXED of `buffer`, registered with the ring at `index`; the op keeps the fd.
void prep_read_fixed(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, Buffer& buffer,
                     uint32_t index, size_t length, uint64_t offset);
void prep_write_fixed(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, Buffer& buffer,
                      uint32_t index, size_t length, uint64_t offset);
// The op's `count` vectored buffers of `each` bytes and their iovec array, with `fd` held.
std::vector<Buffer>& vectored_for(Resources& resources, const SharedFd& fd, size_t count,
                                  size_t each);
// IORING_OP_FSYNC of the whole file.
void prep_fsync(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd);
// IORING_OP_SEND of the first `length` bytes of the op's buffer; IORING_OP_RECV of `length`
// bytes into it. MSG_WAITALL: a stream socket op ends only with the whole message (or an error).
void prep_send(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, size_t length);
// SEND_ZC: the kernel sends from the buffer itself, and says when it is done with it (F_NOTIF);
// with `report_usage` (send_zc_reports_usage()) the notification also says whether it copied
// the data after all (as it must for a receiver on this host: loopback).
void prep_send_zc(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, size_t length,
                  bool report_usage);
// Whether this kernel's SEND_ZC takes IORING_SEND_ZC_REPORT_USAGE (Linux 6.2). Asked once, of a
// throwaway ring: a kernel without it refuses the flag when it prepares the send (EINVAL); one
// with it gets to the socket, a Unix one, which has no zero-copy (EOPNOTSUPP).
bool send_zc_reports_usage();
void prep_recv(io_uring_sqe& sqe, Resources& resources, const SharedFd& fd, size_t length);

// IORING_OP_RECV of up to `length` bytes into the op's buffer.
Op make_recv(SharedFd fd, size_t length);

// IORING_OP_WRITE of `data` (copied into the op's buffer) at the current file position.
Op make_write(SharedFd fd, std::string_view data);

}  // namespace iob
