// io_uring constants and structures newer than the headers this builds against. Debian
// bookworm's liburing 2.3 (which carries its own io_uring.h) and linux-libc-dev stop at
// Linux 6.1; the probe must still try what newer kernels offer. Macros are guarded so newer
// headers win; enum values and structures the old headers lack get names of our own, so they
// cannot collide with a newer header's.
//
// Values: axboe/liburing src/include/liburing/io_uring.h and io_uring/query.h.
#pragma once

#include <liburing.h>

#include <cstdint>

#include "loop/uapi.h"  // the constants the loop uses as well (IORING_SETUP_NO_SQARRAY)

#ifndef IORING_SETUP_NO_MMAP
#define IORING_SETUP_NO_MMAP (1U << 14)  // 6.5
#endif
#ifndef IORING_SETUP_REGISTERED_FD_ONLY
#define IORING_SETUP_REGISTERED_FD_ONLY (1U << 15)  // 6.5
#endif
#ifndef IORING_SETUP_HYBRID_IOPOLL
#define IORING_SETUP_HYBRID_IOPOLL (1U << 17)  // 6.13
#endif
#ifndef IORING_SETUP_CQE_MIXED
#define IORING_SETUP_CQE_MIXED (1U << 18)  // 6.18
#endif
#ifndef IORING_SETUP_SQE_MIXED
#define IORING_SETUP_SQE_MIXED (1U << 19)  // 6.19
#endif
#ifndef IORING_SETUP_SQ_REWIND
#define IORING_SETUP_SQ_REWIND (1U << 20)  // 7.0
#endif

namespace iob::uring_compat {

// io_uring_register opcodes (an enum in the headers, so not guardable).
inline constexpr unsigned kRegisterQuery = 35;  // IORING_REGISTER_QUERY, 6.18
// IORING_REGISTER_USE_REGISTERED_RING, 6.3: the fd argument is a registered ring index.
inline constexpr unsigned kUseRegisteredRing = 1U << 31;

// struct io_uring_query_hdr (io_uring/query.h).
struct QueryHeader {
  uint64_t next_entry;
  uint64_t query_data;
  uint32_t query_op;
  uint32_t size;
  int32_t result;
  uint32_t reserved[3];
};

// IO_URING_QUERY_OPCODES and its answer, struct io_uring_query_opcode. A kernel whose answer is
// shorter than this leaves the tail zero.
inline constexpr uint32_t kQueryOpcodes = 0;
struct QueryOpcodes {
  uint32_t nr_request_opcodes;
  uint32_t nr_register_opcodes;
  uint64_t feature_flags;
  uint64_t ring_setup_flags;
  uint64_t enter_flags;
  uint64_t sqe_flags;
  uint32_t nr_query_opcodes;
  uint32_t pad;
};

// The ring memory a NO_MMAP ring lives in: the last field of io_sqring_offsets and
// io_cqring_offsets, `resv2` in the 2.3 headers and `user_addr` from 6.5 on.
template <typename Offsets>
void set_user_addr(Offsets& offsets, uint64_t address) {
  if constexpr (requires { offsets.user_addr; }) {
    offsets.user_addr = address;
  } else {
    offsets.resv2 = address;
  }
}

}  // namespace iob::uring_compat
