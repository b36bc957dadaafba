// Builders for the ops the tool runs. Each returns an Op whose SQE points only into resources
// the Op owns, so it may be moved into the loop and outlive its requester's stack.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "op.h"

namespace iob {

// IORING_OP_NOP.
Op make_nop();

// IORING_OP_TIMEOUT of `duration`; ends with -ETIME when the timer expires. The timespec lives
// in the op's buffer (allocated on first use, reused after).
Op make_timer(std::chrono::nanoseconds duration);
void prep_timer(io_uring_sqe& sqe, Resources& resources, std::chrono::nanoseconds duration);

// IORING_OP_RECV of up to `length` bytes into the op's buffer.
Op make_recv(SharedFd fd, size_t length);

// IORING_OP_WRITE of `data` (copied into the op's buffer) at the current file position.
Op make_write(SharedFd fd, std::string_view data);

}  // namespace iob
