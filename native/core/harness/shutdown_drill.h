// Shutdown drills: every op ends exactly once, however the loop is shut down.
//
// A drill is many rounds. Each round starts a loop and a few requester threads that run a random
// mix of ops (the workload OpSources: nop, timer, stall, socket, file-read, file-write) closed
// loop, and each requester drops its Submitter handle at a random moment: after a random number
// of ops, then after a random pause, so the last drop lands while ops are queued in the MPSC, in
// flight, or about to complete. The loop then drains (or, with a shutdown timeout, abandons what
// is left). Every op carries an id; the requester's sink counts the ends of each id, so an op
// that ends twice, or never, is named with its round and that round's seed.
//
// A round that has not ended by its deadline (every requester told of every op's end, the loop
// exited) is reported as hung, never waited for: its threads are left running and keep the round's
// state alive, and the drill stops there.
//
// The exactly-once property test, the soak script and `iouring-bench shutdown-drill` all run
// this code.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/histogram.h"
#include "harness/workload.h"
#include "loop/loop.h"

namespace iob {

using OptionalDuration = std::optional<std::chrono::nanoseconds>;

struct DrillSpec {
  uint32_t rounds = 100;
  uint64_t seed = 1;
  // The loop's size in every round; 0: a random power of two from 1 to 256 per round.
  uint32_t ring_size = 0;
  // Requester threads per round; 0: a random number from 1 to 4 per round.
  uint32_t submitters = 0;
  // Round r shuts down with shutdown_timeouts[r % size] (nullopt: wait for every op).
  std::vector<OptionalDuration> shutdown_timeouts{std::nullopt, std::chrono::milliseconds(20)};
  // Each round picks one of these op timeouts at random (nullopt: none).
  std::vector<OptionalDuration> op_timeouts{std::chrono::milliseconds(50)};
  // The kinds of op; each round weights them at random. A round with neither an op timeout nor
  // a shutdown timeout leaves `stall` out (nothing could ever end it: the loop's contract makes
  // that the caller's duty), unless the mix is only stall: then the round shows the hang.
  std::vector<OpKind> ops{OpKind::kNop,    OpKind::kTimer,    OpKind::kStall,
                          OpKind::kSocket, OpKind::kFileRead, OpKind::kFileWrite};
  // Each requester issues from 1 to this many ops before it drops its handle.
  uint32_t max_ops_per_submitter = 256;
  // Timer ops of a round last a random time up to this.
  std::chrono::nanoseconds max_timer{std::chrono::milliseconds(2)};
  // A round not over this long after it started is a hang.
  std::chrono::nanoseconds round_deadline{std::chrono::seconds(10)};
  // The file ops' scratch file is made in a fresh directory under this one.
  std::string scratch_dir = "/tmp";
  // How the loop of every round is woken (the loop's default unless a test names one).
  WakeMechanism wake = LoopConfig{}.wake;
};

// One failed check, with what replays it.
struct DrillFailure {
  uint32_t round = 0;
  uint64_t round_seed = 0;
  std::string what;
};

// The rounds of one shutdown mode.
struct DrillModeStats {
  OptionalDuration shutdown_timeout;
  uint32_t rounds = 0;
  uint64_t submitted = 0;  // ops the loop accepted
  uint64_t completed = 0;  // ...that ended with their CQE's result
  uint64_t timed_out = 0;  // ...that ended with -ETIMEDOUT (their op timeout)
  uint64_t abandoned = 0;  // ...that the loop abandoned at shutdown
  // From the moment the last handle was dropped to the moment run() returned (ring torn down).
  LatencyHistogram shutdown_latency;
};

struct DrillResult {
  std::vector<DrillModeStats> modes;  // in the order of DrillSpec::shutdown_timeouts
  uint32_t rounds_run = 0;
  uint32_t hung_rounds = 0;       // rounds not over by their deadline
  uint64_t missing_ends = 0;      // submitted ops never ended (by the deadline)
  uint64_t repeated_ends = 0;     // ends beyond an op's first
  uint64_t unexpected_ends = 0;   // ends for ids that were never submitted
  uint64_t count_mismatches = 0;  // rounds whose loop counters disagree with the requesters
  // Abandoned ends that came with the op's resources: the loop let go of memory the kernel may
  // still write before its ring was torn down.
  uint64_t abandoned_handed_back = 0;
  std::vector<DrillFailure> failures;  // the first few, in order
  int fds_before = -1;                 // descriptors open in this process before the drill...
  int fds_after = -1;                  // ...and after it (-1: not counted)
  bool loop_left_running = false;      // a hung round's threads still run (and hold descriptors)
  bool interrupted = false;
  std::optional<LoopError> error;  // the drill could not set up (a refused ring, no descriptors)

  uint64_t total_ops() const;
};

struct DrillProgress {
  uint32_t rounds_done = 0;
  uint32_t rounds = 0;
  uint64_t ops = 0;  // ops submitted so far
};

using DrillProgressFn = std::function<void(const DrillProgress&)>;

// Throws std::invalid_argument for a spec the loop refuses outright (see Loop::create).
DrillResult run_shutdown_drill(const DrillSpec& spec, const DrillProgressFn& progress,
                               const std::atomic<bool>& cancel);

// Descriptors open in this process (entries of /proc/self/fd), or -1 if it cannot be read.
int count_open_fds();

}  // namespace iob
