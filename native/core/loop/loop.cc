// The loop itself: one thread that owns an io_uring ring and runs, to its end, every op any
// Submitter sends (the design, the iteration and the invariants are in loop.h).
//
// The contract in brief: an accepted op ends exactly once at its sink, completed or abandoned;
// a full loop pushes back on its submitters instead of growing; a sleeping loop is woken by the
// first publish after it armed its sleep intent and never sleeps past queued work; when the last
// Submitter goes, the loop drains (or abandons after the shutdown timeout) and exits. The seed it
// follows is commonware's runtime/src/iouring/mod.rs; ../../../../shared/DESIGN.md states the
// contract in full, and native/tests/loop_*_test.cc pin it one behaviour at a time.
//
// Reading order: run() (one iteration), then fill_submission_queue() and drain_completions() (the
// data path), enter() (the only io_uring_enter), drain_for_shutdown() and abandon_all() (the end);
// then run_inline() and submit_local(), the same-thread design, which reuses all of them.
#include "loop/loop.h"

#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <new>
#include <stdexcept>
#include <system_error>

#include "clock.h"
#include "loop/ring_memory.h"
#include "loop/uapi.h"
#include "uring_names.h"

namespace iob {

namespace {

using std::chrono::nanoseconds;
using std::chrono::steady_clock;
// A drain of at least this many CQEs publishes its first half before delivering the second.
constexpr unsigned kSplitDrainAt = 8;

}  // namespace

uint32_t round_up_to_power_of_two(uint32_t size) {
  if (size <= 1) {
    return 1;
  }
  return uint32_t{1} << (32 - __builtin_clz(size - 1));
}

uint32_t ring_setup_flags(const LoopConfig& config) {
  uint32_t flags = 0;
  if (config.io_poll) {
    flags |= IORING_SETUP_IOPOLL;
  }
  if (config.single_issuer || config.defer_taskrun) {
    flags |= IORING_SETUP_SINGLE_ISSUER;
  }
  if (config.defer_taskrun) {
    flags |= IORING_SETUP_DEFER_TASKRUN;
  }
  if (config.coop_taskrun || config.taskrun_flag) {
    flags |= IORING_SETUP_COOP_TASKRUN;
  }
  if (config.taskrun_flag) {
    flags |= IORING_SETUP_TASKRUN_FLAG;
  }
  if (config.sqpoll) {
    flags |= IORING_SETUP_SQPOLL;
  }
  if (config.sqpoll && config.sq_thread_cpu) {
    flags |= IORING_SETUP_SQ_AFF;
  }
  if (config.cq_entries > 0) {
    flags |= IORING_SETUP_CQSIZE;
  }
  if (config.submit_all) {
    flags |= IORING_SETUP_SUBMIT_ALL;
  }
  if (config.no_sqarray) {
    flags |= IORING_SETUP_NO_SQARRAY;
  }
  return flags;
}

int wait_for_sq_room(io_uring& ring, unsigned needed) {
  while (io_uring_sq_space_left(&ring) < needed) {
    const int ret = io_uring_sqring_wait(&ring);
    if (ret < 0 && !transient_enter_error(-ret)) {
      return ret;
    }
  }
  return 0;
}

namespace {

// liburing 2.3 fills the SQ index array once the ring is mapped; a NO_SQARRAY ring has none (its
// sq_off.array is 0), so that fill would write over the ring's header and first CQEs. Such a ring
// is set up and mapped here, and liburing never touches the array again.
int queue_init(unsigned entries, io_uring& ring, io_uring_params& params) {
  if ((params.flags & IORING_SETUP_NO_SQARRAY) == 0) {
    return io_uring_queue_init_params(entries, &ring, &params);
  }
  const int fd = static_cast<int>(::syscall(__NR_io_uring_setup, entries, &params));
  if (fd < 0) {
    return -errno;
  }
  if (const int ret = io_uring_queue_mmap(fd, &params, &ring); ret < 0) {
    ::close(fd);
    return ret;
  }
  ring.features = params.features;
  return 0;
}

// A sparse table of the files' size filled by one update, as a program that opens files as it
// goes uses it; a kernel without sparse tables (before 5.19: EINVAL) takes the files at once.
std::optional<LoopError> register_fixed_files(io_uring& ring, const std::vector<int>& files) {
  if (files.empty()) {
    return std::nullopt;
  }
  const auto count = static_cast<unsigned>(files.size());
  const std::string what = std::to_string(count) + " file(s)";
  const auto failed = [](int ret, const std::string& detail) {
    return std::optional<LoopError>(LoopError{"io_uring_register", -ret, detail});
  };
  int ret = io_uring_register_files_sparse(&ring, count);
  if (ret == -EINVAL) {
    ret = io_uring_register_files(&ring, files.data(), count);
    return ret < 0 ? failed(ret, "REGISTER_FILES of " + what) : std::nullopt;
  }
  if (ret < 0) {
    return failed(ret, "REGISTER_FILES2, a sparse table of " + what);
  }
  // It places the files in order and stops at one it cannot take, returning how many it placed.
  ret = io_uring_register_files_update(&ring, 0, files.data(), count);
  if (ret >= 0 && static_cast<unsigned>(ret) < count) {
    ret = -EBADF;
  }
  return ret < 0 ? failed(ret, "REGISTER_FILES_UPDATE of " + what) : std::nullopt;
}

}  // namespace

std::optional<LoopError> init_ring(io_uring& ring, io_uring_params& params, uint32_t entries,
                                   const LoopConfig& config, const std::string& what) {
  const uint32_t flags = ring_setup_flags(config);
  params = io_uring_params{};
  params.flags = flags;
  params.sq_thread_idle = config.sq_thread_idle_ms;
  params.sq_thread_cpu = config.sq_thread_cpu.value_or(0);
  params.cq_entries = config.cq_entries;
  const std::string ring_name = what.empty() ? "" : what + ": ";
  if (const int ret = queue_init(entries, ring, params); ret < 0) {
    std::string detail =
        ring_name + "entries=" + std::to_string(entries) + " flags=" + describe_setup_flags(flags);
    if (config.cq_entries > 0) {
      detail += " cq_entries=" + std::to_string(config.cq_entries);
    }
    return LoopError{"io_uring_setup", -ret, detail};
  }
  ring_mapped(ring);
  if (config.register_ring_fd) {
    if (const int ret = io_uring_register_ring_fd(&ring); ret < 0) {
      exit_ring(ring);
      return LoopError{"io_uring_register", -ret, ring_name + "REGISTER_RING_FDS"};
    }
  }
  if (auto error = register_fixed_files(ring, config.fixed_files)) {
    exit_ring(ring);
    error->detail = ring_name + error->detail;
    return error;
  }
  if (!config.fixed_buffers.empty()) {
    const auto count = static_cast<unsigned>(config.fixed_buffers.size());
    if (const int ret = io_uring_register_buffers(&ring, config.fixed_buffers.data(), count);
        ret < 0) {
      exit_ring(ring);
      return LoopError{"io_uring_register", -ret,
                       ring_name + "REGISTER_BUFFERS of " + std::to_string(count) + " buffers"};
    }
  }
  for (const BufferRingRegistration& buffer_ring : config.buffer_rings) {
    io_uring_buf_reg registration{};
    registration.ring_addr = reinterpret_cast<uint64_t>(buffer_ring.ring);
    registration.ring_entries = buffer_ring.entries;
    registration.bgid = buffer_ring.group;
    if (const int ret = io_uring_register_buf_ring(&ring, &registration, 0); ret < 0) {
      exit_ring(ring);
      return LoopError{"io_uring_register", -ret,
                       ring_name + "REGISTER_PBUF_RING of group " +
                           std::to_string(buffer_ring.group) + ", " +
                           std::to_string(buffer_ring.entries) + " buffers (Linux 5.19+)"};
    }
  }
  return std::nullopt;
}

RingInfo ring_info_of(const io_uring& ring, const io_uring_params& params,
                      const LoopConfig& config) {
  RingInfo info{ring.sq.ring_entries, ring.cq.ring_entries, params.flags, params.features};
  info.registered_files = static_cast<uint32_t>(config.fixed_files.size());
  info.registered_buffers = static_cast<uint32_t>(config.fixed_buffers.size());
  return info;
}

LoopError resource_error(const std::exception_ptr& failure, const std::string& detail) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::bad_alloc&) {
    return LoopError{"malloc", ENOMEM, detail};
  } catch (const std::system_error& error) {
    return LoopError{"pthread_create", error.code().value(), detail};
  }
}

