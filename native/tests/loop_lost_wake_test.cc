// Lost wakes, for every wake mechanism: each test puts a publish (or the last Submitter's close)
// at one place in the loop's arm / recheck / block sequence, or blocks the loop where its wake
// source is hardest to install (a CQ overflow, an SQ of one entry). A lost wake leaves the loop
// asleep: each wait is bounded and then fails the test.
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <random>

#include "helpers.h"

namespace iob {
namespace {

void ignore_signal(int) {}

class LoopLostWake : public EachWake {
 protected:
  void SetUp() override {
    EachWake::SetUp();
    if (!IsSkipped() && !sleeps()) {
      GTEST_SKIP() << "a busy-polling loop never sleeps, so it has no wake to lose";
    }
  }

  // The loop's sleep with `armed`, run on a thread of its own: whether it returned within 2 s.
  // A sleeper that does not is interrupted by signals (EINTR ends both io_uring_enter and
  // futex_wait), so the test fails instead of hanging.
  static bool sleep_returns(Loop& loop, uint32_t armed) {
    struct sigaction action {};
    action.sa_handler = ignore_signal;  // no SA_RESTART: the blocked call returns EINTR
    sigemptyset(&action.sa_mask);
    struct sigaction previous {};
    sigaction(SIGUSR1, &action, &previous);
    std::atomic<bool> returned{false};
    std::thread sleeper([&] {
      LoopTestAccess::sleep_armed(loop, armed);
      returned.store(true, std::memory_order_release);
    });
    const bool in_time = eventually([&] { return returned.load(std::memory_order_acquire); }, 2s);
    while (!returned.load(std::memory_order_acquire)) {
      pthread_kill(sleeper.native_handle(), SIGUSR1);
      std::this_thread::sleep_for(10ms);
    }
    sleeper.join();
    sigaction(SIGUSR1, &previous, nullptr);
    return in_time;
  }
};

// The loop drained and staged, then a submission landed before it armed: the arm's snapshot
// shows it and the loop must not sleep (and the submitter, finding it unarmed, sent no wake).
TEST_P(LoopLostWake, APublishBeforeTheArmShowsInItsSnapshot) {
  auto [submitter, loop] = Loop::create(config({.size = 4}));
  ASSERT_FALSE(LoopTestAccess::start(*loop));
  LoopTestAccess::drain_and_fill(*loop);
  OneShot done;
  Op op = make_nop();
  op.sink = &done;
  ASSERT_TRUE(submitter.send(op));
  const uint32_t armed = LoopTestAccess::arm_idle(*loop);
  EXPECT_FALSE(LoopTestAccess::nothing_new(*loop, armed)) << "the loop would sleep past the op";
  LoopTestAccess::disarm(*loop);
  EXPECT_EQ(loop->counters().wakes_sent.get(), 0u);
  LoopTestAccess::drain_and_fill(*loop);
  LoopTestAccess::finish(*loop);
  ASSERT_TRUE(done.wait_for(2s).has_value());
}

// The loop armed (nothing new yet), the submitter published and sent its whole wake, and only
// then the loop blocked: the wake must still end the sleep (eventfd readiness and MSG_RING CQEs
// persist; the word a futex sleeper or a FUTEX_WAIT op expects has changed).
TEST_P(LoopLostWake, AWakeSentBeforeTheLoopBlocksEndsItsSleep) {
  auto [submitter, loop] = Loop::create(config({.size = 4}));
  ASSERT_FALSE(LoopTestAccess::start(*loop));
  LoopTestAccess::drain_and_fill(*loop);
  const uint32_t armed = LoopTestAccess::arm_idle(*loop);
  ASSERT_TRUE(LoopTestAccess::nothing_new(*loop, armed));
  OneShot done;
  Op op = make_nop();
  op.sink = &done;
  ASSERT_TRUE(submitter.send(op));
  EXPECT_EQ(loop->counters().wakes_sent.get(), 1u);
  EXPECT_TRUE(sleep_returns(*loop, armed)) << "the wake sent before the loop blocked was lost";
  LoopTestAccess::disarm(*loop);
  LoopTestAccess::drain_and_fill(*loop);
  LoopTestAccess::finish(*loop);
  ASSERT_TRUE(done.wait_for(2s).has_value());
}

// The loop armed and blocked with the sequence it saw then; a submission publishes while it
// sleeps (so its snapshot is stale) and must wake it.
TEST_P(LoopLostWake, APublishWhileTheLoopSleepsOnAStaleSnapshotWakesIt) {
  auto [submitter, loop] = Loop::create(config({.size = 4}));
  ASSERT_FALSE(LoopTestAccess::start(*loop));
  LoopTestAccess::drain_and_fill(*loop);
  const uint32_t armed = LoopTestAccess::arm_idle(*loop);
  ASSERT_TRUE(LoopTestAccess::nothing_new(*loop, armed));
  OneShot done;
  std::thread publisher([&, handle = submitter]() mutable {
    std::this_thread::sleep_for(20ms);  // most often after the loop blocked; either order holds
    Op op = make_nop();
    op.sink = &done;
    ASSERT_TRUE(handle.send(op));
  });
  EXPECT_TRUE(sleep_returns(*loop, armed)) << "the publish did not wake the sleeping loop";
  publisher.join();
  LoopTestAccess::disarm(*loop);
  LoopTestAccess::drain_and_fill(*loop);
  LoopTestAccess::finish(*loop);
  ASSERT_TRUE(done.wait_for(2s).has_value());
}

// The last Submitter goes while the loop sleeps, idle (futex: parked on the word) or with an
// op in flight (futex: in the ring): its close must end the sleep.
TEST_P(LoopLostWake, TheLastSubmitterGoneWhileTheLoopSleepsEndsTheSleep) {
  for (const bool op_in_flight : {false, true}) {
    SCOPED_TRACE(op_in_flight ? "an op in flight" : "idle");
    auto [submitter, loop] = Loop::create(config({.size = 4, .shutdown_timeout = 10ms}));
    ASSERT_FALSE(LoopTestAccess::start(*loop));
    auto [left, right] = socket_pair();
    OneShot recv;
    if (op_in_flight) {
      Op op = make_recv(left, 8);
      op.sink = &recv;
      ASSERT_TRUE(submitter.send(op));
    }
    LoopTestAccess::drain_and_fill(*loop);
    const uint32_t armed = LoopTestAccess::arm_idle(*loop);
    ASSERT_TRUE(LoopTestAccess::nothing_new(*loop, armed));
    std::thread closer([handle = std::move(submitter)]() mutable {
      std::this_thread::sleep_for(20ms);
      auto last = std::move(handle);
    });
    EXPECT_TRUE(sleep_returns(*loop, armed)) << "the close did not wake the sleeping loop";
    closer.join();
    LoopTestAccess::disarm(*loop);
    LoopTestAccess::finish(*loop);
    if (op_in_flight) {
      EXPECT_EQ(recv.wait().end, OpEnd::kAbandoned);
    }
  }
}

// Fills the CQ four times over from the loop thread (NOPs under the linked timeouts' reserved
// user_data, which the loop counts and otherwise ignores) and, with the eventfd poll, rings the
// eventfd while the CQ is full, so the multishot poll cannot post its CQE and ends.
class CqFlooder final : public CompletionSink {
 public:
  explicit CqFlooder(Loop& loop) : loop_(loop) {}
  void deliver(Completion&& completion) override {
    io_uring& ring = LoopTestAccess::ring(loop_);
    flood_ = 4 * ring.cq.ring_entries;
    for (unsigned staged = 0; staged < flood_;) {
      io_uring_sqe* sqe = io_uring_get_sqe(&ring);
      if (sqe == nullptr) {
        io_uring_submit(&ring);
        continue;
      }
      io_uring_prep_nop(sqe);
      io_uring_sqe_set_data64(sqe, kTimeoutUserData);
      ++staged;
    }
    io_uring_submit(&ring);
    if (wakes_through_eventfd(loop_.config().wake)) {
      LoopTestAccess::waker(loop_).ring();
    }
    done_.deliver(std::move(completion));
  }
  void flush() override { done_.flush(); }
  bool wait() { return done_.wait_for(2s).has_value(); }
  unsigned flood() const { return flood_; }

