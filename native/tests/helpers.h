// Shared fixtures for the native tests.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <thread>
#include <utility>

#include "harness/bench.h"
#include "harness/ops.h"
#include "loop/loop.h"
#include "loop/loop_thread.h"
#include "loop/sinks.h"

namespace iob {

using namespace std::chrono_literals;

// Peer access to the loop's internals, for the few behaviours that cannot be provoked from
// outside (a wake CQE without IORING_CQE_F_MORE).
class LoopTestAccess {
 public:
  static void handle_cqe(Loop& loop, uint64_t user_data, int32_t result, uint32_t flags) {
    loop.handle_cqe(user_data, result, flags);
  }
  static bool wake_rearm_needed(const Loop& loop) { return loop.wake_rearm_needed_; }
};

// run_loop_bench in the same-thread design: each submitter drives a loop of its own.
inline BenchResult run_same_thread_bench(const BenchSpec& spec, const ProgressFn& progress,
                                         const std::atomic<bool>& cancel) {
  BenchSpec same_thread = spec;
  same_thread.drive.design = Design::kSameThread;
  return run_loop_bench(same_thread, progress, cancel);
}

using RunFn = BenchResult (*)(const BenchSpec&, const ProgressFn&, const std::atomic<bool>&);
// Every system a benchmark measures: the loop in both designs, and the raw ring.
inline constexpr RunFn kEverySystem[] = {&run_loop_bench, &run_same_thread_bench, &run_raw_bench};

// IORING_OP_NOP.
inline Op make_nop() {
  Op op;
  io_uring_prep_nop(&op.sqe);
  return op;
}

// IORING_OP_TIMEOUT of `duration`: ends with -ETIME when it expires.
inline Op make_timer(std::chrono::nanoseconds duration) {
  Op op;
  prep_timer(op.sqe, op.resources, duration);
  return op;
}

// Sends `op` through the loop's first handle, to be reported to `sink`; expects the loop to
// accept it.
inline void send(LoopThread& running, Op op, CompletionSink& sink, uint64_t cookie = 0) {
  op.sink = &sink;
  op.cookie = cookie;
  ASSERT_TRUE(running.submitter().send(op));
}

inline std::pair<SharedFd, SharedFd> socket_pair() {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  return {share_fd(fds[0]), share_fd(fds[1])};
}

// `count` times IOB_TEST_SCALE (default 1, at least 1 op): lets slow machines, such as qemu's
// TCG guests of the kernel matrix (20-30x slower), run the long race tests with fewer ops.
inline int scaled_count(int count) {
  static const double scale = [] {
    const char* text = std::getenv("IOB_TEST_SCALE");
    const double value = text != nullptr ? std::atof(text) : 1.0;
    return value > 0 ? value : 1.0;
  }();
  return std::max(1, static_cast<int>(count * scale));
}

template <typename Condition>
bool eventually(Condition&& condition, std::chrono::milliseconds limit = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

}  // namespace iob
