// Invariant checks that stay on in release builds.
//
// The loop's bookkeeping (waiter slots, reserved user_data) is the only thing that stands
// between a CQE and the memory it refers to. A broken invariant there is a bug in this
// program, never an input error, so it stops the process with a message instead of
// carrying on with a wrong slot.
#pragma once

namespace iob {

[[noreturn]] void invariant_failed(const char* message);

inline void check_invariant(bool ok, const char* message) {
  if (!ok) [[unlikely]] {
    invariant_failed(message);
  }
}

}  // namespace iob
