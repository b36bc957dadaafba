// System calls behind the sleep primitives: futex for thread sleepers (the loop's wakes are in
// waker.cc).
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include "invariant.h"
#include "loop/sleep_gate.h"

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

void futex_wake_one(std::atomic<uint32_t>* word) { futex(word, FUTEX_WAKE, 1); }

}  // namespace iob
