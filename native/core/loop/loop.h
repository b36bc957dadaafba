// The io_uring event loop: one thread owns a ring and runs every op submitted to it by any
// number of submitter threads. A C++ rendering of the seed, commonware's
// runtime/src/iouring/mod.rs (see ../../../../shared/seed/iouring_event_loop.rs).
//
//   Data path:
//     submitter -> Submitter::send -> bounded MPSC -> Loop -> SQE -> kernel
//     submitter <- CompletionSink  <- Loop <- CQE <- kernel
//   Wake path (LoopConfig::wake; loop/waker.h has each mechanism and why none loses a wake):
//     Submitter --write(eventfd)--> wake fd --POLLIN CQE (kWakeUserData)--> Loop   (eventfd)
//     Submitter --FUTEX_WAKE--> gate word (parked Loop, or its IORING_OP_FUTEX_WAIT)
//     Submitter --IORING_OP_MSG_RING CQE (kWakeUserData)--> Loop
//
// One iteration of Loop::run (the ring is created first, on the loop thread):
//   1. Drain CQEs: wake CQEs drain the eventfd (and ask for a re-arm when the multishot poll
//      ended) or free the FUTEX_WAIT slot, linked-timeout CQEs are counted, op CQEs go to their
//      waiter's sink; sinks that got ends are flushed once per batch, and once halfway through
//      a batch of 8 or more (so submitters refill while the loop delivers the rest).
//   2. Stage: re-arm the wake poll if needed, then move ops from the MPSC into the SQ until the
//      queue is empty or a limit is reached: waiter slots, SQ entries (two per op with an op
//      timeout), or `submit_batch` ops.
//   3. Shutdown check: once the last Submitter is gone, drain_for_shutdown() stages what is
//      left, waits for every op (abandoning the rest after `shutdown_timeout`) and the loop
//      exits.
//   4. At the batch limit: submit this batch and go round again, to reap and stage more.
//   5. Submitters published ops not staged yet: at capacity that is a capacity stall
//      (waiter-bound: submit and wait for one completion; SQ-bound: submit); otherwise go round.
//   6. Idle: spin as the wait strategy says (loop/wait_strategy.h) for a submission or a
//      completion, only while ops are in flight or just ended; if none came, arm sleep
//      intent, recheck the published sequence (and the close), and only then block until a
//      CQE (an op or a wake) arrives, in io_uring_enter (with futex-op, a FUTEX_WAIT staged on
//      the gate word) or, with futex and nothing in flight, on the gate word itself; disarm.
//      busy-poll never arms nor blocks: it hands staged SQEs to the kernel and goes round.
// On an error the loop abandons what is queued or in flight; on exit it tears the ring down and
// only then frees what abandoned ops lent the kernel.
//
// The same-thread design (Loop::create_inline + run_inline): no submitter threads, no MPSC and
// no wake. A LoopDriver runs on the loop's own thread and issues ops through a LocalSubmitter,
// which stages each one at once with the code that stages ops taken from the MPSC (stage():
// a waiter slot, the SQE, its linked timeout), so waiters, slot ids, op timeouts, exactly-once
// delivery, abandonment and the counters are the cross-thread loop's own, not a second copy.
//
//   Data path:
//     driver -> LocalSubmitter::submit -> stage() -> SQE -> kernel
//     driver <- CompletionSink <- Loop <- CQE <- kernel
//
// One iteration of Loop::run_inline:
//   1. Drain CQEs as in run() (there are no wake CQEs: no wake poll is installed), flushing
//      once per batch: no other thread could use a half.
//   2. Call the driver's drive(): it reads its sinks and submits what it wants to issue. A
//      submit is refused (false) when every waiter slot is taken: the driver is told the
//      capacity and keeps what it could not issue for a later call. With `submit_batch`, staged
//      SQEs are handed to the kernel every `submit_batch` ops.
//   3. Done: when drive() says the driver is done, drain_for_shutdown() waits for what is in
//      flight (abandoning it after `shutdown_timeout`), as when the last Submitter goes.
//   4. Otherwise submit what was staged and block in io_uring_enter for a completion, no
//      longer than until the time drive() asked to be called again (an open loop's next op,
//      through EXT_ARG). A driver that is not done has ops in flight or such a time. When it
//      waits for an end only, the wait strategy may first poll the CQ (spin_for_work()).
//      Nothing else can bring work: there is no wake to wait for.
// Splitting the designs prices the loop: raw ring vs same-thread is the bookkeeping's cost,
// same-thread vs cross-thread the hand-off's (queue, wakes, a second thread).
//
// Invariants:
// - `size` is rounded up to a power of two; it is both the waiter capacity and the MPSC
//   capacity. With an op timeout the ring has 2 * size SQ entries.
// - A waiter's slot index is its SQE user_data. UINT64_MAX (linked timeouts) and UINT64_MAX - 1
//   (wakes: eventfd poll, MSG_RING, FUTEX_WAIT) are reserved (loop/cqe.h) and can never be slot
//   indices.
// - Whenever the loop blocks in io_uring_enter waiting for a CQE, a wake source is installed
//   (the eventfd poll, a FUTEX_WAIT, or none needed: MSG_RING posts its own CQE), so the last
//   Submitter's close reaches it even in a capacity stall, where it has not armed.
// - Every op the loop accepts ends exactly once at its sink: completed (with the CQE result,
//   -ETIMEDOUT when its linked timeout fired) or abandoned. A multishot op (Op::multishot) also
//   hands its sink each result that came with F_MORE (OpEnd::kMore), before its end; it gets no
//   linked timeout.
// - An abandoned op's resources are released only after the ring is torn down, since the
//   kernel may still write them until then.
//
// Liveness caveat (from the seed). The loop bounds in-flight ops and stages from a FIFO queue.
// If every in-flight op waits on an op still queued behind the capacity limit, nothing
// completes and nothing can be staged. With size 2: queue read(fd1), read(fd2), write(fd1),
// write(fd2); both reads fill the waiter slots and wait for writes that can never be staged.
// The loop cannot know such dependencies. Per-op timeouts (`op_timeout`) recover from it: the
// reads time out, free their slots, and the writes run. Without timeouts, callers must never
// let in-flight ops depend on later queued ones. `stall_since_ns` in the counters lets a
// watchdog see such a stall instead of waiting forever.
#pragma once

