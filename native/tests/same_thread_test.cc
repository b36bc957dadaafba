// The same-thread design (Loop::run_inline): a driver on the loop's own thread, calling the
// loop's bookkeeping directly. The contract is the cross-thread loop's: every op ends exactly
// once, op timeouts fire, shutdown drains or abandons after its timeout, an error abandons
// everything once, and no more ops are in flight than the loop has waiter slots.
#include <errno.h>
#include <sys/syscall.h>

#include <functional>
#include <map>
#include <thread>
#include <vector>

#include "clock.h"
#include "helpers.h"
#include "seccomp_filter.h"
#include "uring_names.h"

namespace iob {
namespace {

// A driver whose calls run `script(submitter, call)`, `call` counting from 0.
class ScriptedDriver final : public LoopDriver {
 public:
  using Script = std::function<DriveNext(LocalSubmitter&, int)>;
  explicit ScriptedDriver(Script script) : script_(std::move(script)) {}
  DriveNext drive(LocalSubmitter& submitter) override { return script_(submitter, calls_++); }
  int calls() const { return calls_; }

 private:
  Script script_;
  int calls_ = 0;
};

// Every end, as the loop delivered it on its thread, and how many flushes followed.
class EndLog final : public CompletionSink {
 public:
  void deliver(Completion&& completion) override { ends.push_back(std::move(completion)); }
  void flush() override { ++flushes; }

  // How many ends each cookie got.
  std::map<uint64_t, int> ends_per_cookie() const {
    std::map<uint64_t, int> counts;
    for (const Completion& end : ends) {
      ++counts[end.cookie];
    }
    return counts;
  }

