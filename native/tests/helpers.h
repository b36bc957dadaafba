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

#include "loop.h"
#include "ops.h"
#include "sinks.h"

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

// A loop running on its own thread, with the first submitter handle.
class RunningLoop {
 public:
  explicit RunningLoop(LoopConfig config) {
    auto [submitter, loop] = Loop::create(config);
    submitter_.emplace(std::move(submitter));
    loop_ = std::move(loop);
    thread_ = std::thread([this] { exit_ = loop_->run(); });
  }
  RunningLoop(const RunningLoop&) = delete;
  RunningLoop& operator=(const RunningLoop&) = delete;
  ~RunningLoop() {
    if (thread_.joinable()) {
      stop();
    }
  }

  Submitter& submitter() { return *submitter_; }
  Loop& loop() { return *loop_; }
  std::thread& thread() { return thread_; }

  // Sends `op` to be reported to `sink`; expects the loop to accept it.
  void send(Op op, CompletionSink& sink, uint64_t cookie = 0) {
    op.sink = &sink;
    op.cookie = cookie;
    ASSERT_TRUE(submitter_->send(op));
  }

  // Drops the last submitter handle and waits for the loop to exit; returns its error, if any.
  std::optional<LoopError> stop() {
    submitter_.reset();
    thread_.join();
    return exit_;
  }

 private:
  std::optional<Submitter> submitter_;
  std::unique_ptr<Loop> loop_;
  std::thread thread_;
  std::optional<LoopError> exit_;
};

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
