// The races the seed's wake design guards against, and transient enter errors. These are the
// tests TSan judges.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <random>
#include <vector>

#include "helpers.h"

namespace iob {
namespace {

using LoopRaces = EachWake;

// Counts ends per cookie, on the loop thread; the owner checks once the loop has exited.
class CountingSink final : public CompletionSink {
 public:
  explicit CountingSink(size_t ops) : ends_(ops) {}
  void deliver(Completion&& completion) override {
    ends_.at(completion.cookie).fetch_add(1, std::memory_order_relaxed);
    if (completion.end == OpEnd::kCompleted && completion.result != 0) {
      unexpected_.fetch_add(1, std::memory_order_relaxed);
    }
    total_.fetch_add(1, std::memory_order_release);
  }
  size_t total() const { return total_.load(std::memory_order_acquire); }
  // Ops that did not end exactly once.
  size_t not_exactly_once() const {
    size_t bad = 0;
    for (const auto& count : ends_) {
      bad += count.load() != 1;
    }
    return bad;
  }
  size_t unexpected() const { return unexpected_.load(); }

 private:
  std::vector<std::atomic<uint32_t>> ends_;
  std::atomic<size_t> total_{0};
  std::atomic<size_t> unexpected_{0};
};

// One op at a time with random gaps, so each submission lands somewhere in the loop's
// drain / fill / arm / recheck / block sequence. A lost wake leaves an op unfinished and the
// wait times out. The loop sleeps at once: a spinning wait (the adaptive default) can cover every
// gap and never arm, and then the race under test never happens (seen under ASan in CI).
TEST_P(LoopRaces, PublishRacingWithArmNeverLosesAWake) {
  LoopThread running(config({.size = 4, .wait = WaitStrategy::sleep()}));
  std::mt19937 random(12345);
  std::uniform_int_distribution<int> gap_us(0, 60);
  const int kOps = scaled_count(3000);
  for (int i = 0; i < kOps; ++i) {
    OneShot done;
    send(running, make_nop(), done);
    auto end = done.wait_for(2s);
    ASSERT_TRUE(end.has_value()) << "op " << i << " never completed: a wake was lost";
    ASSERT_EQ(end->result, 0);
    const int gap = gap_us(random);
    if (gap > 30) {
      std::this_thread::sleep_for(std::chrono::microseconds(gap - 30));
    }
  }
  EXPECT_FALSE(running.stop());
  const auto counters = running.loop().counters().snapshot();
  EXPECT_EQ(counters.ops_completed, static_cast<uint64_t>(kOps));
  if (sleeps()) {
    // Both sides of the race were taken.
    EXPECT_GT(counters.sleeps, 0u);
    EXPECT_GT(counters.wakes_sent, 0u);
  }
}

// Seed design note: dropping the last submitter disconnects first, then rings the eventfd, so
// a loop blocked in io_uring_enter with nothing in flight sees the shutdown promptly.
TEST_P(LoopRaces, TheLastSubmitterDroppedWhileTheLoopSleepsEndsItPromptly) {
  for (int round = 0; round < scaled_count(50); ++round) {
    LoopThread running(config());
    if (round % 2 == 0) {
      ASSERT_TRUE(went_idle(running));
    }
    const auto started = std::chrono::steady_clock::now();
    EXPECT_FALSE(running.stop());
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  }
}

TEST_P(LoopRaces, ManySubmittersEveryOpEndsExactlyOnce) {
  constexpr int kSubmitters = 8;
  const int kPerSubmitter = scaled_count(20000);
  CountingSink sink(kSubmitters * kPerSubmitter);
  LoopThread running(config({.size = 64}));
  std::vector<std::thread> submitters;
  for (int s = 0; s < kSubmitters; ++s) {
    submitters.emplace_back([&, s, handle = running.submitter()]() mutable {
      for (int i = 0; i < kPerSubmitter; ++i) {
        Op op = make_nop();
        op.sink = &sink;
        op.cookie = static_cast<uint64_t>(s) * kPerSubmitter + i;
        ASSERT_TRUE(handle.send(op));
      }
    });
  }
  for (auto& submitter : submitters) {
    submitter.join();
  }
  EXPECT_FALSE(running.stop());
  EXPECT_EQ(sink.total(), static_cast<size_t>(kSubmitters * kPerSubmitter));
  EXPECT_EQ(sink.not_exactly_once(), 0u);
  EXPECT_EQ(sink.unexpected(), 0u);
  const auto counters = running.loop().counters().snapshot();
  EXPECT_EQ(counters.ops_accepted, counters.ops_completed);
  // 8 submitters x 20000 through a 64-slot queue: they must have waited for space.
  EXPECT_GT(counters.backpressure_waits, 0u);
}

TEST_P(LoopRaces, SubmittersDroppingTheirHandlesMidStreamLoseNothing) {
  constexpr int kSubmitters = 4;
  const int kPerSubmitter = scaled_count(5000);
  CountingSink sink(kSubmitters * kPerSubmitter);
  auto [first, loop] = Loop::create(config({.size = 16}));
  std::vector<std::thread> submitters;
  for (int s = 0; s < kSubmitters; ++s) {
    submitters.emplace_back([&, s, handle = first]() mutable {
      for (int i = 0; i < kPerSubmitter; ++i) {
        Op op = make_nop();
        op.sink = &sink;
        op.cookie = static_cast<uint64_t>(s) * kPerSubmitter + i;
        ASSERT_TRUE(handle.send(op));
      }
      // The handle is dropped here, while others may still be sending.
    });
  }
  { auto drop = std::move(first); }
  loop->run();  // returns once the last handle is gone and everything drained
  for (auto& submitter : submitters) {
    submitter.join();
  }
  EXPECT_EQ(sink.total(), static_cast<size_t>(kSubmitters * kPerSubmitter));
  EXPECT_EQ(sink.not_exactly_once(), 0u);
}

void ignore_signal(int) {}

// Contract point 9: EINTR from io_uring_enter is transient. Signals sent to the loop thread
// while it blocks make io_uring_enter return EINTR; the loop counts it and carries on.
TEST_P(LoopRaces, SignalsInterruptingTheWaitAreSurvived) {
  if (!sleeps()) {
    GTEST_SKIP() << "a busy-polling loop never blocks in io_uring_enter";
  }
  struct sigaction action {};
  action.sa_handler = ignore_signal;  // no SA_RESTART: the blocked call returns EINTR
  sigemptyset(&action.sa_mask);
  struct sigaction previous {};
  ASSERT_EQ(sigaction(SIGUSR1, &action, &previous), 0);

  LoopThread running(config());
  OneShot timer;
  send(running, make_timer(300ms), timer);
  const pthread_t loop_thread = running.native_handle();
  ASSERT_TRUE(eventually([&] {
    pthread_kill(loop_thread, SIGUSR1);
    return running.loop().counters().transient_enter_errors.get() > 0;
  }));
  EXPECT_EQ(timer.wait().result, -ETIME);  // the op still completes normally
  OneShot nop;
  send(running, make_nop(), nop);
  EXPECT_EQ(nop.wait().result, 0);
  EXPECT_FALSE(running.stop());
  sigaction(SIGUSR1, &previous, nullptr);
}

IOB_FOR_EACH_WAKE(LoopRaces);

}  // namespace
}  // namespace iob
