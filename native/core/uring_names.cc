#include "uring_names.h"

#include <string.h>

namespace iob {

namespace {

// IORING_SETUP_* in bit order (include/uapi/linux/io_uring.h).
constexpr std::string_view kSetupFlags[] = {
    "IOPOLL",        "SQPOLL",         "SQ_AFF",       "CQSIZE",
    "CLAMP",         "ATTACH_WQ",      "R_DISABLED",   "SUBMIT_ALL",
    "COOP_TASKRUN",  "TASKRUN_FLAG",   "SQE128",       "CQE32",
    "SINGLE_ISSUER", "DEFER_TASKRUN",  "NO_MMAP",      "REGISTERED_FD_ONLY",
    "NO_SQARRAY",    "HYBRID_IOPOLL",  "CQE_MIXED",    "SQE_MIXED",
    "SQ_REWIND",
};

// IORING_FEAT_* in bit order.
constexpr std::string_view kFeatures[] = {
    "SINGLE_MMAP",     "NODROP",          "SUBMIT_STABLE", "RW_CUR_POS",
    "CUR_PERSONALITY", "FAST_POLL",       "POLL_32BITS",   "SQPOLL_NONFIXED",
    "EXT_ARG",         "NATIVE_WORKERS",  "RSRC_TAGS",     "CQE_SKIP",
    "LINKED_FILE",     "REG_REG_RING",    "RECVSEND_BUNDLE", "MIN_TIMEOUT",
    "RW_ATTR",         "NO_IOWAIT",
};

// IORING_OP_* in enum order.
constexpr std::string_view kOpcodes[] = {
    "NOP",            "READV",           "WRITEV",          "FSYNC",
    "READ_FIXED",     "WRITE_FIXED",     "POLL_ADD",        "POLL_REMOVE",
    "SYNC_FILE_RANGE", "SENDMSG",        "RECVMSG",         "TIMEOUT",
    "TIMEOUT_REMOVE", "ACCEPT",          "ASYNC_CANCEL",    "LINK_TIMEOUT",
    "CONNECT",        "FALLOCATE",       "OPENAT",          "CLOSE",
    "FILES_UPDATE",   "STATX",           "READ",            "WRITE",
    "FADVISE",        "MADVISE",         "SEND",            "RECV",
    "OPENAT2",        "EPOLL_CTL",       "SPLICE",          "PROVIDE_BUFFERS",
    "REMOVE_BUFFERS", "TEE",             "SHUTDOWN",        "RENAMEAT",
    "UNLINKAT",       "MKDIRAT",         "SYMLINKAT",       "LINKAT",
    "MSG_RING",       "FSETXATTR",       "SETXATTR",        "FGETXATTR",
    "GETXATTR",       "SOCKET",          "URING_CMD",       "SEND_ZC",
    "SENDMSG_ZC",     "READ_MULTISHOT",  "WAITID",          "FUTEX_WAIT",
    "FUTEX_WAKE",     "FUTEX_WAITV",     "FIXED_FD_INSTALL", "FTRUNCATE",
    "BIND",           "LISTEN",          "RECV_ZC",         "EPOLL_WAIT",
    "READV_FIXED",    "WRITEV_FIXED",    "PIPE",            "NOP128",
    "URING_CMD128",
};

// IORING_REGISTER_* / IORING_UNREGISTER_* in enum order.
constexpr std::string_view kRegisterOps[] = {
    "REGISTER_BUFFERS",        "UNREGISTER_BUFFERS",      "REGISTER_FILES",
    "UNREGISTER_FILES",        "REGISTER_EVENTFD",        "UNREGISTER_EVENTFD",
    "REGISTER_FILES_UPDATE",   "REGISTER_EVENTFD_ASYNC",  "REGISTER_PROBE",
    "REGISTER_PERSONALITY",    "UNREGISTER_PERSONALITY",  "REGISTER_RESTRICTIONS",
    "REGISTER_ENABLE_RINGS",   "REGISTER_FILES2",         "REGISTER_FILES_UPDATE2",
    "REGISTER_BUFFERS2",       "REGISTER_BUFFERS_UPDATE", "REGISTER_IOWQ_AFF",
    "UNREGISTER_IOWQ_AFF",     "REGISTER_IOWQ_MAX_WORKERS", "REGISTER_RING_FDS",
    "UNREGISTER_RING_FDS",     "REGISTER_PBUF_RING",      "UNREGISTER_PBUF_RING",
    "REGISTER_SYNC_CANCEL",    "REGISTER_FILE_ALLOC_RANGE", "REGISTER_PBUF_STATUS",
    "REGISTER_NAPI",           "UNREGISTER_NAPI",         "REGISTER_CLOCK",
    "REGISTER_CLONE_BUFFERS",  "REGISTER_SEND_MSG_RING",  "REGISTER_ZCRX_IFQ",
    "REGISTER_RESIZE_RINGS",   "REGISTER_MEM_REGION",     "REGISTER_QUERY",
    "REGISTER_ZCRX_CTRL",      "REGISTER_BPF_FILTER",
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