#include <liburing.h>
#include <sys/uio.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "cache_line.h"
#include "counters.h"
#include "loop/cqe.h"
#include "loop/mpsc.h"
#include "loop/op.h"
#include "loop/sleep_gate.h"
#include "loop/wait_strategy.h"
#include "loop/waiters.h"
#include "loop/waker.h"
#include "system_error.h"

namespace iob {

// The kernel's limit on SQ entries (IORING_MAX_ENTRIES).
inline constexpr uint32_t kMaxRingEntries = 32768;

// A provided buffer ring to register with the ring (REGISTER_PBUF_RING, 5.19): `entries` (a
// power of two) io_uring_buf slots in page-aligned memory that its owner fills and refills. An
// op with IOSQE_BUFFER_SELECT and buf_group `group` takes the next buffer the owner added there.
struct BufferRingRegistration {
  io_uring_buf_ring* ring = nullptr;
  uint32_t entries = 0;
  uint16_t group = 0;
};

struct LoopConfig {
  // Requested in-flight capacity; rounded up to the next power of two.
  uint32_t size = 128;
  // IORING_SETUP_IOPOLL.
  bool io_poll = false;
  // IORING_SETUP_SINGLE_ISSUER: the ring is created on the loop thread, which is the only
  // thread that ever submits to it.
  bool single_issuer = false;
  // When set, every op is linked to a LINK_TIMEOUT of this length and reports -ETIMEDOUT if it
  // fires.
  std::optional<std::chrono::nanoseconds> op_timeout;
  // When set, shutdown abandons what has not ended this long after the last Submitter went,
  // in flight or still queued; otherwise it waits for every op.
  std::optional<std::chrono::nanoseconds> shutdown_timeout;
  // How the loop waits for submissions and completions before it blocks (sleep: at once, as the
  // seed does). Waking a sleeping thread on another CPU costs tens of microseconds on a VM;
  // spinning for about that long first is the classic two-phase wait, at the price of CPU time.
  // The bench's submitters wait for their completions the same way. Adaptive by default: on the
  // shipped profiles it came within 10 % of the best of sleep and a fixed spin (ahead on 4 of 6),
  // and it never spins while nothing is in flight, so an idle loop costs no CPU (README:
  // Choosing how to wake and wait).
  WaitStrategy wait = WaitStrategy::adaptive();
  // How submitters wake the loop when it sleeps (loop/waker.h). Loop::run fails at start,
  // naming the kernel version needed, when the kernel lacks the mechanism. Futex by default: an
  // idle loop parks on the word a publish changes, one enter fewer per sleep than the eventfd
  // poll, on every kernel the loop runs on.
  WakeMechanism wake = WakeMechanism::kFutex;
  // Hand staged ops to the kernel after at most this many (0: stage all that are queued, then
  // submit). Ops that complete inline (buffered reads of cached pages) then come back in
  // smaller batches, so their submitters refill while the loop submits the next batch.
  uint32_t submit_batch = 0;

