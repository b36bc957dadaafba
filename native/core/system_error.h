// The native core's one system-error type: which call failed, its errno (0 when the cause is not
// an errno) and what it was about (a ring's flags, a path, ...). The loop reports its failures as
// one (LoopError), workloads throw one (WorkloadError), test files return one (FileError), and
// the addon maps it to JS in one place (addon/errors.h).
#pragma once

#include <string>

namespace iob {

struct SystemError {
  std::string call;
  int error = 0;
  std::string detail;

  // "call: strerror (ENAME): detail", leaving out what is empty.
  std::string message() const;
};

}  // namespace iob
