// Time sources used for measurements.
#pragma once

#include <sys/resource.h>
#include <time.h>

#include <cstdint>

namespace iob {

// CLOCK_MONOTONIC in ns (a vDSO call, about 20 ns here).
inline int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Tells the CPU this is a spin-wait loop (x86 PAUSE: saves power, yields to a sibling thread).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// User and system CPU time of the calling thread, in ns.
inline void thread_cpu_ns(int64_t& user_ns, int64_t& system_ns) {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  user_ns = int64_t{usage.ru_utime.tv_sec} * 1'000'000'000 + int64_t{usage.ru_utime.tv_usec} * 1000;
  system_ns =
      int64_t{usage.ru_stime.tv_sec} * 1'000'000'000 + int64_t{usage.ru_stime.tv_usec} * 1000;
}

}  // namespace iob
