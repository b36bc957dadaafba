// Instructions and cycles of a run, counted by the CPU (perf_event_open): a cost per op that does
// not depend on the clock, so a change in the code shows even when time is noisy. Counted on the
// calling thread and, through `inherit`, every thread it starts afterwards (a loop's thread,
// submitters, io_uring's iou-wrk and iou-sqp workers); a read sums the threads still running and
// those gone. User and kernel mode both, or user mode alone where perf_event_paranoid allows no
// more. Where the PMU is shared and the kernel multiplexes it, the counts are scaled from the share
// of the time they were counted, as `perf stat` does, and that share is given.
//
// Where the kernel has no hardware counters to give (a VM without a virtual PMU: ENOENT or
// EOPNOTSUPP) or forbids them (perf_event_paranoid, a seccomp filter: EACCES, EPERM), nothing is
// counted and error() says why.
#pragma once

#include <cstdint>
#include <optional>

namespace iob {

class HardwareCounters {
 public:
  HardwareCounters();
  ~HardwareCounters();
  HardwareCounters(const HardwareCounters&) = delete;
  HardwareCounters& operator=(const HardwareCounters&) = delete;

  struct Counts {
    uint64_t instructions = 0;
    uint64_t cycles = 0;
    // Of the time they were enabled, the least share either was counted (1: not multiplexed).
    double counted_share = 1;
  };
  // Since construction; nullopt when nothing is counted.
  std::optional<Counts> read() const;
  // errno of the perf_event_open that failed, 0 while counting.
  int error() const { return error_; }
  // Kernel mode was not allowed (perf_event_paranoid): user mode alone is counted.
  bool user_only() const { return user_only_; }

 private:
  int instructions_fd_ = -1;
  int cycles_fd_ = -1;
  int error_ = 0;
  bool user_only_ = false;
};

}  // namespace iob
