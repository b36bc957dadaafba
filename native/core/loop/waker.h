// The loop's wake source: an eventfd the loop polls through a multishot POLL_ADD, gated by the
// SleepGate handshake so submitters ring it only while the loop has armed sleep intent.
//
//   Submitter --write(eventfd)--> wake_fd --POLLIN CQE (kWakeUserData)--> loop
//
// It keeps three things apart, so correctness never depends on how the kernel coalesces
// eventfd readiness:
// - sequence publication (SleepGate sequence bits),
// - sleep gating (SleepGate bit 0),
// - kernel readiness consumption (the eventfd read in acknowledge()).
#pragma once

#include <liburing.h>

#include <cstdint>

#include "fd.h"
#include "loop/sleep_gate.h"

namespace iob {

class Waker {
 public:
  // Creates a non-blocking, close-on-exec eventfd. Throws std::system_error on failure.
  Waker();

  // Publishes `count` submitted ops (called once they are all in the queue) and rings the
  // eventfd only if the loop had armed sleep intent. Returns whether it rang.
  bool publish(uint32_t count) {
    if (gate_.publish(count)) {
      ring();
      return true;
    }
    return false;
  }

  // The submitted sequence, compared by the loop with the count it has drained.
  uint32_t submitted() const { return gate_.published(); }

  // Sets sleep intent; returns the submitted sequence from the same atomic operation.
  uint32_t arm() { return gate_.arm(); }

  // Clears sleep intent once the loop runs again, so bursts do not ring the eventfd per op.
  void disarm() { gate_.disarm(); }

  // Writes the eventfd. EAGAIN means the counter is saturated, so a wake is already pending;
  // EINTR is retried.
  void ring() const;

  // Drains eventfd readiness after a wake CQE. EAGAIN means nothing is left to drain.
  void acknowledge() const;

  // Stages the multishot POLL_ADD on the eventfd into `sqe`, tagged with `user_data`.
  void prepare_poll(io_uring_sqe* sqe, uint64_t user_data) const;

  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  SleepGate gate_;
};

}  // namespace iob