// ---------------------------------------------------------------------------------------------
// Submitter

size_t Submitter::send_all(std::span<Op> ops) {
  LoopChannel& channel = *inner_->channel;
  uint32_t unpublished = 0;
  // Publish only after the ops are in the queue: when the loop sees the new sequence, they are
  // there to drain.
  auto publish = [&] {
    if (unpublished > 0 && channel.waker.publish(unpublished)) {
      channel.counters.wakes_sent.add();
    }
    unpublished = 0;
  };
  size_t accepted = 0;
  while (accepted < ops.size()) {
    // The burst's cells are claimed together, as many as are free.
    const auto pushed = channel.queue.try_push_n(ops.subspan(accepted));
    if (pushed.result == BoundedMpsc<Op>::Push::kOk) {
      accepted += pushed.count;
      unpublished += static_cast<uint32_t>(pushed.count);
      continue;
    }
    publish();  // before blocking, or the loop could sleep through what is already queued
    if (pushed.result == BoundedMpsc<Op>::Push::kClosed) {
      break;
    }
    channel.counters.backpressure_waits.add();
    const int64_t blocked_since = kCountersEnabled ? monotonic_ns() : 0;
    channel.space.sleep_unless([&] { return channel.queue.has_space_or_closed(); });
    if constexpr (kCountersEnabled) {
      channel.counters.backpressure_ns.add(monotonic_ns() - blocked_since);
    }
  }
  publish();
  return accepted;
}

Submitter::Inner::~Inner() {
  channel->senders_closed.store(true, std::memory_order_release);
  // Out-of-band wake for the disconnection, not a published submission: not counted among the
  // wakes sent, which count the wakes that submissions cost.
  channel->waker.close();
}

// ---------------------------------------------------------------------------------------------
// Loop: construction and the main iteration

