#include "uring_names.h"

#include <string.h>

#include <iterator>

namespace iob {

namespace {

// IORING_SETUP_* in bit order (include/uapi/linux/io_uring.h).
constexpr const char* kSetupFlagNames[] = {
    "IOPOLL",        "SQPOLL",         "SQ_AFF",       "CQSIZE",
    "CLAMP",         "ATTACH_WQ",      "R_DISABLED",   "SUBMIT_ALL",
    "COOP_TASKRUN",  "TASKRUN_FLAG",   "SQE128",       "CQE32",
    "SINGLE_ISSUER", "DEFER_TASKRUN",  "NO_MMAP",      "REGISTERED_FD_ONLY",
    "NO_SQARRAY",    "HYBRID_IOPOLL",  "CQE_MIXED",    "SQE_MIXED",
    "SQ_REWIND",
};

}  // namespace

std::string describe_setup_flags(uint32_t flags) {
  if (flags == 0) {
    return "none";
  }
  std::string out;
  for (uint32_t bit = 0; bit < 32; ++bit) {
    if ((flags & (1u << bit)) == 0) {
      continue;
    }
    if (!out.empty()) {
      out += '|';
    }
    out += bit < std::size(kSetupFlagNames) ? kSetupFlagNames[bit] : "bit" + std::to_string(bit);
  }
  return out;
}

std::string errno_name(int error) {
  const char* name = strerrorname_np(error);
  return name != nullptr ? name : "E" + std::to_string(error);
}

}  // namespace iob
