#include "system_error.h"

#include <string.h>

#include "uring_names.h"

namespace iob {

std::string SystemError::message() const {
  std::string text = call;
  if (error != 0) {
    text += ": " + std::string(strerror(error)) + " (" + errno_name(error) + ")";
  }
  if (!detail.empty()) {
    text += ": " + detail;
  }
  return text;
}

}  // namespace iob