namespace {

// `config` with its size rounded up; throws std::invalid_argument when the ring it needs is
// larger than the kernel allows.
LoopConfig checked_config(LoopConfig config) {
  config.size = round_up_to_power_of_two(config.size);
  const uint64_t entries = uint64_t{config.size} * (config.op_timeout ? 2 : 1);
  if (entries > kMaxRingEntries) {
    throw std::invalid_argument("ring of " + std::to_string(entries) +
                                " SQ entries exceeds the kernel maximum of " +
                                std::to_string(kMaxRingEntries));
  }
  return config;
}

}  // namespace

std::pair<Submitter, std::unique_ptr<Loop>> Loop::create(LoopConfig config) {
  config = checked_config(config);
  auto channel = std::make_shared<LoopChannel>(config.size, config.wake);
  std::unique_ptr<Loop> loop(new Loop(config, channel));
  return {Submitter(std::move(channel)), std::move(loop)};
}

std::unique_ptr<Loop> Loop::create_inline(LoopConfig config) {
  config = checked_config(config);
  // Nothing but its own completions wakes an inline loop: it needs no wake mechanism's kernel
  // feature, and keeps the default's (unused) channel.
  config.wake = WakeMechanism::kEventfd;
  auto channel = std::make_shared<LoopChannel>(config.size, config.wake);
  // No Submitter will ever exist: as if the last one were already gone.
  channel->senders_closed.store(true, std::memory_order_relaxed);
  return std::unique_ptr<Loop>(new Loop(config, channel));
}

Loop::Loop(LoopConfig config, std::shared_ptr<LoopChannel> channel)
    : config_(config),
      channel_(std::move(channel)),
      counters_(channel_->counters),
      waiters_(config.size),
      op_timeout_ts_(to_kernel_timespec(config.op_timeout.value_or(nanoseconds{0}))),
      wake_rearm_needed_(wakes_through_eventfd(config.wake)),
      spinner_(config.wait) {
  sinks_to_flush_.reserve(64);
}

Loop::~Loop() {
  // A loop that never ran still owes every queued op its end.
  if (!started_) {
    abandon_all();
  }
}

std::optional<LoopError> Loop::run() {
  mark_started(create_ring());
  while (!error_) {
    drain_completions();
    if (error_) {
      break;
    }
    const Staged staged = fill_submission_queue();
    if (error_) {
      break;
    }
    // Shutdown begins as soon as the last Submitter is seen gone, whatever is still queued or
    // in flight: every push happened before the close, and the drain stages what is left. (The
    // seed notices only on popping an empty queue, so with every waiter in flight on ops that
    // never end it never does, and its shutdown timeout never starts.)
    if (channel_->senders_closed.load(std::memory_order_acquire)) {
      drain_for_shutdown();
      break;
    }
    counters_.pending_operations.store(waiters_.size(), std::memory_order_relaxed);
    if (staged == Staged::kAtBatchLimit) {
      enter(0, std::nullopt);  // submit this batch, then reap what it completed and stage more
      continue;
    }

    // Producers published work this loop has not drained yet. Sleeping now could park with
    // work pending and no eventfd wake coming, since producers only ring once sleep intent is
    // armed.
    if (channel_->waker.submitted() != processed_seq_) {
      if (staged != Staged::kBelowCapacity) {
        capacity_stall(staged == Staged::kAtWaiterCapacity);
      }
      continue;
    }

    if (spin_for_work()) {
      continue;
    }
    wait_for_work();
  }
  return tear_down();
}

std::optional<LoopError> Loop::run_inline(LoopDriver& driver) {
  check_invariant(channel_->senders_closed.load(std::memory_order_relaxed),
                  "run_inline needs a loop made by create_inline");
  mark_started(create_ring());
  // Nothing ever wakes this loop but its own completions: no wake poll.
  wake_rearm_needed_ = false;
  split_drains_ = false;
  LocalSubmitter submitter(*this);
  while (!error_) {
    drain_completions();
    if (error_) {
      break;
    }
    inline_staged_ns_ = 0;
    const DriveNext next = driver.drive(submitter);
    if (error_) {
      break;
    }
    if (next.done) {
      drain_for_shutdown();
      break;
    }
    counters_.pending_operations.store(waiters_.size(), std::memory_order_relaxed);
    std::optional<nanoseconds> until_due;
    if (next.wake_at_ns) {
      until_due = nanoseconds(*next.wake_at_ns - monotonic_ns());
      if (until_due->count() <= 0) {
        enter(0, std::nullopt);  // hand over what was staged and call the driver again
        continue;
      }
    } else {
      check_invariant(!waiters_.empty(),
                      "a driver that is not done must have ops in flight or a time to be called");
      // Waiting for an end only: the wait strategy may poll the CQ before the loop sleeps.
      if (spin_for_work()) {
        continue;
      }
    }
    counters_.sleeps.add();
    enter(1, until_due);
    spinner_.woke_now();
  }
  return tear_down();
}

// The end of run() and run_inline(): abandons everything on an error, then the ring goes and
// only after it what abandoned ops lent the kernel.
std::optional<LoopError> Loop::tear_down() {
  if (error_) {
    abandon_all();
  }
  counters_.pending_operations.store(waiters_.size(), std::memory_order_relaxed);
  if (ring_created_) {
    channel_->waker.detach_ring();
    exit_ring(ring_);
    ring_created_ = false;
  }
  // Only now can the kernel no longer touch what abandoned ops lent it.
  graveyard_.clear();
  return error_;
}

