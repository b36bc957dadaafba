#include "harness/liveness.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>

#include "clock.h"
#include "harness/ops.h"
#include "harness/workload.h"
#include "loop/loop_thread.h"
#include "loop/sinks.h"

namespace iob {

namespace {

// One end is read by the scenario's read, the other written by its write (and by the rescue).
struct SocketPairEnds {
  SharedFd reader;
  SharedFd writer;
};

SocketPairEnds socket_pair_or_throw() {
  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
    throw WorkloadError("socketpair", errno, "liveness scenario");
  }
  return {share_fd(ends[0]), share_fd(ends[1])};
}

LivenessHalf run_liveness_half(const LivenessSpec& spec, bool op_timeouts) {
  using namespace std::chrono_literals;
  LivenessHalf half;
  half.op_timeouts = op_timeouts;
  half.op_timeout = op_timeouts ? spec.op_timeout : 0ns;
  const std::array<SocketPairEnds, 2> pairs{socket_pair_or_throw(), socket_pair_or_throw()};

  // The shutdown timeout only matters if the half gives up: it bounds how long the loop waits
  // for ops nobody will ever complete.
  LoopConfig config{.size = 2, .shutdown_timeout = 100ms};
  if (op_timeouts) {
    config.op_timeout = spec.op_timeout;
  }
  std::optional<LoopThread> running;
  if (auto error = LoopThread::start(running, config)) {
    half.error = error;
    return half;
  }
  Loop& loop = running->loop();

  CompletionQueue ends(4);
  std::vector<Op> ops;
  for (size_t i = 0; i < pairs.size(); ++i) {
    ops.push_back(make_recv(pairs[i].reader, 64));
    half.ops.push_back(LivenessOp{"read(fd" + std::to_string(i + 1) + ")"});
  }
  for (size_t i = 0; i < pairs.size(); ++i) {
    const std::string name = "write(fd" + std::to_string(i + 1) + ")";
    ops.push_back(make_write(pairs[i].writer, name));
    half.ops.push_back(LivenessOp{name});
  }
  for (size_t i = 0; i < ops.size(); ++i) {
    ops[i].sink = &ends;
    ops[i].cookie = i;
  }

  // Without timeouts, the watchdog is the only way out: it does what the queued writes would
  // have done. With them, it only reports (it should have nothing to report).
  CapacityWatchdog watchdog(loop, spec.watchdog, [&](const CapacityStallReport&) {
    if (op_timeouts) {
      return;
    }
    for (const SocketPairEnds& pair : pairs) {
      // A failed rescue leaves the reads waiting; the give-up below still ends the half.
      [[maybe_unused]] const ssize_t written = ::write(pair.writer->get(), "rescue", 6);
    }
  });

  const int64_t started = monotonic_ns();
  // Returns once the writes are queued behind the reads (the queue holds 2). Ops the loop did
  // not accept (it stopped on an error) never run: they count as abandoned.
  const size_t sent = running->submitter().send_all(ops);
  for (size_t i = sent; i < ops.size(); ++i) {
    half.ops[i].end = OpEnd::kAbandoned;
  }
  size_t ended = 0;
  auto take_ends = [&] {
    ended += ends.drain([&](Completion& completion) {
      LivenessOp& op = half.ops[completion.cookie];
      op.end = completion.end;
      op.result = completion.result;
      op.ended_after_ns = monotonic_ns() - started;
    });
  };
  const int64_t give_up_at =
      started + (spec.watchdog + half.op_timeout + spec.give_up_after).count();
  while (ended < sent && monotonic_ns() < give_up_at) {
    ends.wait_until(give_up_at);
    take_ends();
  }
  watchdog.stop();
  half.gave_up = ended < sent;
  // The last submitter: the loop drains and exits, abandoning after its shutdown timeout
  // whatever the half gave up on.
  running->release_submitter();
  while (ended < sent) {
    ends.wait();
    take_ends();
  }
  half.error = running->stop();
  half.elapsed_ns = monotonic_ns() - started;
  half.stalls = watchdog.reports();
  half.counters = loop.counters().snapshot();
  return half;
}

}  // namespace

LivenessResult run_liveness(const LivenessSpec& spec) {
  return LivenessResult{run_liveness_half(spec, false), run_liveness_half(spec, true)};
}

}  // namespace iob