  // Ring knobs (issue 16), for the loop's ring and the raw baseline's alike (init_ring()).
  // DEFER_TASKRUN (and SINGLE_ISSUER, which it needs): completion work runs only when the loop
  // enters with GETEVENTS, which it does whenever it waits or polls.
  bool defer_taskrun = false;
  // COOP_TASKRUN: completion work waits for the next transition to the kernel, no IPI; with
  // TASKRUN_FLAG the kernel also flags the SQ ring when such work waits.
  bool coop_taskrun = false;
  bool taskrun_flag = false;
  // SQPOLL: a kernel thread (iou-sqp-<pid>) takes SQEs from the SQ, so submitting needs no
  // enter while it is awake; it sleeps after `sq_thread_idle_ms` without work (0: the kernel's
  // 1 s), and runs on `sq_thread_cpu` when that is set (SQ_AFF).
  bool sqpoll = false;
  uint32_t sq_thread_idle_ms = 0;
  std::optional<uint32_t> sq_thread_cpu;
  // CQSIZE: CQ entries (at least the SQ's); 0 leaves the kernel's twice the SQ.
  uint32_t cq_entries = 0;
  // SUBMIT_ALL: a submit goes on past an SQE that fails at once instead of stopping there.
  bool submit_all = false;
  // NO_SQARRAY (6.6): the SQ tail indexes the SQEs directly, without the index array between
  // (one cache line fewer touched per submit).
  bool no_sqarray = false;
  // REGISTER_RING_FDS: the loop thread enters through a registered index, not its fd (no fdget
  // per enter). Registered per thread: only the thread that created the ring uses it.
  bool register_ring_fd = false;
  // Files registered as the ring's file table when it is made (a sparse table filled by an
  // update; REGISTER_FILES where the kernel has no sparse tables, before 5.19), so ops can name
  // them by index with IOSQE_FIXED_FILE and the kernel skips the fd lookup (fdget/fdput) per op.
  // The fds must stay open while the ring lives. Set by the bench harness from its op sources.
  std::vector<int> fixed_files;
  // Buffers registered with the ring when it is made (REGISTER_BUFFERS), which READ_FIXED and
  // WRITE_FIXED name by index: the kernel maps them once, not on every op. They must outlive the
  // ring. Set by the bench harness from its op sources.
  std::vector<iovec> fixed_buffers;
  // Provided buffer rings registered when the ring is made, which must outlive it. Set by the
  // bench harness from its op sources (multishot receives).
  std::vector<BufferRingRegistration> buffer_rings;
};

// Rounds `size` up to a power of two (at least 1).
uint32_t round_up_to_power_of_two(uint32_t size);

// The ring flags a configuration asks for.
uint32_t ring_setup_flags(const LoopConfig& config);

// A failure of the loop (or of a run around it): which call, the errno, what it was about.
using LoopError = SystemError;

// Creates `ring` with `entries` SQ entries and the configuration's knobs (flags, SQPOLL idle and
// CPU, CQ size, registered ring fd, fixed files and buffers, buffer rings) on the calling thread;
// `what`, if not empty, names the ring in an error. The loop and the raw baseline both make their
// rings here, so a ratio compares like with like.
std::optional<LoopError> init_ring(io_uring& ring, io_uring_params& params, uint32_t entries,
                                   const LoopConfig& config, const std::string& what);

// Waits until `ring` has room for `needed` more SQEs. After a submit only an SQPOLL ring can lack
// it (its thread takes SQEs in its own time). 0, or the error of io_uring_sqring_wait.
int wait_for_sq_room(io_uring& ring, unsigned needed);

// What a run reports when this process's limits refuse it memory (std::bad_alloc) or a thread
// (std::system_error from std::thread: EAGAIN under RLIMIT_AS or RLIMIT_NPROC): a limit for
// the user to raise, not a bug. `detail` says what was being made. Rethrows anything else.
LoopError resource_error(const std::exception_ptr& failure, const std::string& detail);

// What the ring turned out to be, once created on the loop thread.
struct RingInfo {
  uint32_t sq_entries = 0;
  uint32_t cq_entries = 0;
  uint32_t setup_flags = 0;
  uint32_t features = 0;
  // With the msg-ring wake: how submitters send it, as found at start.
  MsgRingSend msg_ring_send = MsgRingSend::kNone;
  // Files and buffers registered with the ring (LoopConfig::fixed_files, fixed_buffers).
  uint32_t registered_files = 0;
  uint32_t registered_buffers = 0;
};

// What init_ring made: the ring's sizes, flags and features, and what it registered.
RingInfo ring_info_of(const io_uring& ring, const io_uring_params& params,
                      const LoopConfig& config);

// Shared by the loop and every Submitter. Laid out by writer, each part on cache lines of its
// own (false sharing would make every op pay for another thread's stores): the queue keeps its
// producers' tail and the loop's head apart itself; the waker word is written by every publish
// and by the loop's arm and disarm; the space gate by the loop after each drained batch; the
// counters keep what the loop and what submitters write apart (counters.h).
struct LoopChannel {
  LoopChannel(size_t capacity, WakeMechanism wake) : queue(capacity), waker(wake) {}

