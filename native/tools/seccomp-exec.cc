// seccomp-exec: runs a command under a seccomp filter that makes chosen io_uring system calls
// fail with a chosen errno, as a container runtime's default profile does. With it the tests show,
// on the real kernel, that `probe-kernel` names seccomp as the cause (no fake environment).
//
//   seccomp-exec [-e ERRNO] SYSCALL[,SYSCALL...] -- COMMAND [ARG...]
//
// SYSCALL: io_uring_setup, io_uring_enter, io_uring_register. ERRNO: a name (EPERM, the
// default; ENOSYS, ...). Exit status: COMMAND's; 2 on bad usage; 1 when the filter cannot be
// installed; 127 when COMMAND cannot be run.
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "seccomp_filter.h"
#include "uring_names.h"

namespace {

struct NamedSyscall {
  std::string_view name;
  int number;
};

constexpr NamedSyscall kSyscalls[] = {
    {"io_uring_setup", __NR_io_uring_setup},
    {"io_uring_enter", __NR_io_uring_enter},
    {"io_uring_register", __NR_io_uring_register},
};

int usage(const char* problem) {
  std::fprintf(stderr,
               "seccomp-exec: %s\n"
               "usage: seccomp-exec [-e ERRNO] SYSCALL[,SYSCALL...] -- COMMAND [ARG...]\n"
               "SYSCALL: io_uring_setup, io_uring_enter, io_uring_register; ERRNO: EPERM "
               "(default), ENOSYS, ...\n",
               problem);
  return 2;
}

// The errno called `name` ("EPERM"), by the same names the probe prints; 0 if none.
int errno_by_name(std::string_view name) {
  for (int error = 1; error < 4096; ++error) {
    if (iob::errno_name(error) == name) {
      return error;
    }
  }
  return 0;
}

bool parse_syscalls(std::string_view list, std::vector<int>& numbers) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    bool known = false;
    for (const NamedSyscall& syscall : kSyscalls) {
      if (syscall.name == name) {
        numbers.push_back(syscall.number);
        known = true;
      }
    }
    if (!known) {
      return false;
    }
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return !numbers.empty();
}

}  // namespace

int main(int argc, char** argv) {
  int arg = 1;
  int error = EPERM;
  if (arg + 1 < argc && std::strcmp(argv[arg], "-e") == 0) {
    error = errno_by_name(argv[arg + 1]);
    if (error == 0) {
      return usage("unknown errno name");
    }
    arg += 2;
  }
  std::vector<int> syscalls;
  if (arg >= argc || !parse_syscalls(argv[arg], syscalls)) {
    return usage("name the system calls to refuse");
  }
  ++arg;
  if (arg >= argc || std::strcmp(argv[arg], "--") != 0 || arg + 1 >= argc) {
    return usage("give the command after --");
  }
  if (const int failed = iob::refuse_syscalls_with_seccomp(syscalls, error); failed != 0) {
    std::fprintf(stderr, "seccomp-exec: cannot install the filter: %s\n", std::strerror(failed));
    return 1;
  }
  execvp(argv[arg + 1], argv + arg + 1);
  std::fprintf(stderr, "seccomp-exec: %s: %s\n", argv[arg + 1], std::strerror(errno));
  return 127;
}
