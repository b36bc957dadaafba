// The seed's liveness scenario, run for real (contract point 11).
//
// A loop of size 2 gets, in this order, read(fd1), read(fd2), write(fd1), write(fd2): fdN is a
// Unix socket pair, each read waits on one end for the bytes its write puts into the other.
// The two reads fill both waiter slots; the writes that would satisfy them are queued behind
// the capacity limit and can never be staged.
//
// Without op timeouts the loop stalls for good. A CapacityWatchdog reports the stall, then
// unblocks it from outside: it writes to both peers itself, the reads complete, their slots
// free, the writes run. With op timeouts the reads time out, the writes run, and all four ops
// end without help. Either way the half ends on its own: should an op still not have ended
// `give_up_after` past its expected end, the submitter is dropped and the loop's shutdown
// timeout abandons it, so nothing ever hangs.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/watchdog.h"
#include "loop/loop.h"

namespace iob {

struct LivenessSpec {
  // The op timeout of the second half.
  std::chrono::nanoseconds op_timeout{std::chrono::milliseconds(10)};
  // How long a stall lasts before the watchdog reports it (and, in the first half, unblocks it).
  std::chrono::nanoseconds watchdog{std::chrono::milliseconds(200)};
  // How long past watchdog + op timeout an op may take before the half gives up on it.
  std::chrono::nanoseconds give_up_after{std::chrono::seconds(5)};
};

struct LivenessOp {
  std::string name;  // "read(fd1)", ...
  OpEnd end = OpEnd::kCompleted;
  int32_t result = 0;          // bytes moved, or -errno (-ETIMEDOUT from the op timeout)
  int64_t ended_after_ns = 0;  // since the four were submitted
};

struct LivenessHalf {
  bool op_timeouts = false;
  std::chrono::nanoseconds op_timeout{0};
  // In submission order: read(fd1), read(fd2), write(fd1), write(fd2).
  std::vector<LivenessOp> ops;
  // What the watchdog reported; in the first half its rescue followed each report.
  std::vector<CapacityStallReport> stalls;
  // Ops the half gave up on and abandoned (never, unless the loop is broken).
  bool gave_up = false;
  int64_t elapsed_ns = 0;
  LoopCountersSnapshot counters;
  std::optional<LoopError> error;
};

struct LivenessResult {
  LivenessHalf without_timeouts;
  LivenessHalf with_timeouts;
};

// Runs the half without op timeouts, then the half with them. Throws WorkloadError when the
// socket pairs cannot be made.
LivenessResult run_liveness(const LivenessSpec& spec);

}  // namespace iob
