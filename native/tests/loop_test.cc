// The loop's configuration, wake path and iteration (contract points 1, 3, 4, 6, 10, 12).
#include <errno.h>
#include <poll.h>

#include <cstring>

#include "helpers.h"
#include "loop/uapi.h"

namespace iob {
namespace {

using LoopEachWake = EachWake;

TEST(Loop, RoundsRingSizeUpToAPowerOfTwo) {
  {
    auto [submitter, loop] = Loop::create(LoopConfig{.size = 1000});
    EXPECT_EQ(loop->config().size, 1024u);
    EXPECT_EQ(loop->capacity(), 1024u);        // waiter capacity
    EXPECT_EQ(loop->queue_capacity(), 1024u);  // MPSC capacity
  }
  {
    auto [submitter, loop] = Loop::create(LoopConfig{.size = 1024});
    EXPECT_EQ(loop->config().size, 1024u);
    EXPECT_EQ(loop->capacity(), 1024u);
  }
  EXPECT_EQ(round_up_to_power_of_two(0), 1u);
  EXPECT_EQ(round_up_to_power_of_two(1), 1u);
  EXPECT_EQ(round_up_to_power_of_two(3), 4u);
}

TEST(Loop, RefusesRingsAboveTheKernelMaximum) {
  EXPECT_THROW(Loop::create(LoopConfig{.size = kMaxRingEntries + 1}), std::invalid_argument);
  // With op timeouts every op takes two SQ entries.
  EXPECT_THROW(Loop::create(LoopConfig{.size = kMaxRingEntries, .op_timeout = 1s}),
               std::invalid_argument);
  EXPECT_NO_THROW(Loop::create(LoopConfig{.size = kMaxRingEntries / 2, .op_timeout = 1s}));
}

TEST(Loop, OpTimeoutDoublesTheRingEntries) {
  LoopThread plain(LoopConfig{.size = 8});
  LoopThread timed(LoopConfig{.size = 8, .op_timeout = 1s});
  ASSERT_FALSE(plain.loop().wait_until_started());
  ASSERT_FALSE(timed.loop().wait_until_started());
  EXPECT_EQ(plain.loop().ring_info().sq_entries, 8u);
  EXPECT_EQ(timed.loop().ring_info().sq_entries, 16u);
  EXPECT_EQ(timed.loop().capacity(), 8u);  // still 8 ops in flight
}

// How many ends came before each flush.
class FlushTrace final : public CompletionSink {
 public:
  void deliver(Completion&&) override { ++unflushed_; }
  void flush() override {
    ends_per_flush.push_back(unflushed_);
    unflushed_ = 0;
  }
  std::vector<int> ends_per_flush;

