#include "uring_names.h"

#include <string.h>

namespace iob {

namespace {

// The comment on each row is the number of its first name.

// IORING_SETUP_* in bit order (include/uapi/linux/io_uring.h).
constexpr std::string_view kSetupFlags[] = {
    "IOPOLL",        "SQPOLL",        "SQ_AFF",     "CQSIZE",              // 0
    "CLAMP",         "ATTACH_WQ",     "R_DISABLED", "SUBMIT_ALL",          // 4
    "COOP_TASKRUN",  "TASKRUN_FLAG",  "SQE128",     "CQE32",               // 8
    "SINGLE_ISSUER", "DEFER_TASKRUN", "NO_MMAP",    "REGISTERED_FD_ONLY",  // 12
    "NO_SQARRAY",    "HYBRID_IOPOLL", "CQE_MIXED",  "SQE_MIXED",           // 16
    "SQ_REWIND",                                                           // 20
};

// IORING_FEAT_* in bit order.
constexpr std::string_view kFeatures[] = {
    "SINGLE_MMAP",     "NODROP",         "SUBMIT_STABLE",   "RW_CUR_POS",       // 0
    "CUR_PERSONALITY", "FAST_POLL",      "POLL_32BITS",     "SQPOLL_NONFIXED",  // 4
    "EXT_ARG",         "NATIVE_WORKERS", "RSRC_TAGS",       "CQE_SKIP",         // 8
    "LINKED_FILE",     "REG_REG_RING",   "RECVSEND_BUNDLE", "MIN_TIMEOUT",      // 12
    "RW_ATTR",         "NO_IOWAIT",                                             // 16
};

// IORING_OP_* in enum order.
constexpr std::string_view kOpcodes[] = {
    "NOP",
    "READV",
    "WRITEV",
    "FSYNC",  // 0
    "READ_FIXED",
    "WRITE_FIXED",
    "POLL_ADD",
    "POLL_REMOVE",  // 4
    "SYNC_FILE_RANGE",
    "SENDMSG",
    "RECVMSG",
    "TIMEOUT",  // 8
    "TIMEOUT_REMOVE",
    "ACCEPT",
    "ASYNC_CANCEL",
    "LINK_TIMEOUT",  // 12
    "CONNECT",
    "FALLOCATE",
    "OPENAT",
    "CLOSE",  // 16
    "FILES_UPDATE",
    "STATX",
    "READ",
    "WRITE",  // 20
    "FADVISE",
    "MADVISE",
    "SEND",
    "RECV",  // 24
    "OPENAT2",
    "EPOLL_CTL",
    "SPLICE",
    "PROVIDE_BUFFERS",  // 28
    "REMOVE_BUFFERS",
    "TEE",
    "SHUTDOWN",
    "RENAMEAT",  // 32
    "UNLINKAT",
    "MKDIRAT",
    "SYMLINKAT",
    "LINKAT",  // 36
    "MSG_RING",
    "FSETXATTR",
    "SETXATTR",
    "FGETXATTR",  // 40
    "GETXATTR",
    "SOCKET",
    "URING_CMD",
    "SEND_ZC",  // 44
    "SENDMSG_ZC",
    "READ_MULTISHOT",
    "WAITID",
    "FUTEX_WAIT",  // 48
    "FUTEX_WAKE",
    "FUTEX_WAITV",
    "FIXED_FD_INSTALL",
    "FTRUNCATE",  // 52
    "BIND",
    "LISTEN",
    "RECV_ZC",
    "EPOLL_WAIT",  // 56
    "READV_FIXED",
    "WRITEV_FIXED",
    "PIPE",
    "NOP128",        // 60
    "URING_CMD128",  // 64
};

// IORING_REGISTER_* / IORING_UNREGISTER_* in enum order.
constexpr std::string_view kRegisterOps[] = {
    "REGISTER_BUFFERS",        "UNREGISTER_BUFFERS",         // 0
    "REGISTER_FILES",          "UNREGISTER_FILES",           // 2
    "REGISTER_EVENTFD",        "UNREGISTER_EVENTFD",         // 4
    "REGISTER_FILES_UPDATE",   "REGISTER_EVENTFD_ASYNC",     // 6
    "REGISTER_PROBE",          "REGISTER_PERSONALITY",       // 8
    "UNREGISTER_PERSONALITY",  "REGISTER_RESTRICTIONS",      // 10
    "REGISTER_ENABLE_RINGS",   "REGISTER_FILES2",            // 12
    "REGISTER_FILES_UPDATE2",  "REGISTER_BUFFERS2",          // 14
    "REGISTER_BUFFERS_UPDATE", "REGISTER_IOWQ_AFF",          // 16
    "UNREGISTER_IOWQ_AFF",     "REGISTER_IOWQ_MAX_WORKERS",  // 18
    "REGISTER_RING_FDS",       "UNREGISTER_RING_FDS",        // 20
    "REGISTER_PBUF_RING",      "UNREGISTER_PBUF_RING",       // 22
    "REGISTER_SYNC_CANCEL",    "REGISTER_FILE_ALLOC_RANGE",  // 24
    "REGISTER_PBUF_STATUS",    "REGISTER_NAPI",              // 26
    "UNREGISTER_NAPI",         "REGISTER_CLOCK",             // 28
    "REGISTER_CLONE_BUFFERS",  "REGISTER_SEND_MSG_RING",     // 30
    "REGISTER_ZCRX_IFQ",       "REGISTER_RESIZE_RINGS",      // 32
    "REGISTER_MEM_REGION",     "REGISTER_QUERY",             // 34
    "REGISTER_ZCRX_CTRL",      "REGISTER_BPF_FILTER",        // 36
};

constexpr NameTable kSetupFlagTable(kSetupFlags, "bit");
constexpr NameTable kFeatureTable(kFeatures, "bit");
constexpr NameTable kOpcodeTable(kOpcodes, "op");
constexpr NameTable kRegisterOpTable(kRegisterOps, "register_op");

}  // namespace

std::string NameTable::name(uint32_t number) const {
  if (known(number)) {
    return std::string(names_[number]);
  }
  return std::string(unknown_prefix_) + std::to_string(number);
}

std::vector<std::string> NameTable::bit_names(uint64_t mask) const {
  std::vector<std::string> out;
  for (uint32_t bit = 0; bit < 64; ++bit) {
    if ((mask & (uint64_t{1} << bit)) != 0) {
      out.push_back(name(bit));
    }
  }
  return out;
}

std::string NameTable::describe_bits(uint64_t mask) const {
  if (mask == 0) {
    return "none";
  }
  std::string out;
  for (const std::string& bit_name : bit_names(mask)) {
    if (!out.empty()) {
      out += '|';
    }
    out += bit_name;
  }
  return out;
}

const NameTable& setup_flag_names() { return kSetupFlagTable; }
const NameTable& feature_names() { return kFeatureTable; }
const NameTable& opcode_names() { return kOpcodeTable; }
const NameTable& register_op_names() { return kRegisterOpTable; }

std::string describe_setup_flags(uint32_t flags) { return kSetupFlagTable.describe_bits(flags); }

std::string errno_name(int error) {
  const char* name = strerrorname_np(error);
  return name != nullptr ? name : "E" + std::to_string(error);
}

}  // namespace iob
