#include "harness/hardware_counters.h"

#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace iob {

namespace {

int open_counter(uint64_t config, bool user_only) {
  perf_event_attr attr{};
  attr.size = sizeof(attr);
  attr.type = PERF_TYPE_HARDWARE;
  attr.config = config;
  attr.inherit = 1;
  attr.exclude_hv = 1;
  attr.exclude_kernel = user_only ? 1 : 0;
  attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
  // No group: an inherited event cannot be read as a group.
  return static_cast<int>(syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC));
}

// The count, scaled to the time it was enabled, and the share of that time it ran.
std::optional<std::pair<uint64_t, double>> read_counter(int fd) {
  uint64_t values[3] = {};  // value, time enabled, time running
  if (::read(fd, values, sizeof(values)) != static_cast<ssize_t>(sizeof(values)) ||
      values[2] == 0) {
    return std::nullopt;
  }
  const double share = static_cast<double>(values[2]) / static_cast<double>(values[1]);
  return std::pair{static_cast<uint64_t>(static_cast<double>(values[0]) / share), share};
}

}  // namespace

HardwareCounters::HardwareCounters() {
  for (const bool user_only : {false, true}) {
    user_only_ = user_only;
    instructions_fd_ = open_counter(PERF_COUNT_HW_INSTRUCTIONS, user_only);
    error_ = instructions_fd_ < 0 ? errno : 0;
    // Counting the kernel too needs perf_event_paranoid <= 1 (or CAP_PERFMON); user mode less.
    if (error_ != EACCES && error_ != EPERM) {
      break;
    }
  }
  if (error_ != 0) {
    return;
  }
  cycles_fd_ = open_counter(PERF_COUNT_HW_CPU_CYCLES, user_only_);
  if (cycles_fd_ < 0) {
    error_ = errno;
  }
}

HardwareCounters::~HardwareCounters() {
  for (const int fd : {instructions_fd_, cycles_fd_}) {
    if (fd >= 0) {
      close(fd);
    }
  }
}

std::optional<HardwareCounters::Counts> HardwareCounters::read() const {
  if (error_ != 0) {
    return std::nullopt;
  }
  const auto instructions = read_counter(instructions_fd_);
  const auto cycles = read_counter(cycles_fd_);
  if (!instructions || !cycles) {
    return std::nullopt;
  }
  return Counts{instructions->first, cycles->first, std::min(instructions->second, cycles->second)};
}

}  // namespace iob