 private:
  int unflushed_ = 0;
};

// The loop drains `ops` NOPs that completed in one batch; how many ends each flush published.
std::vector<int> ends_per_flush_of_one_drain(int ops) {
  auto [submitter, loop] = Loop::create(LoopConfig{.size = 32});
  EXPECT_FALSE(LoopTestAccess::start(*loop));
  FlushTrace trace;
  std::vector<Op> burst(ops);
  for (Op& op : burst) {
    op = make_nop();
    op.sink = &trace;
  }
  EXPECT_EQ(submitter.send_all(burst), burst.size());
  LoopTestAccess::drain_and_fill(*loop);  // stages the burst
  // NOPs complete inline, during the submit (which also installs the wake poll: no CQE).
  io_uring_submit(&LoopTestAccess::ring(*loop));
  EXPECT_EQ(io_uring_cq_ready(&LoopTestAccess::ring(*loop)), static_cast<unsigned>(ops));
  LoopTestAccess::drain_and_fill(*loop);  // drains its ends
  LoopTestAccess::finish(*loop);
  return trace.ends_per_flush;
}

// A large batch of ends reaches its submitter in two halves, so it refills while the loop
// delivers the second; a small one in one flush.
TEST(Loop, ALargeDrainPublishesItsFirstHalfEarly) {
  EXPECT_EQ(ends_per_flush_of_one_drain(16), (std::vector<int>{8, 8}));
  EXPECT_EQ(ends_per_flush_of_one_drain(9), (std::vector<int>{4, 5}));
  EXPECT_EQ(ends_per_flush_of_one_drain(7), (std::vector<int>{7}));
}

// Seed: test_wake_path_makes_progress. The recv is staged and the loop blocks in
// io_uring_enter; only the wake path can get the write to it, which completes the recv.
TEST_P(LoopEachWake, RecvBeforeSendCompletesWhileTheLoopIsBlocked) {
  LoopThread running(config());
  auto [left, right] = socket_pair();

  OneShot recv_done, write_done;
  send(running, make_recv(left, 5), recv_done);
  // Let the loop go to sleep with the recv in flight.
  ASSERT_TRUE(went_idle(running));
  send(running, make_write(right, "hello"), write_done);

  auto recv = recv_done.wait_for(2s);
  auto write = write_done.wait_for(2s);
  ASSERT_TRUE(recv.has_value()) << "recv did not complete: the wake path failed";
  ASSERT_TRUE(write.has_value());
  EXPECT_EQ(recv->result, 5);
  EXPECT_EQ(write->result, 5);
  EXPECT_EQ(std::memcmp(recv->resources->buffer.data(), "hello", 5), 0);
  EXPECT_FALSE(running.stop());

  const auto counters = running.loop().counters().snapshot();
  if (sleeps()) {
    EXPECT_GE(counters.wakes_sent, 1u);  // the write's publish woke the sleeping loop
    EXPECT_GE(counters.wakes_received, 1u);
  }
  if (wakes_through_eventfd(wake())) {
    EXPECT_EQ(counters.wake_rearms, 1u);  // multishot: installed once, never re-armed
  }
}

TEST_P(LoopEachWake, TheLastSubmitterGoingIsNotACountedWake) {
  LoopThread running(config());
  ASSERT_TRUE(went_idle(running));
  EXPECT_FALSE(running.stop());
  // The disconnection wakes the loop to end its sleep, but no submission was published.
  EXPECT_EQ(running.loop().counters().snapshot().wakes_sent, 0u);
}

TEST_P(LoopEachWake, ReturnsTheBufferWithTheResult) {
  LoopThread running(config());
  auto [left, right] = socket_pair();
  ASSERT_EQ(::write(right->get(), "abc", 3), 3);
  OneShot done;
  send(running, make_recv(left, 16), done, /*cookie=*/42);
  Completion completion = done.wait();
  EXPECT_EQ(completion.end, OpEnd::kCompleted);
  EXPECT_EQ(completion.cookie, 42u);
  EXPECT_EQ(completion.result, 3);
  EXPECT_EQ(completion.resources->buffer.size(), 16u);
  EXPECT_TRUE(completion.resources->fd);  // the fd handle comes back too
}

// Runs on the loop thread (from deliver): hands the loop a wake CQE with the given flags, as
// the kernel would post it, and records whether the loop now wants to re-arm its poll.
class WakeCqeInjector final : public CompletionSink {
 public:
  WakeCqeInjector(Loop& loop, uint32_t flags) : loop_(loop), flags_(flags) {}
  void deliver(Completion&& completion) override {
    LoopTestAccess::handle_cqe(loop_, kWakeUserData, POLLIN, flags_);
    rearm_needed_ = LoopTestAccess::wake_rearm_needed(loop_);
    done_.deliver(std::move(completion));
  }
  void flush() override { done_.flush(); }
  bool wait_rearm_needed() {
    done_.wait();
    return rearm_needed_;
  }

