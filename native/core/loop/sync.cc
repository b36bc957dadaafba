// System calls behind the wake primitives: futex for thread sleepers, eventfd for the loop.
#include <errno.h>
#include <linux/futex.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "invariant.h"
#include "loop/sleep_gate.h"
#include "loop/waker.h"

namespace iob {

[[noreturn]] void invariant_failed(const char* message) {
  std::fprintf(stderr, "iouring-bench: invariant violated: %s\n", message);
  std::abort();
}

namespace {

long futex(std::atomic<uint32_t>* word, int op, uint32_t value) {
  // The kernel reads the word's 32 bits; user space only ever touches it atomically.
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), op | FUTEX_PRIVATE_FLAG, value,
                 nullptr, nullptr, 0);
}

}  // namespace

void futex_wait(std::atomic<uint32_t>* word, uint32_t expected) {
  // EAGAIN (the word already changed) and EINTR are both "go and recheck".
  futex(word, FUTEX_WAIT, expected);
}

void futex_wait_until(std::atomic<uint32_t>* word, uint32_t expected, int64_t deadline_ns) {
  const timespec deadline{static_cast<time_t>(deadline_ns / 1'000'000'000),
                          static_cast<long>(deadline_ns % 1'000'000'000)};
  // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC deadline. ETIMEDOUT, EAGAIN and EINTR
  // all mean "go and recheck".
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG,
          expected, &deadline, nullptr, FUTEX_BITSET_MATCH_ANY);
}

void futex_wake_all(std::atomic<uint32_t>* word) { futex(word, FUTEX_WAKE, INT_MAX); }

Waker::Waker() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (!fd_.valid()) {
    throw std::system_error(errno, std::generic_category(), "eventfd");
  }
}

void Waker::ring() const {
  const uint64_t one = 1;
  for (;;) {
    if (::write(fd_.get(), &one, sizeof one) == static_cast<ssize_t>(sizeof one)) {
      return;
    }
    switch (errno) {
      case EINTR:  // interrupted before anything was written: write again
        continue;
      case EAGAIN:  // counter saturated: a wake is already pending
        return;
      default:  // cannot happen for a valid eventfd; the loop still wakes on its next CQE
        std::perror("iouring-bench: eventfd write");
        return;
    }
  }
}

void Waker::acknowledge() const {
  uint64_t value = 0;
  for (;;) {
    // Without EFD_SEMAPHORE one read returns the whole counter and resets it to zero.
    if (::read(fd_.get(), &value, sizeof value) == static_cast<ssize_t>(sizeof value)) {
      return;
    }
    switch (errno) {
      case EINTR:
        continue;
      case EAGAIN:  // counter already zero: nothing left to drain
        return;
      default:
        std::perror("iouring-bench: eventfd read");
        return;
    }
  }
}

void Waker::prepare_poll(io_uring_sqe* sqe, uint64_t user_data) const {
  io_uring_prep_poll_multishot(sqe, fd_.get(), POLLIN);
  io_uring_sqe_set_data64(sqe, user_data);
}

}  // namespace iob
