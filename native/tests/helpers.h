// Shared fixtures for the native tests.
#pragma once

#include <errno.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
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

  // Loop::run in steps, for a test that plays the loop thread itself: start() creates the ring
  // on the calling thread, drain_and_fill() is one iteration's data path, and the idle step is
  // split where a race can land: arm_idle(), nothing_new(), sleep_armed(), disarm(). finish()
  // drains what is left (every op ends) and tears the ring down.
  static std::optional<LoopError> start(Loop& loop) {
    loop.mark_started(loop.create_ring());
    return loop.error_;
  }
  static void drain_and_fill(Loop& loop) {
    loop.drain_completions();
    loop.fill_submission_queue();
  }
  static uint32_t arm_idle(Loop& loop) { return loop.arm_idle(); }
  static bool nothing_new(const Loop& loop, uint32_t armed) { return loop.nothing_new(armed); }
  static void sleep_armed(Loop& loop, uint32_t armed) { loop.sleep_armed(armed); }
  static void disarm(Loop& loop) { loop.channel_->waker.disarm(); }
  static void finish(Loop& loop) {
    loop.drain_for_shutdown();
    loop.tear_down();
  }
  static io_uring& ring(Loop& loop) { return loop.ring_; }
  static Waker& waker(Loop& loop) { return loop.channel_->waker; }
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

// Why the loop cannot run with `wake` on this kernel (its own start error), or nothing.
inline std::optional<std::string> wake_unsupported(WakeMechanism wake) {
  LoopThread probe(LoopConfig{.size = 1, .wake = wake});
  const std::optional<LoopError> error = probe.wait_until_running();
  if (error && error->error == EOPNOTSUPP) {
    return error->message();
  }
  return std::nullopt;
}

// "eventfd", "msg_ring", ...: the wake mechanism as a test name's last part (/msg_ring).
inline std::string wake_test_name(const ::testing::TestParamInfo<WakeMechanism>& info) {
  std::string name = wake_mechanism_name(info.param);
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

// A fixture for the loop's contract, run once per wake mechanism (instantiate with
// IOB_FOR_EACH_WAKE); a mechanism this kernel lacks is skipped with the loop's reason.
class EachWake : public ::testing::TestWithParam<WakeMechanism> {
 protected:
  void SetUp() override {
    if (auto missing = wake_unsupported(GetParam())) {
      GTEST_SKIP() << *missing;
    }
  }
  WakeMechanism wake() const { return GetParam(); }
  // Whether the loop ever sleeps and submitters ever wake it (all but busy-poll).
  bool sleeps() const { return GetParam() != WakeMechanism::kBusyPoll; }
  // `config` with this test's wake mechanism.
  LoopConfig config(LoopConfig config = {}) const {
    config.wake = GetParam();
    return config;
  }
  // Waits until the loop has gone idle (slept once); a busy-polling loop never sleeps, so it is
  // given a moment to reach its poll instead.
  bool went_idle(LoopThread& running) const {
    if (!sleeps()) {
      std::this_thread::sleep_for(20ms);
      return true;
    }
    return eventually([&] { return running.loop().counters().sleeps.get() > 0; });
  }
};

#define IOB_FOR_EACH_WAKE(suite) \
  INSTANTIATE_TEST_SUITE_P(Wake, suite, ::testing::ValuesIn(kWakeMechanisms), wake_test_name)

}  // namespace iob
