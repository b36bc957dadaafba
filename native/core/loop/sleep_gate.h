// The packed sleep-intent / sequence handshake, shared by every place a thread sleeps while
// others publish work to it: the loop (woken through an eventfd), a submitter waiting for
// completions and submitters waiting for queue space (woken through a futex).
//
// State layout of the 32-bit word:
//
//   bit 0      sleep intent: the sleeper may block
//   bit 1      parked: the sleeper blocks on this word itself (futex), not elsewhere (the loop's
//              futex wake; other sleepers always block on the word and never set it)
//   bit 2      closed: no publisher is left (the loop's last Submitter went)
//   bits 3..31 publish sequence, modulo 2^29
//
// Protocol (the seed's arm-and-recheck):
// - A publisher first makes its work visible, then calls publish(). It must wake the sleeper
//   only when publish() says sleep intent was set before its increment.
// - The sleeper calls arm(), which sets the bit and returns the sequence from that same atomic
//   operation. It blocks only if the snapshot shows nothing new (for the loop: it equals the
//   sequence it has consumed), and calls disarm() as soon as it runs again.
// Both sides are read-modify-writes on one word, so they are totally ordered: a publish racing
// with the sleep transition is seen either by the sleeper (a newer sequence) or by the
// publisher (sleep intent set), never by neither.
//
// Closing is a read-modify-write of the same word, so it is ordered with arm() the same way: a
// sleeper either sees the closed bit in its snapshot or the closer sees its intent. It also
// changes the word, so a futex sleeper armed before the close cannot block on it unchanged.
//
// The sequence only has to tell "equal" from "different": producers are bounded by the queue
// capacity (at most 32768) so the 29-bit domain never wraps into a false equality.
#pragma once

#include <atomic>
#include <cstdint>

namespace iob {

class SleepGate {
 public:
  static constexpr uint32_t kSleepIntent = 1;
  static constexpr uint32_t kParked = 2;
  static constexpr uint32_t kClosed = 4;
  static constexpr uint32_t kFlagBits = 3;
  static constexpr uint32_t kIncrement = 1U << kFlagBits;
  static constexpr uint32_t kSequenceMask = UINT32_MAX >> kFlagBits;

  // Publishes `count` units of work, all already visible. Returns the word as it was before:
  // the caller must wake the sleeper if it holds kSleepIntent, the way kParked says. (acq_rel:
  // what the sleeper wrote before it armed, e.g. the ring a wake is sent to, is visible to a
  // publisher that sees it armed.)
  uint32_t publish_state(uint32_t count = 1) {
    return state_.fetch_add(kIncrement * count, std::memory_order_acq_rel);
  }
  // Whether the caller must wake the sleeper.
  bool publish(uint32_t count = 1) { return (publish_state(count) & kSleepIntent) != 0; }

  // The current published sequence.
  uint32_t published() const { return sequence_of(state_.load(std::memory_order_acquire)); }

  // Sets `intent` (kSleepIntent, with kParked for a sleeper that blocks on this word) and
  // returns the word as armed by that same operation: its sequence and closed bit are the
  // snapshot to recheck, the whole of it the value a futex sleeper expects.
  uint32_t arm_word(uint32_t intent) {
    return state_.fetch_or(intent, std::memory_order_acq_rel) | intent;
  }
  // Sets sleep intent and returns the published sequence seen by that same operation.
  uint32_t arm() { return sequence_of(arm_word(kSleepIntent)); }

  // Clears sleep intent (and parked).
  void disarm() { state_.fetch_and(~(kSleepIntent | kParked), std::memory_order_release); }

  // Sets the closed bit; returns the word as it was before (whom to wake, as for publish).
  uint32_t close() { return state_.fetch_or(kClosed, std::memory_order_acq_rel); }

  // The full word a futex sleeper expects to find while it is armed with `sequence` unchanged.
  static uint32_t armed_word(uint32_t sequence) { return (sequence << kFlagBits) | kSleepIntent; }

  static uint32_t sequence_of(uint32_t state) { return state >> kFlagBits; }

  // The futex word (the kernel compares and sleeps on it; all user-space access stays atomic).
  std::atomic<uint32_t>* word() { return &state_; }

 private:
  std::atomic<uint32_t> state_{0};
};

// futex(2) on a gate word. `futex_wait` returns when the word no longer holds `expected`, when
// woken, or spuriously: callers always recheck their condition.
void futex_wait(std::atomic<uint32_t>* word, uint32_t expected);
// The same, giving up at `deadline_ns` on CLOCK_MONOTONIC.
void futex_wait_until(std::atomic<uint32_t>* word, uint32_t expected, int64_t deadline_ns);
void futex_wake_all(std::atomic<uint32_t>* word);
void futex_wake_one(std::atomic<uint32_t>* word);

// A SleepGate whose sleepers block on a futex.
//
// One sleeper (a submitter waiting for its completions) uses arm/sleep/disarm itself. Several
// sleepers (submitters waiting for queue space) must not clear each other's intent, so for them
// the publisher clears it when it wakes them all (publish_and_wake_all); a stale intent only
// costs one unneeded wake syscall.
class FutexGate {
 public:
  // Publisher side for a single sleeper: wakes it if it armed.
  void publish_and_wake() {
    if (gate_.publish()) {
      futex_wake_all(gate_.word());
    }
  }

  // Publisher side for many sleepers.
  void publish_and_wake_all() {
    if (gate_.publish()) {
      gate_.disarm();
      futex_wake_all(gate_.word());
    }
  }

  // Sleeper side: arms, and blocks unless `ready()` (rechecked after arming) says there is
  // something to do. Returns with intent still armed; a single sleeper calls disarm() after.
  template <typename Ready>
  void sleep_unless(Ready&& ready) {
    const uint32_t sequence = gate_.arm();
    if (!ready()) {
      futex_wait(gate_.word(), SleepGate::armed_word(sequence));
    }
  }

  // The same, blocking no later than `deadline_ns` (CLOCK_MONOTONIC).
  template <typename Ready>
  void sleep_unless_until(Ready&& ready, int64_t deadline_ns) {
    const uint32_t sequence = gate_.arm();
    if (!ready()) {
      futex_wait_until(gate_.word(), SleepGate::armed_word(sequence), deadline_ns);
    }
  }

  void disarm() { gate_.disarm(); }

 private:
  SleepGate gate_;
};

}  // namespace iob