 private:
  Loop& loop_;
  const uint32_t flags_;
  bool rearm_needed_ = false;
  OneShot done_;
};

// The kernel ends a multishot poll only in rare cases (CQ overflow), and then posts a last CQE
// without IORING_CQE_F_MORE. The loop must install a new poll on its next fill, or it would
// sleep through every later submission.
TEST_P(LoopEachWake, AWakeCqeWithoutMoreReArmsThePollOnTheNextFill) {
  if (!wakes_through_eventfd(wake())) {
    GTEST_SKIP() << "only the eventfd poll is multishot";
  }
  LoopThread running(config());
  Loop& loop = running.loop();
  ASSERT_TRUE(eventually([&] { return loop.counters().sleeps.get() > 0; }));
  EXPECT_EQ(loop.counters().wake_rearms.get(), 1u);  // installed once, at the first fill

  WakeCqeInjector still_armed(loop, IORING_CQE_F_MORE);
  send(running, make_nop(), still_armed);
  EXPECT_FALSE(still_armed.wait_rearm_needed());

  WakeCqeInjector ended(loop, 0);
  send(running, make_nop(), ended);
  EXPECT_TRUE(ended.wait_rearm_needed());
  ASSERT_TRUE(eventually([&] { return loop.counters().wake_rearms.get() == 2; }));

  // Once the loop sleeps again, a new submission still wakes it.
  std::this_thread::sleep_for(20ms);
  OneShot again;
  send(running, make_nop(), again);
  EXPECT_TRUE(again.wait_for(2s).has_value());
  EXPECT_FALSE(running.stop());
}

TEST_P(LoopEachWake, PendingOperationsCountsOpsInFlight) {
  LoopThread running(config({.size = 8}));
  OneShot a, b, c;
  send(running, make_timer(300ms), a);
  send(running, make_timer(300ms), b);
  send(running, make_timer(300ms), c);
  ASSERT_TRUE(eventually([&] { return running.loop().counters().pending_operations.load() == 3; }));
  a.wait();
  b.wait();
  c.wait();
  ASSERT_TRUE(eventually([&] { return running.loop().counters().pending_operations.load() == 0; }));
}

TEST_P(LoopEachWake, TimerOpEndsWithEtime) {
  LoopThread running(config());
  OneShot done;
  const auto started = std::chrono::steady_clock::now();
  send(running, make_timer(20ms), done);
  EXPECT_EQ(done.wait().result, -ETIME);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 20ms);
}

// A timer's end is completion work that a COOP_TASKRUN (or DEFER_TASKRUN) ring runs only when
// the loop enters the kernel: a loop that waits, spins or busy-polls must still get it.
TEST_P(LoopEachWake, ATimerEndsOnRingsWhoseCompletionWorkWaitsForAnEnter) {
  for (LoopConfig knob : {LoopConfig{.coop_taskrun = true}, LoopConfig{.taskrun_flag = true},
                          LoopConfig{.defer_taskrun = true}}) {
    LoopThread running(config(knob));
    auto started = running.loop().wait_until_started();
    if (started && started->error == EINVAL) {
      GTEST_SKIP() << "kernel refuses " << started->message();
    }
    ASSERT_FALSE(started) << started->message();
    OneShot done;
    send(running, make_timer(2ms), done);
    const auto end = done.wait_for(5s);
    ASSERT_TRUE(end.has_value()) << "the timer's end never reached the loop";
    EXPECT_EQ(end->result, -ETIME);
    EXPECT_FALSE(running.stop());
  }
}

// Seed: test_single_issuer.
TEST_P(LoopEachWake, NopOnASingleIssuerRing) {
  LoopThread running(config({.single_issuer = true, .defer_taskrun = true}));
  auto started = running.loop().wait_until_started();
  if (started && started->error == EINVAL) {
    GTEST_SKIP() << "kernel refuses SINGLE_ISSUER|DEFER_TASKRUN: " << started->message();
  }
  ASSERT_FALSE(started) << started->message();
  EXPECT_EQ(running.loop().ring_info().setup_flags,
            uint32_t{IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN});
  OneShot done;
  send(running, make_nop(), done);
  EXPECT_EQ(done.wait().result, 0);
  EXPECT_FALSE(running.stop());
}

TEST(Loop, AnErrorNamesTheCallTheErrnoAndTheRingFlags) {
  LoopError error{"io_uring_setup", EINVAL, "entries=128 flags=SINGLE_ISSUER|DEFER_TASKRUN"};
  EXPECT_EQ(error.message(),
            "io_uring_setup: Invalid argument (EINVAL): entries=128 "
            "flags=SINGLE_ISSUER|DEFER_TASKRUN");
  EXPECT_EQ(ring_setup_flags(LoopConfig{.single_issuer = true}),
            uint32_t{IORING_SETUP_SINGLE_ISSUER});
  EXPECT_EQ(ring_setup_flags(LoopConfig{.defer_taskrun = true}),
            uint32_t{IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN});
  EXPECT_EQ(ring_setup_flags(LoopConfig{.taskrun_flag = true}),
            uint32_t{IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG});
  EXPECT_EQ(ring_setup_flags(LoopConfig{.sqpoll = true, .sq_thread_cpu = 1}),
            uint32_t{IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF});
  EXPECT_EQ(ring_setup_flags(LoopConfig{.cq_entries = 1024, .submit_all = true}),
            uint32_t{IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL});
  EXPECT_EQ(ring_setup_flags(LoopConfig{.no_sqarray = true}), uint32_t{IORING_SETUP_NO_SQARRAY});
  EXPECT_EQ(ring_setup_flags(LoopConfig{.io_poll = true}), uint32_t{IORING_SETUP_IOPOLL});
}

// io_poll sets IORING_SETUP_IOPOLL. Such a ring accepts only polled read/write ops, so the
// kernel refuses the loop's eventfd POLL_ADD: the loop must stop with that reason, abandon
// what it was given, and never hang.
TEST(Loop, IoPollRingStopsWithTheWakePollReason) {
  LoopThread running(LoopConfig{.io_poll = true});
  auto started = running.loop().wait_until_started();
  ASSERT_FALSE(started) << started->message();
  EXPECT_EQ(running.loop().ring_info().setup_flags & IORING_SETUP_IOPOLL,
            uint32_t{IORING_SETUP_IOPOLL});
  OneShot done;
  Op op = make_nop();
  op.sink = &done;
  // Refused if the loop has already stopped; otherwise it must be abandoned, not lost.
  const bool accepted = running.submitter().send(op);
  auto exit = running.stop();
  if (!exit) {
    GTEST_SKIP() << "this kernel accepts POLL_ADD on an IOPOLL ring";
  }
  if (accepted) {
    auto end = done.wait_for(2s);
    ASSERT_TRUE(end.has_value());
    EXPECT_EQ(end->end, OpEnd::kAbandoned);
  }
  EXPECT_EQ(exit->call, "wake poll");
  EXPECT_EQ(exit->error, EINVAL);
  EXPECT_NE(exit->detail.find("IOPOLL"), std::string::npos);
}

TEST_P(LoopEachWake, ACapacityStallIsCountedWaiterBound) {
  LoopThread running(config({.size = 2}));
  OneShot sinks[4];
  for (auto& sink : sinks) {
    send(running, make_timer(20ms), sink);
  }
  for (auto& sink : sinks) {
    EXPECT_EQ(sink.wait().result, -ETIME);
  }
  const auto counters = running.loop().counters().snapshot();
  EXPECT_GE(counters.capacity_stalls, 1u);
  EXPECT_GE(counters.capacity_stalls_waiter_bound, 1u);
  EXPECT_GT(counters.stall_ns_total, 0u);
  EXPECT_GE(counters.stall_ns_total, counters.stall_ns_max);
  EXPECT_EQ(running.loop().counters().stall_since_ns.load(), 0);
}

// Size 1 means one SQ entry. The first fill stages the wake poll into it, so an op queued before
// the loop starts finds the SQ full with its waiter slot free: an SQ-bound stall. With nothing
// in flight, waiting for a completion there would never return. (Mechanisms without the poll
// stage the op at once; the op must end all the same.)
TEST_P(LoopEachWake, AnSqBoundStallFlushesTheSqInsteadOfWaiting) {
  auto [submitter, loop] = Loop::create(config({.size = 1}));
  OneShot first;
  Op op = make_nop();
  op.sink = &first;
  ASSERT_TRUE(submitter.send(op));
  std::thread thread([l = loop.get()] { l->run(); });
  auto end = first.wait_for(2s);
  ASSERT_TRUE(end.has_value()) << "the loop hung in an SQ-bound stall";
  EXPECT_EQ(end->result, 0);
  { auto drop = std::move(submitter); }
  thread.join();
  if (wakes_through_eventfd(wake())) {
    EXPECT_GE(loop->counters().capacity_stalls_sq_bound.get(), 1u);
  }
}

IOB_FOR_EACH_WAKE(LoopEachWake);

}  // namespace
}  // namespace iob
