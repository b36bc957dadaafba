// How the loop prepares op timeouts and reads what the ring hands back: the reserved user_data,
// the linked timeout, what a cancelled op means and which io_uring_enter errors are transient.
// The raw baseline (harness/bench.cc) drives its ring with these same rules, so the two systems
// a benchmark compares cannot read a CQE differently.
#pragma once

#include <errno.h>
#include <liburing.h>

#include <cstdint>

#include "loop/uapi.h"

namespace iob {

// Reserved user_data for a linked-timeout CQE.
inline constexpr uint64_t kTimeoutUserData = UINT64_MAX;
// Reserved user_data for a wake poll CQE.
inline constexpr uint64_t kWakeUserData = UINT64_MAX - 1;

// Links a LINK_TIMEOUT of `timeout` to the op in `op_sqe`, in the ring's next SQE (the caller
// made sure there is one). Lifetime: `timeout` must stay valid until the SQEs are submitted.
inline void link_op_timeout(io_uring& ring, io_uring_sqe& op_sqe, __kernel_timespec& timeout) {
  // IO_LINK ties the next SQE, the timeout, to this op.
  op_sqe.flags |= IOSQE_IO_LINK;
  io_uring_sqe* sqe = io_uring_get_sqe(&ring);
  io_uring_prep_link_timeout(sqe, &timeout, 0);
  io_uring_sqe_set_data64(sqe, kTimeoutUserData);
}

// Rewrites an op CQE's result when its linked timeout fired: the timeout cancels the op
// (-ECANCELED), and the requester is told -ETIMEDOUT. True when that happened.
inline bool op_timed_out(int32_t& result, bool has_op_timeout) {
  if (result != -ECANCELED || !has_op_timeout) {
    return false;
  }
  result = -ETIMEDOUT;
  return true;
}

// Whether a zero-copy send's notification (F_NOTIF) says the kernel copied the data after all,
// as it does for a receiver on the same host; only a send that asked (REPORT_USAGE) is told.
inline bool zero_copy_fell_back(int32_t notification_result) {
  return (static_cast<uint32_t>(notification_result) & IORING_NOTIF_USAGE_ZC_COPIED) != 0;
}

// Whether a failed io_uring_enter only means "drain what is there and go round again".
inline bool transient_enter_error(int error) {
  switch (error) {
    case EINTR:   // a signal arrived while waiting
    case EAGAIN:  // the kernel could not allocate request memory right now
    case EBUSY:   // CQ overflow backlog not yet flushed
      return true;
    default:
      return false;
  }
}

}  // namespace iob
