// How a submitter wakes a loop that sleeps (LoopConfig::wake), one mechanism per run, all gated
// by the SleepGate handshake: submitters send a wake only while the loop has armed sleep intent.
//
//   eventfd   Submitter --write(eventfd)--> wake fd --POLLIN CQE (kWakeUserData)--> loop in
//             io_uring_enter (a multishot POLL_ADD, re-armed when a CQE lacks F_MORE)
//   futex     nothing in flight: the loop parks on the gate word, Submitter --FUTEX_WAKE-->;
//             ops in flight: the loop waits in io_uring_enter, woken as with eventfd
//   msg-ring  Submitter --IORING_OP_MSG_RING CQE (kWakeUserData)--> loop in io_uring_enter, sent
//             with IORING_REGISTER_SEND_MSG_RING (6.13: no source ring) or else from a small
//             ring of the submitter's thread
//   futex-op  the loop keeps an IORING_OP_FUTEX_WAIT on the gate word; Submitter --FUTEX_WAKE-->
//             completes it (kWakeUserData) and wakes the loop in io_uring_enter
//   busy-poll the loop never sleeps and never arms, so submitters never send a wake
//
// One class, not one per mechanism: they share the gate and differ in two places only (what a
// publisher does when it finds the loop armed, wake(), and what the loop installs to be woken,
// in Loop), so a switch there keeps each protocol readable in one piece and costs no virtual
// call on the publish path.
//
// It keeps three things apart, so correctness never depends on how the kernel coalesces
// readiness: sequence publication (SleepGate sequence bits), sleep gating (SleepGate intent and
// parked bits) and kernel readiness consumption (the eventfd read in acknowledge()).
//
// The futex mechanism's two sleeps cannot lose a wake between them: the loop arms one of two
// states in the same word, intent alone (it will block in io_uring_enter, with the eventfd poll
// installed) or intent with kParked (it will futex_wait on that exact armed word), and a
// publisher's fetch_add returns the state it found, so it uses the path the loop armed for:
// FUTEX_WAKE for a parked loop, the eventfd for one in the ring. A publish before the arm shows
// in the arm's snapshot (the loop does not block); one after it changes the word, so a loop not
// yet in futex_wait finds the word changed and returns, and one already there is woken. A wake
// sent for an arm that has since ended (the loop woke another way) is harmless: an eventfd
// write leaves readiness that ends one later sleep early, a FUTEX_WAKE finds no sleeper.
#pragma once

#include <liburing.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fd.h"
#include "loop/sleep_gate.h"

namespace iob {

enum class WakeMechanism { kEventfd, kFutex, kMsgRing, kFutexOp, kBusyPoll };

inline constexpr std::array kWakeMechanisms{WakeMechanism::kEventfd, WakeMechanism::kFutex,
                                            WakeMechanism::kMsgRing, WakeMechanism::kFutexOp,
                                            WakeMechanism::kBusyPoll};

// "eventfd", "futex", "msg-ring", "futex-op", "busy-poll": the names the CLI takes.
const char* wake_mechanism_name(WakeMechanism mechanism);
std::optional<WakeMechanism> wake_mechanism_from_name(std::string_view name);

// Whether the loop installs the multishot eventfd poll (eventfd, and futex while ops are in
// flight).
inline bool wakes_through_eventfd(WakeMechanism mechanism) {
  return mechanism == WakeMechanism::kEventfd || mechanism == WakeMechanism::kFutex;
}

// How msg-ring wakes are sent, decided when the loop creates its ring.
enum class MsgRingSend {
  kNone,           // not msg-ring
  kRegisterSend,   // IORING_REGISTER_SEND_MSG_RING (Linux 6.13), no source ring
  kPerThreadRing,  // IORING_OP_MSG_RING from a two-entry ring of each submitter thread
};
const char* msg_ring_send_name(MsgRingSend send);

class Waker {
 public:
  // Creates the eventfd (non-blocking, close-on-exec) when `mechanism` wakes through one.
  // Throws std::system_error on failure.
  explicit Waker(WakeMechanism mechanism = WakeMechanism::kEventfd);

  WakeMechanism mechanism() const { return mechanism_; }

  // --- Submitter side

  // Publishes `count` submitted ops (called once they are all in the queue) and wakes the loop
  // only if it had armed sleep intent. Returns whether it sent a wake.
  bool publish(uint32_t count) {
    const uint32_t before = gate_.publish_state(count);
    if ((before & SleepGate::kSleepIntent) == 0) {
      return false;
    }
    wake(before);
    return true;
  }

  // The last Submitter went (its flag is already set): marks the gate closed and wakes the loop
  // as if it had armed, since a loop blocked in a capacity stall waits in io_uring_enter
  // without arming and must see the close too.
  void close() { wake(gate_.close() | SleepGate::kSleepIntent); }

  // The submitted sequence, compared by the loop with the count it has drained.
  uint32_t submitted() const { return gate_.published(); }

  // --- Loop side

  // Sets sleep intent (with `park`: the loop will futex_wait on the word itself) and returns
  // the word as armed: its sequence to compare with what the loop drained, its closed bit, and
  // the value park() expects.
  uint32_t arm(bool park) {
    return gate_.arm_word(park ? SleepGate::kSleepIntent | SleepGate::kParked
                               : SleepGate::kSleepIntent);
  }

  // Clears sleep intent once the loop runs again, so bursts do not send a wake per op.
  void disarm() { gate_.disarm(); }

  // Blocks on the gate word while it still holds `armed` (futex); returns on a wake, on any
  // change of the word and spuriously.
  void park(uint32_t armed) { futex_wait(gate_.word(), armed); }

  // The futex word itself, for IORING_OP_FUTEX_WAIT.
  std::atomic<uint32_t>* word() { return gate_.word(); }
  uint32_t word_value() { return gate_.word()->load(std::memory_order_acquire); }

  // msg-ring: where wakes go, set by the loop once its ring exists and before it first arms.
  void attach_ring(int ring_fd, MsgRingSend send);
  // msg-ring: no wake is sent to the ring after this returns (a sender already past the check
  // finishes first), so the loop may close it.
  void detach_ring();

  // Writes the eventfd. EAGAIN means the counter is saturated, so a wake is already pending;
  // EINTR is retried.
  void ring() const;

  // Drains eventfd readiness after a wake CQE. EAGAIN means nothing is left to drain.
  void acknowledge() const;

  // Stages the multishot POLL_ADD on the eventfd into `sqe`, tagged with `user_data`.
  void prepare_poll(io_uring_sqe* sqe, uint64_t user_data) const;

  int fd() const { return fd_.get(); }

 private:
  // Wakes a loop whose gate word was `state` (intent set) the way it armed.
  void wake(uint32_t state);
  void send_msg_ring();

  const WakeMechanism mechanism_;
  UniqueFd fd_;
  SleepGate gate_;
  // msg-ring: the loop's ring fd (-1 when none), how to send, and senders between their check
  // of the fd and their send (detach_ring waits for them).
  std::atomic<int> ring_fd_{-1};
  MsgRingSend msg_ring_send_ = MsgRingSend::kNone;
  std::atomic<uint32_t> msg_ring_senders_{0};
};

}  // namespace iob
