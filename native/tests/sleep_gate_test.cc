// The packed sleep-intent/sequence handshake (contract point 5) and the eventfd doorbell
// (contract point 4).
#include <fcntl.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>

#include "helpers.h"

namespace iob {
namespace {

TEST(SleepGate, PublishAddsOneToTheSequenceAndRingsOnlyWhenArmed) {
  SleepGate gate;
  EXPECT_EQ(gate.published(), 0u);
  EXPECT_FALSE(gate.publish());  // not armed: no wake needed
  EXPECT_EQ(gate.published(), 1u);
  EXPECT_EQ(gate.word()->load(), SleepGate::kIncrement);  // the high bits hold the sequence

  EXPECT_EQ(gate.arm(), 1u);  // arm returns the sequence from the same operation
  EXPECT_EQ(gate.word()->load() & SleepGate::kSleepIntent, SleepGate::kSleepIntent);
  EXPECT_TRUE(gate.publish());  // armed: this publisher must wake the sleeper
  EXPECT_EQ(gate.published(), 2u);

  gate.disarm();
  EXPECT_FALSE(gate.publish());
  EXPECT_EQ(gate.published(), 3u);
}

TEST(SleepGate, ArmSnapshotShowsAPublishThatRacedAhead) {
  SleepGate gate;
  const uint32_t processed = gate.published();
  gate.publish();                    // lands between the sleeper's last drain and its arm
  EXPECT_NE(gate.arm(), processed);  // so the sleeper must not block
}

TEST(SleepGate, SequenceWrapsWithinItsDomain) {
  SleepGate gate;
  gate.word()->store(SleepGate::kSequenceMask << SleepGate::kFlagBits);  // at its maximum
  EXPECT_EQ(gate.published(), SleepGate::kSequenceMask);
  gate.publish();
  EXPECT_EQ(gate.published(), 0u);
}

TEST(FutexGate, SleeperWakesOnPublishAndNeverMissesOne) {
  // A sleeper waits for `items`; a publisher adds them one at a time. Each iteration races
  // publish against arm; a lost wake would hang the test.
  FutexGate gate;
  std::atomic<int> items{0};
  const int kRounds = scaled_count(20000);
  std::thread sleeper([&] {
    for (int seen = 0; seen < kRounds;) {
      if (items.load(std::memory_order_acquire) > seen) {
        ++seen;
        continue;
      }
      gate.sleep_unless([&] { return items.load(std::memory_order_acquire) > seen; });
      gate.disarm();
    }
  });
  for (int i = 0; i < kRounds; ++i) {
    items.fetch_add(1, std::memory_order_release);
    gate.publish_and_wake();
  }
  sleeper.join();
  EXPECT_EQ(items.load(), kRounds);
}

TEST(Waker, UsesANonBlockingCloseOnExecEventfd) {
  Waker waker;
  const int flags = fcntl(waker.fd(), F_GETFL);
  const int fd_flags = fcntl(waker.fd(), F_GETFD);
  EXPECT_NE(flags & O_NONBLOCK, 0);
  EXPECT_NE(fd_flags & FD_CLOEXEC, 0);
}

TEST(Waker, RingOnASaturatedCounterCountsAsAlreadyRung) {
  Waker waker;
  // Fill the eventfd counter to its maximum: a further write would block (EAGAIN).
  const uint64_t almost_full = UINT64_MAX - 1;
  ASSERT_EQ(write(waker.fd(), &almost_full, sizeof almost_full), 8);
  waker.ring();  // must return, not block or fail
  uint64_t value = 0;
  ASSERT_EQ(read(waker.fd(), &value, sizeof value), 8);
  EXPECT_EQ(value, almost_full);
}

TEST(Waker, AcknowledgeDrainsTheWholeCounter) {
  Waker waker;
  waker.ring();
  waker.ring();
  waker.acknowledge();
  uint64_t value = 0;
  EXPECT_EQ(read(waker.fd(), &value, sizeof value), -1);  // nothing left
  EXPECT_EQ(errno, EAGAIN);
  waker.acknowledge();  // EAGAIN: returns quietly
}

}  // namespace
}  // namespace iob