  BoundedMpsc<Op> queue;
  alignas(kCacheLineSize) Waker waker;
  // Submitters waiting for queue space sleep here; the loop publishes after it pops.
  alignas(kCacheLineSize) FutexGate space;
  // Set once the last Submitter is gone. Read by the loop every iteration, so it sits with the
  // gate only the loop writes while submitters have space.
  std::atomic<bool> senders_closed{false};
  alignas(kCacheLineSize) LoopCounters counters;
};

// Handle for submitting ops to a Loop. Copies share one channel; when the last copy is
// destroyed the loop stops accepting work, drains and exits.
class Submitter {
 public:
  // Queues `op`, blocking while the queue is full (backpressure). Returns false, leaving `op`
  // untouched, once the loop no longer accepts work (it stopped on an error).
  bool send(Op& op) { return send_all(std::span<Op>(&op, 1)) == 1; }
  bool send(Op&& op) { return send(op); }

  // Queues `ops` in order and publishes them together, so a sleeping loop is woken once for
  // the burst and finds all of it queued. Blocks while the queue is full, publishing what is
  // queued before it waits. Returns how many were accepted: fewer than all only once the loop
  // no longer accepts work; the rest are left untouched.
  size_t send_all(std::span<Op> ops);

  const LoopCounters& counters() const { return inner_->channel->counters; }

 private:
  friend class Loop;
  struct Inner {
    explicit Inner(std::shared_ptr<LoopChannel> c) : channel(std::move(c)) {}
    // Disconnects first, then closes the wake gate and wakes the loop: the loop must never
    // handle the wake before the disconnection is visible.
    ~Inner();
    std::shared_ptr<LoopChannel> channel;
  };
  explicit Submitter(std::shared_ptr<LoopChannel> channel)
      : inner_(std::make_shared<Inner>(std::move(channel))) {}

  std::shared_ptr<Inner> inner_;
};

class Loop;

// The same-thread design's way in: valid only on the loop's thread, inside LoopDriver::drive.
// Each op goes straight into a waiter slot and the SQ.
class LocalSubmitter {
 public:
  // Stages `op` and returns true, or leaves it untouched and returns false when every waiter
  // slot is taken (room() is 0) or the loop stopped on an error.
  bool submit(Op& op);
  bool submit(Op&& op) { return submit(op); }
  // Stages `ops` in order until one is refused; returns how many were staged.
  size_t submit_all(std::span<Op> ops);

  // How many ops may be in flight at once, and how many more may be submitted now.
  size_t capacity() const;
  size_t room() const;