  std::vector<Completion> ends;
  int flushes = 0;
};

Op op_for(Op op, EndLog& log, uint64_t cookie) {
  op.sink = &log;
  op.cookie = cookie;
  return op;
}

// Closed loop of NOPs at every depth from 1 to the loop's capacity: each call first tries to
// exceed the capacity by one op, which must be refused, then keeps `depth` in flight until
// `total` ops were issued. Every op ends exactly once, completed.
class SameThreadDepth : public testing::TestWithParam<uint32_t> {};

TEST_P(SameThreadDepth, EveryOpEndsExactlyOnceAndNeverPastCapacity) {
  const uint32_t depth = GetParam();
  const uint64_t total = static_cast<uint64_t>(scaled_count(20'000));
  auto loop = Loop::create_inline(LoopConfig{.size = depth});
  EndLog log;
  uint64_t issued = 0;
  size_t max_in_flight = 0;
  int refusals = 0;
  bool refused_at_capacity = true;
  ScriptedDriver driver([&](LocalSubmitter& submitter, int) {
    EXPECT_EQ(submitter.capacity(), depth);
    const size_t in_flight = issued - log.ends.size();
    EXPECT_EQ(submitter.room(), depth - in_flight);
    while (issued < total) {
      Op op = op_for(make_nop(), log, issued);
      if (!submitter.submit(op)) {
        ++refusals;
        refused_at_capacity = refused_at_capacity && submitter.room() == 0;
        break;
      }
      ++issued;
      max_in_flight = std::max<size_t>(max_in_flight, issued - log.ends.size());
    }
    return DriveNext{.done = issued == total};
  });
  EXPECT_FALSE(loop->run_inline(driver));

  EXPECT_GT(refusals, 0);
  EXPECT_TRUE(refused_at_capacity);
  EXPECT_EQ(max_in_flight, std::min<uint64_t>(depth, total));
  ASSERT_EQ(log.ends.size(), total);
  const auto per_cookie = log.ends_per_cookie();
  ASSERT_EQ(per_cookie.size(), total);
  for (const auto& [cookie, count] : per_cookie) {
    ASSERT_EQ(count, 1) << "cookie " << cookie;
  }
  for (const Completion& end : log.ends) {
    ASSERT_EQ(end.end, OpEnd::kCompleted);
    ASSERT_EQ(end.result, 0);
  }
  const auto counters = loop->counters().snapshot();
  EXPECT_EQ(counters.ops_accepted, total);
  EXPECT_EQ(counters.ops_completed, total);
  EXPECT_EQ(counters.ops_abandoned, 0u);
  EXPECT_EQ(counters.wakes_received, 0u);
  EXPECT_EQ(counters.wake_rearms, 0u);
  EXPECT_EQ(counters.pending_operations, 0u);
}

INSTANTIATE_TEST_SUITE_P(Depths, SameThreadDepth, testing::Values(1u, 32u, 256u),
                         [](const auto& info) { return "depth" + std::to_string(info.param); });

// With a submit batch, staged ops go to the kernel every `submit_batch` ops, not once per call.
TEST(SameThread, ASubmitBatchHandsStagedOpsToTheKernelEveryBatch) {
  auto loop = Loop::create_inline(LoopConfig{.size = 32, .submit_batch = 4});
  EndLog log;
  uint64_t issued = 0;
  ScriptedDriver driver([&](LocalSubmitter& submitter, int) {
    while (issued < 3200 && submitter.submit(op_for(make_nop(), log, issued))) {
      ++issued;
    }
    return DriveNext{.done = issued == 3200};
  });
  EXPECT_FALSE(loop->run_inline(driver));
  EXPECT_EQ(log.ends.size(), 3200u);
  const auto counters = loop->counters().snapshot();
  EXPECT_EQ(counters.sqes_submitted, 3200u);
  EXPECT_GE(counters.enter_calls * 4, counters.sqes_submitted);
}

// The driver is the sink's only reader and runs after the whole drain: a large batch of ends is
// flushed once, not in halves as for a submitter on another thread.
TEST(SameThread, ALargeDrainIsFlushedOnce) {
  auto loop = Loop::create_inline(LoopConfig{.size = 16});
  EndLog log;
  ScriptedDriver driver([&](LocalSubmitter& submitter, int call) {
    for (uint64_t i = 0; call == 0 && i < 16; ++i) {
      EXPECT_TRUE(submitter.submit(op_for(make_nop(), log, i)));
    }
    return DriveNext{.done = call > 0};
  });
  EXPECT_FALSE(loop->run_inline(driver));
  EXPECT_EQ(log.ends.size(), 16u);
  EXPECT_EQ(log.flushes, 1);
}

// A driver's ops carry their resources into the loop and get them back with their end.
TEST(SameThread, ResourcesComeBackWithTheEnd) {
  auto loop = Loop::create_inline(LoopConfig{.size = 4});
  EndLog log;
  ScriptedDriver driver([&](LocalSubmitter& submitter, int call) {
    if (call == 0) {
      EXPECT_TRUE(submitter.submit(op_for(make_timer(1ms), log, 7)));
    }
    return DriveNext{.done = call > 0};
  });
  EXPECT_FALSE(loop->run_inline(driver));
  ASSERT_EQ(log.ends.size(), 1u);
  EXPECT_EQ(log.ends[0].result, -ETIME);
  EXPECT_NE(log.ends[0].resources, nullptr);
}

// With an op timeout, an op that outlives it ends with -ETIMEDOUT and how late the loop saw it;
// an op that ends first is untouched.
TEST(SameThread, OpTimeoutsFire) {
  auto loop = Loop::create_inline(LoopConfig{.size = 4, .op_timeout = 20ms});
  EndLog log;
  ScriptedDriver driver([&](LocalSubmitter& submitter, int call) {
    if (call == 0) {
      EXPECT_TRUE(submitter.submit(op_for(make_timer(5000s), log, 1)));
      EXPECT_TRUE(submitter.submit(op_for(make_nop(), log, 2)));
    }
    return DriveNext{.done = log.ends.size() == 2};
  });
  EXPECT_FALSE(loop->run_inline(driver));
  ASSERT_EQ(log.ends.size(), 2u);
  const Completion& nop = log.ends[0].cookie == 2 ? log.ends[0] : log.ends[1];
  const Completion& timer = log.ends[0].cookie == 1 ? log.ends[0] : log.ends[1];
  EXPECT_EQ(nop.result, 0);
  EXPECT_FALSE(nop.timeout_lateness_ns);
  EXPECT_EQ(timer.end, OpEnd::kCompleted);
  EXPECT_EQ(timer.result, -ETIMEDOUT);
  ASSERT_TRUE(timer.timeout_lateness_ns);
  EXPECT_GE(*timer.timeout_lateness_ns, 0);
  const auto counters = loop->counters().snapshot();
  EXPECT_EQ(counters.timeouts_fired, 1u);
  EXPECT_EQ(counters.timeout_cqes, 2u);
}

// A driver that is done while ops are in flight: without a shutdown timeout the loop waits for
// them (the driver is not called again).
TEST(SameThread, ShutdownDrainsWhatIsInFlight) {
  auto loop = Loop::create_inline(LoopConfig{.size = 4});
  EndLog log;
  ScriptedDriver driver([&](LocalSubmitter& submitter, int) {
    EXPECT_TRUE(submitter.submit(op_for(make_timer(30ms), log, 1)));
    EXPECT_TRUE(submitter.submit(op_for(make_nop(), log, 2)));
    return DriveNext{.done = true};
  });
  EXPECT_FALSE(loop->run_inline(driver));
  EXPECT_EQ(driver.calls(), 1);
  ASSERT_EQ(log.ends.size(), 2u);
  for (const Completion& end : log.ends) {
    EXPECT_EQ(end.end, OpEnd::kCompleted);
    EXPECT_EQ(end.result, end.cookie == 1 ? -ETIME : 0);
  }
}

// With a shutdown timeout, what has not ended when it runs out is abandoned, once.
TEST(SameThread, ShutdownTimeoutAbandonsWhatIsLeft) {
  auto loop = Loop::create_inline(LoopConfig{.size = 4, .shutdown_timeout = 50ms});
  EndLog log;
  ScriptedDriver driver([&](LocalSubmitter& submitter, int) {
    EXPECT_TRUE(submitter.submit(op_for(make_timer(5000s), log, 1)));
    EXPECT_TRUE(submitter.submit(op_for(make_nop(), log, 2)));
    return DriveNext{.done = true};
  });
  EXPECT_FALSE(loop->run_inline(driver));
  ASSERT_EQ(log.ends.size(), 2u);
  EXPECT_EQ(log.ends_per_cookie(), (std::map<uint64_t, int>{{1, 1}, {2, 1}}));
  for (const Completion& end : log.ends) {
    EXPECT_EQ(end.end, end.cookie == 1 ? OpEnd::kAbandoned : OpEnd::kCompleted);
  }
  const auto counters = loop->counters().snapshot();
  EXPECT_EQ(counters.ops_abandoned, 1u);
  EXPECT_EQ(counters.pending_operations, 0u);
}

// A driver with nothing in flight that asks to be called again at a time (an open loop between
// arrivals) is called again, and the loop does not wait for a completion that cannot come.
TEST(SameThread, ADriverWithNothingInFlightIsCalledAgainAtItsTime) {
  auto loop = Loop::create_inline(LoopConfig{.size = 4});
  EndLog log;
  ScriptedDriver driver([&](LocalSubmitter& submitter, int call) {
    EXPECT_EQ(submitter.room(), 4u);
    return call < 3 ? DriveNext{.wake_at_ns = monotonic_ns() + 1'000'000} : DriveNext{.done = true};
  });
  EXPECT_FALSE(loop->run_inline(driver));
  EXPECT_EQ(driver.calls(), 4);
  EXPECT_TRUE(log.ends.empty());
}

// An unrecoverable error (io_uring_enter refused, as a seccomp filter would) stops the loop:
// every op in flight or staged is abandoned exactly once, the driver is not called again, and
// the error is returned.
TEST(SameThread, AnErrorAbandonsEverythingOnce) {
  auto loop = Loop::create_inline(LoopConfig{.size = 8});
  EndLog log;
  int refused = 0;
  ScriptedDriver driver([&](LocalSubmitter& submitter, int call) {
    if (call == 0) {
      for (uint64_t cookie = 0; cookie < 3; ++cookie) {
        EXPECT_TRUE(submitter.submit(op_for(make_timer(5000s), log, cookie)));
      }
      EXPECT_TRUE(submitter.submit(op_for(make_nop(), log, 3)));  // the loop waits for it
      return DriveNext{};
    }
    // The timers are in flight, the NOP has ended. From now on this thread cannot enter.
    const int io_uring_enter_nr = __NR_io_uring_enter;
    refused = refuse_syscalls_with_seccomp({&io_uring_enter_nr, 1}, EPERM);
    EXPECT_TRUE(submitter.submit(op_for(make_timer(5000s), log, 4)));  // staged, never entered
    return DriveNext{};
  });
  std::optional<LoopError> error;
  // The filter stays on the thread that installs it: the loop gets a thread of its own.
  std::thread([&] { error = loop->run_inline(driver); }).join();
  if (refused != 0) {
    GTEST_SKIP() << "seccomp filter not installed: " << errno_name(refused);
  }
  ASSERT_TRUE(error);
  EXPECT_EQ(error->call, "io_uring_enter");
  EXPECT_EQ(error->error, EPERM);
  EXPECT_EQ(driver.calls(), 2);
  ASSERT_EQ(log.ends.size(), 5u);
  const auto per_cookie = log.ends_per_cookie();
  ASSERT_EQ(per_cookie.size(), 5u);
  for (const Completion& end : log.ends) {
    EXPECT_EQ(per_cookie.at(end.cookie), 1);
    EXPECT_EQ(end.end, end.cookie == 3 ? OpEnd::kCompleted : OpEnd::kAbandoned);
  }
  const auto counters = loop->counters().snapshot();
  EXPECT_EQ(counters.ops_abandoned, 4u);
  EXPECT_EQ(counters.pending_operations, 0u);
}

// A loop made for the same-thread design has no Submitter: run() finds it already closed and
// returns at once.
TEST(SameThread, RunOnAnInlineLoopReturnsAtOnce) {
  auto loop = Loop::create_inline(LoopConfig{.size = 4});
  EXPECT_FALSE(loop->run());
}

}  // namespace
}  // namespace iob
