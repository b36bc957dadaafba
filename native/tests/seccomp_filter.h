// A seccomp filter under which chosen system calls fail with a chosen errno and every other call
// is allowed: what a container runtime's default profile does to io_uring. The probe's tests and
// the seccomp-exec tool install it to show, on a real kernel, that the probe names seccomp as
// the cause. Nothing in the loop or the addon uses it.
#pragma once

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>

#include <span>
#include <vector>

namespace iob {

#if defined(__x86_64__)
inline constexpr unsigned kSeccompAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
inline constexpr unsigned kSeccompAuditArch = AUDIT_ARCH_AARCH64;
#else
inline constexpr unsigned kSeccompAuditArch =
    0;  // unsupported: refuse_syscalls_with_seccomp says ENOSYS
#endif

// Installs the filter on the calling thread (and what it execs): each of `syscalls` fails with
// `error`. Sets NO_NEW_PRIVS first, without which only CAP_SYS_ADMIN may install a filter.
// Returns 0, or the errno of the prctl that failed.
inline int refuse_syscalls_with_seccomp(std::span<const int> syscalls, int error) {
  if (kSeccompAuditArch == 0) {
    return ENOSYS;
  }
  std::vector<sock_filter> filter = {
      // Calls of another ABI (e.g. 32-bit) have other numbers: let them through untouched.
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kSeccompAuditArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
  };
  for (const int syscall : syscalls) {
    filter.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(syscall), 0, 1));
    filter.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (error & SECCOMP_RET_DATA)));
  }
  filter.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  sock_fprog program{static_cast<unsigned short>(filter.size()), filter.data()};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
    return errno;
  }
  return 0;
}

}  // namespace iob
