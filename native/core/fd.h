// Owned file descriptors.
#pragma once

#include <unistd.h>

#include <memory>
#include <utility>

namespace iob {

// Closes its descriptor when destroyed. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      reset(std::exchange(other.fd_, -1));
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership without closing.
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A descriptor shared by every op that uses it. An op holds one of these until its CQE is
// handled, so the descriptor number cannot be closed and reused while the kernel may still
// act on it.
using SharedFd = std::shared_ptr<const UniqueFd>;

inline SharedFd share_fd(int fd) { return std::make_shared<const UniqueFd>(fd); }
inline SharedFd share_fd(UniqueFd fd) { return share_fd(fd.release()); }

}  // namespace iob
