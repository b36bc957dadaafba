// LoopThread: how the harness and the tests run a loop on a thread of its own.
#include "helpers.h"

namespace iob {
namespace {

TEST(LoopThread, StartWaitsForTheRingAndStopReturnsTheLoopsExit) {
  std::optional<LoopThread> running;
  ASSERT_FALSE(LoopThread::start(running, LoopConfig{.size = 8}));
  EXPECT_EQ(running->loop().ring_info().sq_entries, 8u);
  OneShot done;
  send(*running, make_nop(), done);
  EXPECT_EQ(done.wait().result, 0);
  EXPECT_FALSE(running->stop());
}

TEST(LoopThread, TheExitHookRunsOnTheLoopsThreadWithItsResult) {
  pthread_t hook_thread{};
  bool called = false;
  LoopThread running(LoopConfig{}, [&](const std::optional<LoopError>& error) {
    hook_thread = pthread_self();
    called = !error.has_value();
  });
  const pthread_t loop_thread = running.native_handle();
  EXPECT_FALSE(running.stop());
  EXPECT_TRUE(called);
  EXPECT_TRUE(pthread_equal(hook_thread, loop_thread));
}

// The shutdown drill gives up on a loop that does not end and destroys its LoopThread: the
// thread keeps the loop alive, and the loop still ends every op it took.
TEST(LoopThread, ALoopLeftRunningOutlivesItsLoopThreadAndEndsItsOps) {
  OneShot timer;
  {
    LoopThread running(LoopConfig{});
    send(running, make_timer(50ms), timer);
    running.leave_running();
  }
  EXPECT_EQ(timer.wait().result, -ETIME);
}

}  // namespace
}  // namespace iob