 private:
  Loop& loop_;
  unsigned flood_ = 0;
  OneShot done_;
};

// Whether this kernel ends a multishot poll whose CQE finds the CQ full: its last CQE, queued in
// the overflow list, lacks IORING_CQE_F_MORE. 6.1 and later end it; Debian's 5.10 queues the
// CQE with F_MORE and keeps the poll armed.
bool kernel_ends_a_multishot_poll_on_a_full_cq() {
  io_uring ring{};
  if (io_uring_queue_init(2, &ring, 0) != 0) {
    return false;
  }
  const int event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  constexpr uint64_t kPoll = 1;
  io_uring_sqe* poll = io_uring_get_sqe(&ring);
  io_uring_prep_poll_multishot(poll, event_fd, POLLIN);
  io_uring_sqe_set_data64(poll, kPoll);
  io_uring_submit(&ring);
  for (unsigned staged = 0; staged < ring.cq.ring_entries; ++staged) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    if (sqe == nullptr) {
      io_uring_submit(&ring);
      sqe = io_uring_get_sqe(&ring);
    }
    io_uring_prep_nop(sqe);
    io_uring_sqe_set_data64(sqe, kPoll + 1);
  }
  io_uring_submit(&ring);
  const uint64_t one = 1;
  (void)::write(event_fd, &one, sizeof one);
  bool ended = false;
  __kernel_timespec limit{.tv_sec = 1, .tv_nsec = 0};
  io_uring_cqe* cqe = nullptr;
  while (io_uring_wait_cqe_timeout(&ring, &cqe, &limit) == 0) {
    const bool poll_cqe = cqe->user_data == kPoll;
    ended = poll_cqe && (cqe->flags & IORING_CQE_F_MORE) == 0;
    io_uring_cqe_seen(&ring, cqe);
    if (poll_cqe) {
      break;
    }
  }
  ::close(event_fd);
  io_uring_queue_exit(&ring);
  return ended;
}

// After the CQ overflowed (and, with the eventfd poll on a kernel that ends it there, the poll
// was re-armed) the loop still sleeps and is still woken.
TEST_P(LoopLostWake, TheWakeStillWorksAfterACqOverflow) {
  LoopThread running(config({.size = 4, .op_timeout = 10s}));
  Loop& loop = running.loop();
  ASSERT_TRUE(went_idle(running));
  CqFlooder flooder(loop);
  send(running, make_nop(), flooder);
  ASSERT_TRUE(flooder.wait());
  // The flood, and the linked timeout of the flooder's own op.
  ASSERT_TRUE(eventually([&] { return loop.counters().timeout_cqes.get() == flooder.flood() + 1; }))
      << "the overflowed CQEs never reached the loop: " << loop.counters().timeout_cqes.get()
      << " of " << flooder.flood() + 1;
  if (wakes_through_eventfd(wake()) && kernel_ends_a_multishot_poll_on_a_full_cq()) {
    ASSERT_TRUE(eventually([&] { return loop.counters().wake_rearms.get() >= 2; }))
        << "the poll that ended on the full CQ was not re-armed";
  }
  std::this_thread::sleep_for(20ms);  // let it go back to sleep
  OneShot after;
  send(running, make_nop(), after);
  EXPECT_TRUE(after.wait_for(2s).has_value()) << "a submission after the overflow was not woken";
  EXPECT_FALSE(running.stop());
}

// Size 1: one SQ entry, and one waiter. An op staged fills the SQ, so the wake source the loop
// installs before it sleeps (a FUTEX_WAIT) needs the staged op handed to the kernel first; ops
// sent one at a time with random gaps land in every step of it.
TEST_P(LoopLostWake, ASleepWithTheSqFullAtRingSizeOneIsStillWoken) {
  LoopThread running(config({.size = 1}));
  std::mt19937 random(4242);
  std::uniform_int_distribution<int> gap_us(0, 60);
  const int kOps = scaled_count(500);
  for (int i = 0; i < kOps; ++i) {
    OneShot done;
    send(running, make_nop(), done);
    ASSERT_TRUE(done.wait_for(2s).has_value()) << "op " << i << " never completed: a lost wake";
    const int gap = gap_us(random);
    if (gap > 30) {
      std::this_thread::sleep_for(std::chrono::microseconds(gap - 30));
    }
  }
  EXPECT_FALSE(running.stop());
  EXPECT_EQ(running.loop().counters().ops_completed.get(), static_cast<uint64_t>(kOps));
}

IOB_FOR_EACH_WAKE(LoopLostWake);

}  // namespace
}  // namespace iob