 private:
  friend class Loop;
  explicit LocalSubmitter(Loop& loop) : loop_(loop) {}
  Loop& loop_;
};

// What the loop does after a LoopDriver::drive call.
struct DriveNext {
  // The driver issues nothing more: the loop waits for what is in flight (the shutdown
  // timeout abandons it) and run_inline returns.
  bool done = false;
  // Call drive() again no later than this instant (CLOCK_MONOTONIC ns), even if nothing has
  // completed by then. Without it the loop waits for a completion.
  std::optional<int64_t> wake_at_ns;
};

// The workload of the same-thread design, run by Loop::run_inline on the loop's thread.
class LoopDriver {
 public:
  virtual ~LoopDriver() = default;

  // Called once per iteration, after the completions found were delivered and their sinks
  // flushed (the first time before any op is in flight). Issues ops through `submitter`. A
  // driver that is not done must have ops in flight or ask to be called again at a time.
  virtual DriveNext drive(LocalSubmitter& submitter) = 0;
};

class Loop {
 public:
  // Creates a loop and the first handle to submit to it. The ring itself is created by run(),
  // on the thread that runs the loop. Throws std::system_error if the eventfd cannot be made.
  static std::pair<Submitter, std::unique_ptr<Loop>> create(LoopConfig config);

  // Creates a loop of the same-thread design: no Submitter exists, run_inline() runs it.
  // Throws like create().
  static std::unique_ptr<Loop> create_inline(LoopConfig config);

  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  // Runs until every Submitter is gone and every op sent has ended (or the shutdown timeout
  // abandoned what was left), or until an unrecoverable error. Blocks the calling thread. On error,
  // ops still queued or in flight are abandoned and the error is returned.
  std::optional<LoopError> run();

  // The same-thread design: creates the ring, then runs `driver` on the calling thread until it
  // is done and every op it issued has ended (or the shutdown timeout abandoned the rest), or
  // until an unrecoverable error, when every op not ended is abandoned and the error returned.
  // Only for a loop made by create_inline.
  std::optional<LoopError> run_inline(LoopDriver& driver);

  // Blocks until run() has created its ring (or failed to). Callable from any thread.
  std::optional<LoopError> wait_until_started();

  // Valid once started without error.
  const RingInfo& ring_info() const { return ring_info_; }

  const LoopConfig& config() const { return config_; }
  size_t capacity() const { return waiters_.capacity(); }
  size_t queue_capacity() const { return channel_->queue.capacity(); }
  const LoopCounters& counters() const { return channel_->counters; }
  // Ops published by submitters that the loop has not staged yet. A sample any thread may take
  // (a watchdog's); counted through ops_accepted, so 0 when counters are compiled out.
  uint64_t queued_ops() const;

 private:
  friend class LoopTestAccess;
  friend class LocalSubmitter;

  enum class Staged { kBelowCapacity, kAtWaiterCapacity, kAtSqCapacity, kAtBatchLimit };
  enum class Waited { kReady, kTimedOut };

  Loop(LoopConfig config, std::shared_ptr<LoopChannel> channel);

