// The kernel interfaces the loop's wake mechanisms and ring knobs use that are newer than the
// headers this builds against (Debian's liburing 2.3 and linux-libc-dev stop at Linux 6.1).
// Guarded, so newer headers win; enum values get names of our own. Values: linux
// include/uapi/linux/io_uring.h and futex.h.
#pragma once

#include <linux/futex.h>

#include <cstdint>

#ifndef FUTEX2_SIZE_U32
#define FUTEX2_SIZE_U32 0x02  // 6.7
#endif
#ifndef FUTEX2_PRIVATE
#define FUTEX2_PRIVATE FUTEX_PRIVATE_FLAG  // 6.7
#endif
#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)  // 6.2: the notification says if data was copied
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)  // 6.2: in a notification's res
#endif
#ifndef IORING_SETUP_NO_SQARRAY
#define IORING_SETUP_NO_SQARRAY (1U << 16)  // 6.6
#endif

namespace iob::loop_uapi {

// IORING_OP_FUTEX_WAIT (enum io_uring_op), Linux 6.7.
inline constexpr uint8_t kOpFutexWait = 51;
// IORING_REGISTER_SEND_MSG_RING (io_uring_register opcode, fd -1), Linux 6.13.
inline constexpr unsigned kRegisterSendMsgRing = 31;

}  // namespace iob::loop_uapi
