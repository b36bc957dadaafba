// Time sources used for measurements, and the one conversion of a duration to io_uring's timespec.
#pragma once

#include <linux/time_types.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
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

// CPU time and context switches of the calling thread (RUSAGE_THREAD) or of the whole process
// (RUSAGE_SELF).
struct Usage {
  int64_t user_ns = 0;
  int64_t system_ns = 0;
  // It blocked (a sleep, a wait in the kernel), or the scheduler took the CPU from it.
  int64_t voluntary_switches = 0;
  int64_t involuntary_switches = 0;
};

inline Usage usage_of(int who) {
  rusage usage{};
  getrusage(who, &usage);
  return Usage{
      int64_t{usage.ru_utime.tv_sec} * 1'000'000'000 + int64_t{usage.ru_utime.tv_usec} * 1000,
      int64_t{usage.ru_stime.tv_sec} * 1'000'000'000 + int64_t{usage.ru_stime.tv_usec} * 1000,
      usage.ru_nvcsw, usage.ru_nivcsw};
}

// User and system CPU time of the whole process (every thread, io_uring's iou-wrk and iou-sqp
// workers included: they are threads of the process), in ns.
inline void process_cpu_ns(int64_t& user_ns, int64_t& system_ns) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  user_ns = int64_t{usage.ru_utime.tv_sec} * 1'000'000'000 + int64_t{usage.ru_utime.tv_usec} * 1000;
  system_ns =
      int64_t{usage.ru_stime.tv_sec} * 1'000'000'000 + int64_t{usage.ru_stime.tv_usec} * 1000;
}

// The timespec io_uring takes (timeouts, EXT_ARG waits) for `duration`. Negative durations are
// 0; the kernel rejects a timespec it cannot convert, so very long ones are clamped to a bound
// that still means "practically never" (about 34 years).
inline __kernel_timespec to_kernel_timespec(std::chrono::nanoseconds duration) {
  constexpr int64_t kMaxSeconds = int64_t{1} << 30;
  const int64_t ns = std::max<int64_t>(duration.count(), 0);
  __kernel_timespec ts{};
  ts.tv_sec = std::min(ns / 1'000'000'000, kMaxSeconds);
  ts.tv_nsec = ts.tv_sec == kMaxSeconds ? 0 : ns % 1'000'000'000;
  return ts;
}

}  // namespace iob
