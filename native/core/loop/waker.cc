// The wake mechanisms' system calls: the eventfd, FUTEX_WAKE and MSG_RING sends.
#include "loop/waker.h"

#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <system_error>
#include <thread>

#include "loop/cqe.h"
#include "loop/ring_memory.h"
#include "loop/uapi.h"

namespace iob {

const char* wake_mechanism_name(WakeMechanism mechanism) {
  switch (mechanism) {
    case WakeMechanism::kEventfd:
      return "eventfd";
    case WakeMechanism::kFutex:
      return "futex";
    case WakeMechanism::kMsgRing:
      return "msg-ring";
    case WakeMechanism::kFutexOp:
      return "futex-op";
    case WakeMechanism::kBusyPoll:
      return "busy-poll";
  }
  return "?";
}

std::optional<WakeMechanism> wake_mechanism_from_name(std::string_view name) {
  for (WakeMechanism mechanism : kWakeMechanisms) {
    if (name == wake_mechanism_name(mechanism)) {
      return mechanism;
    }
  }
  return std::nullopt;
}

const char* msg_ring_send_name(MsgRingSend send) {
  switch (send) {
    case MsgRingSend::kNone:
      return "none";
    case MsgRingSend::kRegisterSend:
      return "IORING_REGISTER_SEND_MSG_RING";
    case MsgRingSend::kPerThreadRing:
      return "IORING_OP_MSG_RING from a ring per submitter thread";
  }
  return "?";
}

namespace {

// msg-ring before Linux 6.13: each submitter thread that sends a wake gets one two-entry ring,
// made on its first wake and closed when the thread exits, whatever loop it wakes (a MSG_RING
// names its target). Bounded by the threads that ever wake a loop, and unshared, so no lock.
class SourceRing {
 public:
  SourceRing() {
    error_ = -io_uring_queue_init(2, &ring_, 0);
    if (error_ == 0) {
      ring_mapped(ring_);
    }
  }
  ~SourceRing() {
    if (error_ == 0) {
      exit_ring(ring_);
    }
  }
  SourceRing(const SourceRing&) = delete;
  SourceRing& operator=(const SourceRing&) = delete;

  // Posts a wake CQE into the ring `target`; the errno of a failure, else 0.
  int send(int target) {
    if (error_ != 0) {
      return error_;
    }
    // A failure of an earlier send (success posts nothing here: CQE_SKIP_SUCCESS).
    io_uring_cqe* cqe = nullptr;
    while (io_uring_peek_cqe(&ring_, &cqe) == 0) {
      const int failed = -cqe->res;
      io_uring_cqe_seen(&ring_, cqe);
      if (failed != 0) {
        return failed;
      }
    }
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) {
      return EBUSY;
    }
    io_uring_prep_msg_ring(sqe, target, 0, kWakeUserData, 0);
    sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
    const int submitted = io_uring_submit(&ring_);
    return submitted < 0 ? -submitted : 0;
  }

 private:
  io_uring ring_{};
  int error_ = 0;
};

// Posts a wake CQE into `target` with no source ring (Linux 6.13); the errno or 0.
int register_send_msg_ring(int target) {
  io_uring_sqe sqe{};
  io_uring_prep_msg_ring(&sqe, target, 0, kWakeUserData, 0);
  const long ret = syscall(__NR_io_uring_register, -1, loop_uapi::kRegisterSendMsgRing, &sqe, 1);
  return ret < 0 ? errno : 0;
}

}  // namespace

Waker::Waker(WakeMechanism mechanism) : mechanism_(mechanism) {
  if (wakes_through_eventfd(mechanism)) {
    fd_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!fd_.valid()) {
      throw std::system_error(errno, std::generic_category(), "eventfd");
    }
  }
}

void Waker::wake(uint32_t state) {
  switch (mechanism_) {
    case WakeMechanism::kEventfd:
      ring();
      return;
    case WakeMechanism::kFutex:
      if ((state & SleepGate::kParked) != 0) {
        futex_wake_one(gate_.word());
      } else {
        ring();
      }
      return;
    case WakeMechanism::kFutexOp:
      // The word changed (publish or close) before this, so a FUTEX_WAIT the kernel has not
      // issued yet fails its compare and completes at once; one already waiting is woken here.
      futex_wake_one(gate_.word());
      return;
    case WakeMechanism::kMsgRing:
      send_msg_ring();
      return;
    case WakeMechanism::kBusyPoll:
      return;  // the loop never sleeps: it sees the publish, or the close, on its next poll
  }
}

void Waker::attach_ring(int ring_fd, MsgRingSend send) {
  msg_ring_send_ = send;
  ring_fd_.store(ring_fd, std::memory_order_release);
}

void Waker::detach_ring() {
  ring_fd_.store(-1, std::memory_order_seq_cst);
  // Either a sender's load of the fd comes after the store above (it sends nothing) or its
  // increment is seen here: both are sequentially consistent, as in Dekker's protocol.
  while (msg_ring_senders_.load(std::memory_order_seq_cst) != 0) {
    std::this_thread::yield();
  }
}

void Waker::send_msg_ring() {
  msg_ring_senders_.fetch_add(1, std::memory_order_seq_cst);
  // -1 before the loop has a ring (it sees the publish or close before it first arms) and
  // after it stopped (nothing is left to wake, and the fd number may be reused).
  const int target = ring_fd_.load(std::memory_order_seq_cst);
  int error = 0;
  if (target >= 0) {
    if (msg_ring_send_ == MsgRingSend::kRegisterSend) {
      error = register_send_msg_ring(target);
    } else {
      thread_local SourceRing source;
      error = source.send(target);
    }
  }
  msg_ring_senders_.fetch_sub(1, std::memory_order_release);
  if (error != 0) {
    // Cannot happen for a live ring; the loop still wakes on its next CQE.
    std::fprintf(stderr, "iouring-bench: MSG_RING wake: %s\n", std::strerror(error));
  }
}

void Waker::ring() const {
  const uint64_t one = 1;
  for (;;) {
    if (::write(fd_.get(), &one, sizeof one) == static_cast<ssize_t>(sizeof one)) {
      return;
    }
    switch (errno) {
      case EINTR:  // interrupted before anything was written: write again
        continue;
      case EAGAIN:  // counter saturated: a wake is already pending
        return;
      default:  // cannot happen for a valid eventfd; the loop still wakes on its next CQE
        std::perror("iouring-bench: eventfd write");
        return;
    }
  }
}

void Waker::acknowledge() const {
  uint64_t value = 0;
  for (;;) {
    // Without EFD_SEMAPHORE one read returns the whole counter and resets it to zero.
    if (::read(fd_.get(), &value, sizeof value) == static_cast<ssize_t>(sizeof value)) {
      return;
    }
    switch (errno) {
      case EINTR:
        continue;
      case EAGAIN:  // counter already zero: nothing left to drain
        return;
      default:
        std::perror("iouring-bench: eventfd read");
        return;
    }
  }
}

void Waker::prepare_poll(io_uring_sqe* sqe, uint64_t user_data) const {
  io_uring_prep_poll_multishot(sqe, fd_.get(), POLLIN);
  io_uring_sqe_set_data64(sqe, user_data);
}

}  // namespace iob