uint64_t Loop::queued_ops() const {
  if constexpr (!kCountersEnabled) {
    return 0;
  }
  // Both in the waker's 31-bit sequence domain: every published op is accepted exactly once.
  // The loop may pop an op before its submitter has published it, so the difference can be
  // briefly "negative" (above half the domain): none are queued then.
  const uint64_t accepted = channel_->counters.ops_accepted.get() & SleepGate::kSequenceMask;
  const uint64_t queued = (channel_->waker.submitted() - accepted) & SleepGate::kSequenceMask;
  return queued > SleepGate::kSequenceMask / 2 ? 0 : queued;
}

std::optional<LoopError> Loop::wait_until_started() {
  std::unique_lock lock(start_mutex_);
  start_cv_.wait(lock, [&] { return started_; });
  return start_error_;
}

void Loop::mark_started(std::optional<LoopError> error) {
  error_ = error;
  std::lock_guard lock(start_mutex_);
  started_ = true;
  start_error_ = std::move(error);
  start_cv_.notify_all();
}

std::optional<LoopError> Loop::create_ring() {
  // Each op with a timeout takes two SQ entries (the op and its LINK_TIMEOUT), so the ring is
  // doubled to keep `size` ops in flight.
  const uint32_t entries = capacity() * (config_.op_timeout ? 2 : 1);
  io_uring_params params{};
  if (auto error = init_ring(ring_, params, entries, config_, "")) {
    return error;
  }
  ring_created_ = true;
  ring_info_ = ring_info_of(ring_, params, config_);
  if ((params.features & IORING_FEAT_EXT_ARG) == 0) {
    return LoopError{"io_uring_setup", 0,
                     "the kernel lacks IORING_FEAT_EXT_ARG (Linux 5.11+), which bounded "
                     "shutdown waits need"};
  }
  return prepare_wake();
}

