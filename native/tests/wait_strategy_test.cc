// The wait strategies: the Spinner's budget rules, and the loop's contract under each strategy.
#include "loop/wait_strategy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness/bench.h"
#include "helpers.h"

namespace iob {
namespace {

const auto never_ready = [] { return false; };
const auto always_ready = [] { return true; };

TEST(Spinner, SleepNeverSpins) {
  Spinner spinner(WaitStrategy::sleep());
  int checks = 0;
  EXPECT_FALSE(spinner.spin(true, [&] { return ++checks > 0; }));
  EXPECT_EQ(checks, 0);
  EXPECT_EQ(spinner.budget_ns(), 0);
  EXPECT_EQ(spinner.misses(), 0u);
}

TEST(Spinner, NothingInFlightMeansNoSpin) {
  for (const WaitStrategy strategy : {WaitStrategy::fixed_spin(50us), WaitStrategy::adaptive()}) {
    Spinner spinner(strategy);
    const int64_t budget = spinner.budget_ns();
    int checks = 0;
    EXPECT_FALSE(spinner.spin(false, [&] { return ++checks > 0; }));
    EXPECT_EQ(checks, 0);
    EXPECT_FALSE(spinner.would_spin(false));
    // Not spinning teaches nothing.
    EXPECT_EQ(spinner.budget_ns(), budget);
    EXPECT_EQ(spinner.hits() + spinner.misses(), 0u);
  }
}

TEST(Spinner, AFixedSpinKeepsItsBudget) {
  Spinner spinner(WaitStrategy::fixed_spin(5us));
  EXPECT_EQ(spinner.budget_ns(), 5'000);
  EXPECT_TRUE(spinner.spin(true, always_ready));
  EXPECT_FALSE(spinner.spin(true, never_ready));
  EXPECT_EQ(spinner.budget_ns(), 5'000);
  EXPECT_EQ(spinner.hits(), 1u);
  EXPECT_EQ(spinner.misses(), 1u);
}

TEST(Spinner, AdaptiveGrowsOnFoundWorkUpToItsMaximum) {
  Spinner spinner(WaitStrategy::adaptive(40us));
  int64_t budget = spinner.budget_ns();
  EXPECT_GT(budget, 0);
  EXPECT_LT(budget, 40'000);
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(spinner.spin(true, always_ready));
    ASSERT_GE(spinner.budget_ns(), budget);
    ASSERT_LE(spinner.budget_ns(), 40'000);
    budget = spinner.budget_ns();
  }
  EXPECT_EQ(budget, 40'000);
}

TEST(Spinner, AdaptiveShrinksOnMissesToAFloorAboveZero) {
  Spinner spinner(WaitStrategy::adaptive(8us));
  int64_t budget = spinner.budget_ns();
  for (int i = 0; i < 10; ++i) {
    ASSERT_FALSE(spinner.spin(true, never_ready));
    ASSERT_LE(spinner.budget_ns(), budget);
    budget = spinner.budget_ns();
  }
  // It keeps a small budget, so it can find out that spinning pays again.
  EXPECT_EQ(budget, Spinner::kMinAdaptiveBudget);
  EXPECT_TRUE(spinner.spin(true, always_ready));
  EXPECT_GT(spinner.budget_ns(), budget);
  EXPECT_EQ(spinner.misses(), 10u);
}

TEST(Spinner, AdaptiveGrowsToCoverAWaitThatEndedSoonAfterItsSpin) {
  Spinner spinner(WaitStrategy::adaptive(100us));
  ASSERT_FALSE(spinner.spin(true, never_ready));
  const int64_t halved = spinner.budget_ns();
  ASSERT_TRUE(spinner.learns_from_wake());
  // Woken 60 us after the spin began: a 75 us budget would have caught it.
  spinner.woke(spinner.started_ns() + 60'000);
  EXPECT_EQ(spinner.budget_ns(), 75'000);
  EXPECT_GT(spinner.budget_ns(), halved);
  // Told once per miss.
  EXPECT_FALSE(spinner.learns_from_wake());
  spinner.woke(spinner.started_ns() + 90'000);
  EXPECT_EQ(spinner.budget_ns(), 75'000);
}

TEST(Spinner, AdaptiveKeepsTheHalvedBudgetAfterALongWait) {
  Spinner spinner(WaitStrategy::adaptive(100us));
  ASSERT_FALSE(spinner.spin(true, never_ready));
  const int64_t halved = spinner.budget_ns();
  // Past the maximum: no budget would have caught it, so spinning longer only costs CPU.
  spinner.woke(spinner.started_ns() + 1'000'000);
  EXPECT_EQ(spinner.budget_ns(), halved);
  // A fixed spin learns nothing from a wake either.
  Spinner fixed(WaitStrategy::fixed_spin(5us));
  ASSERT_FALSE(fixed.spin(true, never_ready));
  EXPECT_FALSE(fixed.learns_from_wake());
  fixed.woke(fixed.started_ns() + 1'000);
  EXPECT_EQ(fixed.budget_ns(), 5'000);
}

TEST(Spinner, AdaptiveNeverExceedsASmallMaximum) {
  Spinner spinner(WaitStrategy::adaptive(500ns));
  EXPECT_EQ(spinner.budget_ns(), 500);
  EXPECT_TRUE(spinner.spin(true, always_ready));
  EXPECT_EQ(spinner.budget_ns(), 500);
  EXPECT_FALSE(spinner.spin(true, never_ready));
  EXPECT_EQ(spinner.budget_ns(), 500);
}

TEST(Spinner, FindsWorkThatArrivesWhileItSpins) {
  Spinner spinner(WaitStrategy::fixed_spin(std::chrono::seconds(5)));
  std::atomic<bool> ready{false};
  std::thread publisher([&] { ready.store(true, std::memory_order_release); });
  EXPECT_TRUE(spinner.spin(true, [&] { return ready.load(std::memory_order_acquire); }));
  publisher.join();
}

// The loop's contract under each strategy (the loop spins for submissions and completions, a
// submitter for its ends).
class LoopUnderWaitStrategy : public testing::TestWithParam<WaitStrategy> {
 protected:
  LoopConfig config() const {
    LoopConfig config;
    config.size = 64;
    config.wait = GetParam();
    return config;
  }
  bool spins() const { return GetParam().kind != WaitStrategy::Kind::kSleep; }
};

TEST_P(LoopUnderWaitStrategy, RecvBeforeSendCompletesWhileTheLoopIsBlocked) {
  LoopThread running(config());
  auto [left, right] = socket_pair();
  OneShot recv_done, write_done;
  send(running, make_recv(left, 5), recv_done);
  // The recv is in flight: the loop may spin, but then sleeps, and only the wake path can get
  // the write to it.
  ASSERT_TRUE(eventually([&] { return running.loop().counters().sleeps.get() > 0; }));
  send(running, make_write(right, "hello"), write_done);
  auto recv = recv_done.wait_for(2s);
  auto write = write_done.wait_for(2s);
  ASSERT_TRUE(recv.has_value()) << "recv did not complete: the wake path failed";
  ASSERT_TRUE(write.has_value());
  EXPECT_EQ(recv->result, 5);
  EXPECT_EQ(std::memcmp(recv->resources->buffer.data(), "hello", 5), 0);
  EXPECT_FALSE(running.stop());
}

TEST_P(LoopUnderWaitStrategy, AnIdleLoopNeverSpins) {
  LoopThread running(config());
  ASSERT_TRUE(eventually([&] { return running.loop().counters().sleeps.get() > 0; }));
  EXPECT_FALSE(running.stop());
  const auto counters = running.loop().counters().snapshot();
  EXPECT_EQ(counters.spin_wakes + counters.spin_misses, 0u);
}

TEST_P(LoopUnderWaitStrategy, EveryOpOfEverySubmitterEndsExactlyOnce) {
  constexpr uint32_t kDepth = 8;
  const int ops_each = scaled_count(3000);
  LoopThread running(config());
  std::vector<std::thread> submitters;
  std::vector<std::vector<int>> ends(2, std::vector<int>(ops_each, 0));
  // Kept until the loop has exited: it may flush a queue after the queue's last end is visible.
  std::vector<std::unique_ptr<CompletionQueue>> queues;
  for (size_t s = 0; s < ends.size(); ++s) {
    queues.push_back(std::make_unique<CompletionQueue>(kDepth));
    submitters.emplace_back(
        [&, s, &queue = *queues.back(), handle = running.submitter()]() mutable {
          Spinner spinner(GetParam());
          int sent = 0, ended = 0;
          while (ended < ops_each) {
            while (sent < ops_each && sent - ended < static_cast<int>(kDepth)) {
              Op op = make_nop();
              op.sink = &queue;
              op.cookie = static_cast<uint64_t>(sent++);
              ASSERT_TRUE(handle.send(op));
            }
            queue.wait(&spinner, sent > ended);
            queue.drain([&](Completion& completion) {
              EXPECT_EQ(completion.end, OpEnd::kCompleted);
              ++ends[s][completion.cookie];
              ++ended;
            });
          }
        });
  }
  for (auto& thread : submitters) {
    thread.join();
  }
  EXPECT_FALSE(running.stop());
  for (const auto& counts : ends) {
    for (const int count : counts) {
      ASSERT_EQ(count, 1);
    }
  }
}

TEST_P(LoopUnderWaitStrategy, TheBenchCountsItsSpins) {
  BenchSpec spec;
  spec.loop = config();
  spec.drive =
      DriveSpec{.submitters = 1, .depth = 1, .ops = static_cast<uint64_t>(scaled_count(2000))};
  const BenchResult result = run_loop_bench(spec, nullptr, std::atomic<bool>{false});
  ASSERT_FALSE(result.error) << result.error->message();
  EXPECT_EQ(result.stats.expected, spec.drive.ops);
  const uint64_t spun = result.counters.spin_wakes + result.counters.spin_misses;
  if (spins()) {
    EXPECT_GT(spun, 0u);
    EXPECT_GT(result.counters.spin_budget_ns, 0u);
  } else {
    EXPECT_EQ(spun, 0u);
    EXPECT_EQ(result.counters.spin_budget_ns, 0u);
  }
}

TEST_P(LoopUnderWaitStrategy, TheBenchMeasuresAnIdleWindowOnlyWhenAsked) {
  BenchSpec spec;
  spec.loop = config();
  spec.drive = DriveSpec{.submitters = 1, .depth = 4, .ops = 1000};
  const BenchResult plain = run_loop_bench(spec, nullptr, std::atomic<bool>{false});
  ASSERT_FALSE(plain.error) << plain.error->message();
  EXPECT_FALSE(plain.idle.has_value());
  spec.drive.idle = 100ms;
  const BenchResult idle = run_loop_bench(spec, nullptr, std::atomic<bool>{false});
  ASSERT_FALSE(idle.error) << idle.error->message();
  ASSERT_TRUE(idle.idle.has_value());
  EXPECT_GE(idle.idle->window_ns, 100'000'000);
  EXPECT_EQ(idle.stats.expected, 1000u);
}

std::string strategy_name(const testing::TestParamInfo<WaitStrategy>& info) {
  switch (info.param.kind) {
    case WaitStrategy::Kind::kSleep:
      return "Sleep";
    case WaitStrategy::Kind::kSpin:
      return "Spin";
    case WaitStrategy::Kind::kAdaptive:
      return "Adaptive";
  }
  return "Unknown";
}

INSTANTIATE_TEST_SUITE_P(Strategies, LoopUnderWaitStrategy,
                         testing::Values(WaitStrategy::sleep(), WaitStrategy::fixed_spin(50us),
                                         WaitStrategy::adaptive()),
                         strategy_name);

}  // namespace
}  // namespace iob