  std::optional<LoopError> create_ring();
  // Checks that the kernel has the wake mechanism and sets it up on the new ring.
  std::optional<LoopError> prepare_wake();
  void mark_started(std::optional<LoopError> error);
  // Ends each op whose last CQE is in the CQ (end_op(), in line: the hot path) and hands every
  // other CQE to handle_cqe().
  void drain_completions();
  // A CQE that ends no op: a wake, a linked timeout, or one of an op's CQEs with more to come.
  void handle_cqe(uint64_t user_data, int32_t result, uint32_t flags);
  // Ends the op of `user_data` with its last CQE: frees its waiter slot and tells its sink.
  // Inline (defined in loop.cc, the only place it is called), like stage() and deliver().
  inline void end_op(uint64_t user_data, int32_t result, uint32_t flags);
  void handle_wake_cqe(int32_t result, uint32_t flags);
  Staged fill_submission_queue();
  // Puts `op` in a waiter slot and its SQE (and linked timeout) in the SQ; the caller has
  // checked there is room for both. `staged_ns`: see Waiter::staged_ns.
  inline void stage(Op& op, int64_t staged_ns);
  // Stages `ops` in order while there is room; how many were staged.
  size_t submit_local(std::span<Op> ops);
  // What run() and run_inline() do once the loop stops: abandons what is left on an error,
  // tears the ring down and only then frees what abandoned ops lent the kernel; the error.
  std::optional<LoopError> tear_down();
  // Hands staged SQEs to the kernel so the SQ has room for an op again: with SQPOLL, also waits
  // until the SQ thread has taken enough.
  void submit_staged();
  // An SQE for a wake source, handing staged SQEs to the kernel first if the SQ is full; null
  // (and the loop failed) if none could be freed.
  io_uring_sqe* wake_sqe();
  bool stage_wake_poll();
  // futex-op: stages an IORING_OP_FUTEX_WAIT on the gate word expecting `expected`, unless one
  // is still pending (a FUTEX_WAKE completes it whatever value it expected).
  void stage_futex_wait(uint32_t expected);
  // Idle, nothing published left to stage: arms, rechecks, and blocks the way config_.wake
  // says (busy-poll: polls once instead). Its three steps follow.
  void wait_for_work();
  // Arms sleep intent the way the loop will sleep now; returns the word as armed.
  uint32_t arm_idle();
  // Whether the armed snapshot shows nothing published since the last drain and no close.
  bool nothing_new(uint32_t armed) const;
  // Blocks until woken: on the gate word if `armed` is parked, else in io_uring_enter.
  void sleep_armed(uint32_t armed);
  // busy-poll: hands staged SQEs to the kernel (and asks for deferred completions) without
  // waiting.
  void poll_once();
  // Spins as config_.wait says for a submission or a completion; true if one came.
  bool spin_for_work();
  void capacity_stall(bool waiter_bound);
  // Submits staged SQEs and, if `want` > 0, waits for that many completions (bounded by
  // `timeout` through EXT_ARG). EINTR, EAGAIN and EBUSY are transient: kReady, so the caller
  // drains CQEs and goes round again. Other errors stop the loop (fail()).
  Waited enter(unsigned want, std::optional<std::chrono::nanoseconds> timeout);
  void drain_for_shutdown();
  void abandon_all();
  void abandon(CompletionSink* sink, uint64_t cookie, Resources&& resources);
  inline void deliver(CompletionSink* sink, Completion&& completion);
  void flush_sinks();
  void fail(std::string call, int error, std::string detail = {});

  const LoopConfig config_;
  const std::shared_ptr<LoopChannel> channel_;
  LoopCounters& counters_;
  Waiters waiters_;
  // The linked timeout every op gets with an op timeout; each waiter keeps its own copy.
  const __kernel_timespec op_timeout_ts_;
  io_uring ring_{};
  bool ring_created_ = false;
  RingInfo ring_info_;
  // The eventfd poll must be (re)installed on the next fill.
  bool wake_rearm_needed_;
  // Whether a large drain publishes its first half early (cross-thread only: drain_completions).
  bool split_drains_ = true;
  // futex-op: an IORING_OP_FUTEX_WAIT is staged or in the kernel.
  bool futex_wait_pending_ = false;
  // From an armed sleep in io_uring_enter until the drain after it: a wake CQE handled outside
  // it is late (the loop had found its work another way).
  bool armed_sleep_ = false;
  Spinner spinner_;
  // Whether the last drain handed an op's end to its sink: its submitter is likely to send
  // again at once, so the loop may spin for that even with nothing in flight.
  bool ended_ops_in_drain_ = false;
  // Submissions drained from the MPSC, in the waker's 31-bit sequence domain.
  uint32_t processed_seq_ = 0;
  // run_inline: when the driver's current drive() call staged its first op (op timeouts only).
  int64_t inline_staged_ns_ = 0;
  // Ops staged since the last io_uring_enter: what --submit-batch bounds. Not io_uring_sq_ready(),
  // which also counts what an SQPOLL thread has not taken yet; a lagging SQ thread then kept a
  // same-thread driver from staging anything, with nothing in flight.
  uint32_t staged_since_enter_ = 0;
  std::optional<LoopError> error_;
  std::vector<CompletionSink*> sinks_to_flush_;
  // Resources of abandoned ops, released after the ring is torn down.
  std::vector<Resources> graveyard_;

  std::mutex start_mutex_;
  std::condition_variable start_cv_;
  bool started_ = false;
  std::optional<LoopError> start_error_;
};

}  // namespace iob