std::optional<LoopError> Loop::prepare_wake() {
  const auto supports = [&](int opcode) {
    io_uring_probe* probe = io_uring_get_probe_ring(&ring_);
    const bool supported = probe != nullptr && io_uring_opcode_supported(probe, opcode);
    io_uring_free_probe(probe);
    return supported;
  };
  const auto missing = [&](const char* feature, const char* kernel) {
    return LoopError{"io_uring probe", EOPNOTSUPP,
                     std::string("the ") + wake_mechanism_name(config_.wake) + " wake needs " +
                         feature + ", which needs Linux " + kernel};
  };
  switch (config_.wake) {
    case WakeMechanism::kFutexOp:
      if (!supports(loop_uapi::kOpFutexWait)) {
        return missing("IORING_OP_FUTEX_WAIT", "6.7");
      }
      return std::nullopt;
    case WakeMechanism::kMsgRing: {
      if (!supports(IORING_OP_MSG_RING)) {
        return missing("IORING_OP_MSG_RING", "5.18");
      }
      // IORING_REGISTER_SEND_MSG_RING (6.13) takes no ring (fd -1). Asked to message an fd
      // that is no ring it sends nothing: a kernel that has it refuses the target (EBADFD); one
      // without it refuses the opcode (EINVAL: 6.1 and 6.12 check it before the fd) or the fd.
      const UniqueFd not_a_ring(::eventfd(0, EFD_CLOEXEC));
      io_uring_sqe message{};
      io_uring_prep_msg_ring(&message, not_a_ring.get(), 0, kWakeUserData, 0);
      const bool register_send =
          not_a_ring.valid() &&
          syscall(__NR_io_uring_register, -1, loop_uapi::kRegisterSendMsgRing, &message, 1) < 0 &&
          errno == EBADFD;
      ring_info_.msg_ring_send =
          register_send ? MsgRingSend::kRegisterSend : MsgRingSend::kPerThreadRing;
      channel_->waker.attach_ring(ring_.ring_fd, ring_info_.msg_ring_send);
      return std::nullopt;
    }
    case WakeMechanism::kEventfd:
    case WakeMechanism::kFutex:
    case WakeMechanism::kBusyPoll:
      return std::nullopt;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Completions

[[gnu::always_inline]] inline void Loop::deliver(CompletionSink* sink, Completion&& completion) {
  sink->deliver(std::move(completion));
  if (!sink->flush_pending_) {
    sink->flush_pending_ = true;
    sinks_to_flush_.push_back(sink);
  }
}

// Before drain_completions, which inlines it: one call per op fewer on the hot path.
[[gnu::always_inline]] inline void Loop::end_op(uint64_t user_data, int32_t result,
                                                uint32_t flags) {
  Waiter& waiter = waiters_.get(user_data);
  if (waiter.multishot && result == -ENOBUFS) {
    counters_.multishot_no_buffers.add();
  }
  if ((flags & IORING_CQE_F_NOTIF) != 0) {
    check_invariant(waiter.first_result.has_value(),
                    "a zero-copy notification CQE before its op's result CQE");
    counters_.zc_notifications.add();
    if (zero_copy_fell_back(result)) {
      counters_.zc_copied.add();
    }
    result = *waiter.first_result;
  }
  const bool timed_out = op_timed_out(result, config_.op_timeout.has_value());
  Completion completion{waiter.cookie, result, OpEnd::kCompleted, flags,
                        std::move(waiter.resources)};
  // A linked timeout cancels its op; the requester is told it timed out, and how late. Set
  // only then: building the optional apart and copying it in stalled every op on a
  // store-to-load forward (a measured 8% of a same-thread NOP's CPU).
  if (timed_out) {
    counters_.timeouts_fired.add();
    completion.timeout_lateness_ns =
        monotonic_ns() - (waiter.staged_ns + config_.op_timeout->count());
  }
  CompletionSink* const sink = waiter.sink;
  waiters_.release(user_data);
  counters_.ops_completed.add();
  ended_ops_in_drain_ = true;
  deliver(sink, std::move(completion));
}

void Loop::drain_completions() {
  unsigned head = 0;
  unsigned seen = 0;
  io_uring_cqe* cqe = nullptr;
  ended_ops_in_drain_ = false;
  // Cross-thread, a batch of ends is double-buffered: its first half is published before the
  // second is delivered, so the submitters refill while the loop finishes the batch. Published
  // whole, the two threads took turns (each spun while the other worked through the batch):
  // NOP depth 256 ran 0.45-0.60x of the raw ring, 0.56-0.93x split; file randread QD32
  // 0.60-0.85 M ops/s, 0.78-0.95 M split. The same-thread design has no one to hand a half to.
  const unsigned ready = io_uring_cq_ready(&ring_);
  const unsigned publish_at = split_drains_ && ready >= kSplitDrainAt ? ready / 2 : 0;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    // An op's last CQE, nearly every CQE, is ended here in line; wakes, linked timeouts and
    // CQEs with more to come go the long way.
    if (cqe->user_data < kWakeUserData && (cqe->flags & IORING_CQE_F_MORE) == 0) {
      end_op(cqe->user_data, cqe->res, cqe->flags);
    } else {
      handle_cqe(cqe->user_data, cqe->res, cqe->flags);
    }
    if (++seen == publish_at) {
      flush_sinks();
    }
  }
  io_uring_cq_advance(&ring_, seen);
  armed_sleep_ = false;
  flush_sinks();
}

void Loop::handle_cqe(uint64_t user_data, int32_t result, uint32_t flags) {
  switch (user_data) {
    case kWakeUserData:
      handle_wake_cqe(result, flags);
      return;
    case kTimeoutUserData:
      check_invariant(config_.op_timeout.has_value(),
                      "linked-timeout CQE with op timeouts disabled");
      counters_.timeout_cqes.add();
      return;
    default: {
      check_invariant((flags & IORING_CQE_F_MORE) != 0,
                      "an op's last CQE reached handle_cqe: drain_completions ends those");
      Waiter& going_on = waiters_.get(user_data);
      if (going_on.multishot) {
        counters_.multishot_results.add();
        deliver(going_on.sink, Completion{going_on.cookie, result, OpEnd::kMore, flags, {}});
        return;
      }
      // Not over yet: a zero-copy send's result comes first, its notification (F_NOTIF) when
      // the kernel is done with the buffer, which only then goes back with the op.
      going_on.first_result = result;
    }
  }
}

void Loop::handle_wake_cqe(int32_t result, uint32_t flags) {
  counters_.wakes_received.add();
  if (!armed_sleep_) {
    counters_.late_wakes.add();
  }
  switch (config_.wake) {
    case WakeMechanism::kEventfd:
    case WakeMechanism::kFutex:
      if (result < 0) {
        fail("wake poll", -result,
             config_.io_poll
                 ? "an IOPOLL ring accepts only polled read/write ops, so it refuses the "
                   "eventfd POLL_ADD this loop wakes on"
                 : "the loop wakes through a multishot POLL_ADD on an eventfd (Linux 5.13+)");
        return;
      }
      channel_->waker.acknowledge();
      // A multishot poll can end (e.g. on CQ overflow); without F_MORE it must be re-armed or
      // the loop would sleep through the next submission.
      if ((flags & IORING_CQE_F_MORE) == 0) {
        wake_rearm_needed_ = true;
      }
      return;
    case WakeMechanism::kFutexOp:
      // Completed: the next blocking wait stages a new one. -EAGAIN means the word had changed
      // before the kernel compared it (a publish or the close raced ahead): a wake like any other.
      futex_wait_pending_ = false;
      if (result < 0 && result != -EAGAIN) {
        fail("futex wait", -result,
             "the loop wakes through an IORING_OP_FUTEX_WAIT on its gate word (Linux 6.7+)");
      }
      return;
    case WakeMechanism::kMsgRing:
      return;  // the CQE is the whole message
    case WakeMechanism::kBusyPoll:
      check_invariant(false, "wake CQE with the busy-poll wake, which installs no wake source");
      return;
  }
}

void Loop::flush_sinks() {
  for (CompletionSink* sink : sinks_to_flush_) {
    // Cleared before flush(): after flush() returns the owner may destroy the sink.
    sink->flush_pending_ = false;
    sink->flush();
  }
  sinks_to_flush_.clear();
}

// ---------------------------------------------------------------------------------------------
// Staging

Loop::Staged Loop::fill_submission_queue() {
  if (wake_rearm_needed_ && !stage_wake_poll()) {
    return Staged::kAtSqCapacity;
  }

  const unsigned sqes_per_op = config_.op_timeout ? 2 : 1;
  uint32_t drained = 0;
  bool sq_full = false;
  bool batch_full = false;
  // Read once per batch, and only with op timeouts: every op of the batch is submitted after it.
  int64_t staged_ns = 0;
  // Stages the op from its MPSC cell: its SQE is copied once, from the cell into the ring.
  // Space for both SQEs was checked before the pop.
  auto stage_popped = [&](Op& op) {
    if (config_.op_timeout && staged_ns == 0) {
      staged_ns = monotonic_ns();
    }
    stage(op, staged_ns);
  };
  while (!waiters_.full()) {
    if (drained == config_.submit_batch && drained > 0) {
      batch_full = true;
      break;
    }
    if (io_uring_sq_space_left(&ring_) < sqes_per_op) {
      sq_full = true;
      break;
    }
    if (!channel_->queue.try_pop_with(stage_popped)) {
      break;
    }
    ++drained;
  }

  processed_seq_ = (processed_seq_ + drained) & SleepGate::kSequenceMask;
  if (drained > 0) {
    channel_->space.publish_and_wake_all();
  }
  // Waiter saturation dominates: it is what an SQ flush cannot relieve.
  if (waiters_.full()) {
    return Staged::kAtWaiterCapacity;
  }
  if (sq_full) {
    return Staged::kAtSqCapacity;
  }
  return batch_full ? Staged::kAtBatchLimit : Staged::kBelowCapacity;
}

[[gnu::always_inline]] inline void Loop::stage(Op& op, int64_t staged_ns) {
  const uint64_t slot =
      waiters_.insert(op.sink, op.cookie, std::move(op.resources), staged_ns, op.multishot);

  // Lifetime: the op's buffers, iovec array and fd handle now live in waiters_[slot] until its
  // CQE is handled (or, if abandoned, until the ring is torn down), so every pointer in the SQE
  // stays valid and the fd number cannot be reused.
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  *sqe = op.sqe;
  io_uring_sqe_set_data64(sqe, slot);
  if (config_.op_timeout && !op.multishot) {
    // Lifetime: the timespec lives in the waiter slot, which does not move.
    __kernel_timespec& timeout = waiters_.get(slot).timeout;
    timeout = op_timeout_ts_;
    link_op_timeout(ring_, *sqe, timeout);
  }
  counters_.ops_accepted.add();
  ++staged_since_enter_;
}

size_t Loop::submit_local(std::span<Op> ops) {
  const unsigned sqes_per_op = config_.op_timeout ? 2 : 1;
  size_t staged = 0;
  // Room is checked once per run of ops, not per op.
  while (staged < ops.size() && !error_ && !waiters_.full()) {
    // The SQ holds every waiter's SQEs, so it has room whenever a waiter slot is free, once the
    // kernel has taken what was submitted (an SQPOLL thread may lag: submit_staged waits for
    // it); only a full submit batch, or a transient enter error, calls for handing it over.
    const size_t sq_room = io_uring_sq_space_left(&ring_) / sqes_per_op;
    size_t batch_room = SIZE_MAX;
    if (config_.submit_batch > 0) {
      batch_room = config_.submit_batch > staged_since_enter_
                       ? config_.submit_batch - staged_since_enter_
                       : 0;
    }
    if (sq_room == 0 || batch_room == 0) {
      const unsigned ready = io_uring_sq_ready(&ring_);
      submit_staged();
      if (staged_since_enter_ > 0 || (sq_room == 0 && io_uring_sq_ready(&ring_) == ready)) {
        break;  // nothing was taken (a transient error): the driver tries again on its next call
      }
      continue;
    }
    if (config_.op_timeout && inline_staged_ns_ == 0) {
      inline_staged_ns_ = monotonic_ns();
    }
    const size_t run =
        std::min({ops.size() - staged, waiters_.capacity() - waiters_.size(), sq_room, batch_room});
    for (const size_t end = staged + run; staged < end; ++staged) {
      stage(ops[staged], inline_staged_ns_);
    }
  }
  return staged;
}

bool LocalSubmitter::submit(Op& op) { return loop_.submit_local(std::span<Op>(&op, 1)) == 1; }

size_t LocalSubmitter::submit_all(std::span<Op> ops) { return loop_.submit_local(ops); }

size_t LocalSubmitter::capacity() const { return loop_.waiters_.capacity(); }

size_t LocalSubmitter::room() const { return loop_.waiters_.capacity() - loop_.waiters_.size(); }

void Loop::submit_staged() {
  enter(0, std::nullopt);
  // With SQPOLL the submit only wakes the SQ thread, which takes the SQEs in its own time.
  if (config_.sqpoll && !error_) {
    if (const int ret = wait_for_sq_room(ring_, config_.op_timeout ? 2 : 1); ret < 0) {
      fail("io_uring_enter", -ret, "waiting for SQ room (SQ_WAIT)");
    }
  }
}

io_uring_sqe* Loop::wake_sqe() {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {
    // The SQ is full of staged ops. Hand them to the kernel now: blocking without the wake
    // source installed could sleep through every later submission.
    submit_staged();
    sqe = io_uring_get_sqe(&ring_);
    if (sqe == nullptr) {
      fail("io_uring_submit", EBUSY, "no SQ entry could be freed for the wake source");
    }
  }
  return sqe;
}

bool Loop::stage_wake_poll() {
  io_uring_sqe* sqe = wake_sqe();
  if (sqe == nullptr) {
    return false;
  }
  channel_->waker.prepare_poll(sqe, kWakeUserData);
  wake_rearm_needed_ = false;
  counters_.wake_rearms.add();
  return true;
}

void Loop::stage_futex_wait(uint32_t expected) {
  if (futex_wait_pending_) {
    return;
  }
  io_uring_sqe* sqe = wake_sqe();
  if (sqe == nullptr) {
    return;
  }
  // The kernel compares the word with `expected` when it issues the op, in the enter that
  // follows: a publish (or the close) since then changed the word, and the op completes at
  // once with -EAGAIN; after it, the publisher's FUTEX_WAKE completes it.
  io_uring_prep_rw(loop_uapi::kOpFutexWait, sqe, FUTEX2_SIZE_U32 | FUTEX2_PRIVATE,
                   channel_->waker.word(), 0, expected);
  sqe->addr3 = FUTEX_BITSET_MATCH_ANY;
  io_uring_sqe_set_data64(sqe, kWakeUserData);
  futex_wait_pending_ = true;
  counters_.wake_rearms.add();
}

// ---------------------------------------------------------------------------------------------
// Waiting

void Loop::capacity_stall(bool waiter_bound) {
  counters_.capacity_stalls.add();
  if (!waiter_bound) {
    // The SQ filled before the waiter slots did. Handing the staged SQEs to the kernel frees it;
    // waiting for a completion could wait forever when nothing is in flight (with size 1 the
    // wake poll alone fills the SQ, and the seed blocks there with an op queued).
    counters_.capacity_stalls_sq_bound.add();
    submit_staged();
    return;
  }
  counters_.capacity_stalls_waiter_bound.add();
  int64_t started = 0;
  if constexpr (kCountersEnabled) {
    started = monotonic_ns();
    counters_.stall_since_ns.store(started, std::memory_order_relaxed);
  }
  if (config_.wake == WakeMechanism::kBusyPoll) {
    // Never blocks: polls for a completion, or the close (no wake would come).
    while (io_uring_cq_ready(&ring_) == 0 && !error_ &&
           !channel_->senders_closed.load(std::memory_order_acquire)) {
      poll_once();
    }
  } else {
    // Not armed, so no publish wakes this wait, but the last Submitter's close must: with
    // futex-op a FUTEX_WAIT on the word as it is now ends on the close's change of it.
    if (config_.wake == WakeMechanism::kFutexOp) {
      stage_futex_wait(channel_->waker.word_value());
    }
    enter(1, std::nullopt);
  }
  if constexpr (kCountersEnabled) {
    const uint64_t stalled = monotonic_ns() - started;
    counters_.stall_since_ns.store(0, std::memory_order_relaxed);
    counters_.stall_ns_total.add(stalled);
    counters_.stall_ns_max.raise_to(stalled);
  }
}

bool Loop::spin_for_work() {
  // Ops in flight will complete, and the submitter of an op that just ended is likely to send
  // the next one at once; otherwise only something outside can bring work, so no spin.
  const bool in_flight = !waiters_.empty() || ended_ops_in_drain_;
  if (!spinner_.would_spin(in_flight)) {
    return false;
  }
  // Staged SQEs go to the kernel first: spinning on work the kernel has not been given would
  // only delay it.
  if (io_uring_sq_ready(&ring_) > 0) {
    enter(0, std::nullopt);
  }
  const bool found = spinner_.spin(in_flight, [&] {
    return channel_->waker.submitted() != processed_seq_ || io_uring_cq_ready(&ring_) > 0;
  });
  (found ? counters_.spin_wakes : counters_.spin_misses).add();
  counters_.spin_budget_ns.store(static_cast<uint64_t>(spinner_.budget_ns()),
                                 std::memory_order_relaxed);
  return found;
}

void Loop::wait_for_work() {
  if (config_.wake == WakeMechanism::kBusyPoll) {
    poll_once();  // never blocks: no wait after the spin to learn from
    return;
  }
  // Arm, then block only if no submission, nor the close, slipped in: anything after the arm
  // sees the intent and wakes the loop the way it armed (loop/waker.h).
  const uint32_t armed = arm_idle();
  if (nothing_new(armed)) {
    sleep_armed(armed);
  } else {
    counters_.skipped_sleeps.add();
  }
  channel_->waker.disarm();
  spinner_.woke_now();
}

uint32_t Loop::arm_idle() {
  // With nothing in flight no op CQE can end a sleep in the ring, so the futex wake parks on
  // the gate word itself (the eventfd poll stays installed for sleeps with ops in flight).
  // CQEs that overflowed reach the CQ only on an enter, and a staged SQE (the first eventfd
  // poll) reaches the kernel only on one: the loop then sleeps in the ring. So the poll is
  // installed before the first park, and a ring that refuses it (IOPOLL) stops the loop at once.
  return channel_->waker.arm(config_.wake == WakeMechanism::kFutex && waiters_.empty() &&
                             !io_uring_cq_has_overflow(&ring_) && io_uring_sq_ready(&ring_) == 0);
}

bool Loop::nothing_new(uint32_t armed) const {
  return SleepGate::sequence_of(armed) == processed_seq_ && (armed & SleepGate::kClosed) == 0;
}

void Loop::sleep_armed(uint32_t armed) {
  counters_.sleeps.add();
  Waker& waker = channel_->waker;
  if ((armed & SleepGate::kParked) != 0) {
    counters_.futex_parks.add();
    waker.park(armed);
    if (waker.submitted() != processed_seq_) {
      counters_.wakes_received.add();
    }
    return;
  }
  if (config_.wake == WakeMechanism::kFutexOp) {
    stage_futex_wait(armed);
  }
  armed_sleep_ = true;
  enter(1, std::nullopt);
}

void Loop::poll_once() {
  if (io_uring_sq_ready(&ring_) > 0) {
    enter(0, std::nullopt);
    return;
  }
  // A DEFER_TASKRUN ring posts completions only when its issuer asks, a COOP_TASKRUN ring's
  // completion work waits for the issuer's next entry to the kernel, and overflowed CQEs reach
  // the CQ only on an enter: ask, without waiting, while something can complete.
  const bool work_waits_for_entry =
      config_.defer_taskrun || config_.coop_taskrun || config_.taskrun_flag;
  if ((work_waits_for_entry && !waiters_.empty()) || io_uring_cq_has_overflow(&ring_)) {
    counters_.enter_calls.add();
    io_uring_get_events(&ring_);
    return;
  }
  cpu_relax();
}

Loop::Waited Loop::enter(unsigned want, std::optional<nanoseconds> timeout) {
  counters_.enter_calls.add();
  counters_.sqes_submitted.add(io_uring_sq_ready(&ring_));
  int ret = 0;
  if (want == 0) {
    // A DEFER_TASKRUN ring runs its completion work (a socket receive's, say) only when entered
    // with GETEVENTS, so a submit asks for it too; else a busy loop got to it only when it next
    // waited (a multishot receive per connection ran 0.18x of a RECV per message).
    ret = config_.defer_taskrun ? io_uring_submit_and_get_events(&ring_) : io_uring_submit(&ring_);
  } else if (timeout) {
    // With IORING_FEAT_EXT_ARG (checked at ring creation) liburing passes the timeout to
    // io_uring_enter itself: no timeout SQE enters the ring.
    __kernel_timespec ts = to_kernel_timespec(*timeout);
    io_uring_cqe* cqe = nullptr;
    ret = io_uring_submit_and_wait_timeout(&ring_, &cqe, want, &ts, nullptr);
    if (ret == -ETIME) {
      staged_since_enter_ = 0;  // the SQEs went in; only the wait timed out
      return Waited::kTimedOut;
    }
  } else {
    ret = io_uring_submit_and_wait(&ring_, want);
  }
  if (ret >= 0) {
    staged_since_enter_ = 0;
    return Waited::kReady;
  }
  if (transient_enter_error(-ret)) {
    counters_.transient_enter_errors.add();
  } else {
    fail("io_uring_enter", -ret);
  }
  return Waited::kReady;  // drain what is there and go round again (or stop on the failure)
}

// ---------------------------------------------------------------------------------------------
// Shutdown

// Every Submitter is gone, so nothing more is pushed. Ops still queued (behind a full loop) are
// staged as waiters free up, and every op in flight is waited for. With a shutdown timeout,
// counted from here, whatever has not ended when it runs out is abandoned, queued or in flight.
void Loop::drain_for_shutdown() {
  const auto deadline = config_.shutdown_timeout
                            ? std::optional(steady_clock::now() + *config_.shutdown_timeout)
                            : std::nullopt;
  while (!error_) {
    const Staged staged = fill_submission_queue();
    if (error_ || (waiters_.empty() && channel_->queue.next_empty())) {
      break;
    }
    if (staged == Staged::kAtBatchLimit || staged == Staged::kAtSqCapacity) {
      // More could be staged at once: submit what is staged rather than wait behind it.
      submit_staged();
      drain_completions();
      continue;
    }
    std::optional<nanoseconds> remaining;
    if (deadline) {
      remaining = std::chrono::duration_cast<nanoseconds>(*deadline - steady_clock::now());
      if (remaining->count() <= 0) {
        break;
      }
    }
    const Waited waited = enter(1, remaining);
    // Drain even after a timeout: completions can race with its expiry.
    drain_completions();
    if (waited == Waited::kTimedOut) {
      break;
    }
  }
  abandon_all();
}

void Loop::abandon_all() {
  channel_->queue.close_receiver(
      [&](Op&& op) { abandon(op.sink, op.cookie, std::move(op.resources)); });
  // Submitters blocked on a full queue must see it closed.
  channel_->space.publish_and_wake_all();
  waiters_.remove_all(
      [&](Waiter&& waiter) { abandon(waiter.sink, waiter.cookie, std::move(waiter.resources)); });
  flush_sinks();
}

void Loop::abandon(CompletionSink* sink, uint64_t cookie, Resources&& resources) {
  if (resources) {
    graveyard_.push_back(std::move(resources));
  }
  counters_.ops_abandoned.add();
  deliver(sink, Completion{cookie, 0, OpEnd::kAbandoned, {}});
}

void Loop::fail(std::string call, int error, std::string detail) {
  if (!error_) {
    error_ = LoopError{std::move(call), error, std::move(detail)};
  }
}

}  // namespace iob
