#include "harness/bench.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "clock.h"
#include "harness/hardware_counters.h"
#include "harness/random.h"
#include "loop/loop_thread.h"
#include "loop/ring_memory.h"
#include "loop/sinks.h"

namespace iob {

namespace {

// When each phase of a run begins and ends, fixed at the start.
struct PhaseClock {
  PhaseClock(const DriveSpec& drive, int64_t now)
      : measure_start(now + drive.warmup.count()),
        end(drive.ops > 0 ? INT64_MAX : measure_start + drive.duration.count()) {}

  // Whether an op issued at `at` belongs to the measured phase rather than the warm-up.
  bool measuring(int64_t at) const { return at >= measure_start; }
  bool over(int64_t at) const { return at >= end; }

  const int64_t measure_start;
  const int64_t end;  // INT64_MAX when an op count ends the run
};

// When each op of one thread is due. Closed loop: at once, whenever a slot is free. Open loop:
// on a schedule of `rate` ops/s, starting at `start`.
class Schedule {
 public:
  static Schedule closed() { return Schedule(); }
  Schedule(const DriveSpec& drive, double rate, int64_t start, uint64_t seed)
      : open_(true),
        poisson_(drive.arrivals == Arrivals::kPoisson),
        period_ns_(1e9 / rate),
        start_(start),
        due_(start),
        random_(seed) {}

  bool open() const { return open_; }
  // The instant the next op is due; an open loop issues it then, a closed loop at once.
  int64_t due(int64_t now) const { return open_ ? due_ : now; }
  // Open loop: how many ops of the schedule, from the next one on, fall due in [from, to).
  // Consumes the schedule.
  uint64_t count_due(int64_t from, int64_t to) {
    if (poisson_) {
      uint64_t count = 0;
      for (; due_ < to; advance()) {
        count += due_ >= from ? 1 : 0;
      }
      return count;
    }
    // Uniform: instant k is start + k * period; count the k at or past the next one in range.
    auto first_at_or_after = [&](int64_t t) {
      return t <= start_ ? 0.0 : std::ceil(static_cast<double>(t - start_) / period_ns_);
    };
    const double first = std::max(static_cast<double>(issued_), first_at_or_after(from));
    return static_cast<uint64_t>(std::max(0.0, first_at_or_after(to) - first));
  }

  void advance() {
    if (!open_) {
      return;
    }
    if (poisson_) {
      due_ += static_cast<int64_t>(random_.exponential(period_ns_));
    } else {
      // From the start each time, so rounding never accumulates into drift.
      due_ = start_ + static_cast<int64_t>(static_cast<double>(++issued_) * period_ns_);
    }
  }

 private:
  Schedule() : random_(0) {}

  bool open_ = false;
  bool poisson_ = false;
  double period_ns_ = 0;
  int64_t start_ = 0;
  int64_t due_ = 0;
  uint64_t issued_ = 0;
  Random random_;
};

// The schedule of submitting thread `index` of `count` for an open loop: the total rate split
// evenly, threads staggered by one period of the total so their arrivals interleave.
Schedule schedule_of(const DriveSpec& drive, int64_t start, uint32_t index, uint32_t count,
                     uint64_t seed) {
  if (drive.rate <= 0) {
    return Schedule::closed();
  }
  const double total_period_ns = 1e9 / drive.rate;
  return Schedule(drive, drive.rate / count, start + static_cast<int64_t>(total_period_ns * index),
                  seed ^ (0x9e37 * (index + 1)));
}

// What a slot's op was when it was issued.
struct Issued {
  int64_t intended = 0;  // when it was due (closed loop: = at)
  int64_t at = 0;        // when it was issued
  uint32_t kind = 0;
  bool late = false;
};

void count_end(OpStats& stats, const Issued& issued, int64_t now, bool open, int32_t result,
               const Judged& judged, std::optional<int64_t> timeout_lateness) {
  ++stats.ops;
  if (timeout_lateness) {
    if (*timeout_lateness < 0) {
      ++stats.timeouts_early;
    } else {
      stats.timeout_lateness.record(static_cast<uint64_t>(*timeout_lateness));
    }
  }
  stats.bytes += judged.bytes;
  stats.latency.record(static_cast<uint64_t>(std::max<int64_t>(now - issued.intended, 0)));
  if (open) {
    stats.service.record(static_cast<uint64_t>(std::max<int64_t>(now - issued.at, 0)));
  }
  switch (judged.verdict) {
    case Verdict::kExpected:
      ++stats.expected;
      break;
    case Verdict::kCorrupt:
      ++stats.corrupt;
      break;
    case Verdict::kUnexpected:
      if (result == -ETIMEDOUT) {
        ++stats.timed_out;
      } else {
        ++stats.unexpected[result];
      }
      break;
  }
}

// Decides when a thread may issue another op, judges and records how each op ended. One per
// thread, with that thread's OpSource.
class Recorder {
 public:
  // `measure_started` is called once, as this thread issues its first measured op.
  Recorder(const PhaseClock& clock, OpSource& source, const std::atomic<bool>& cancel,
           uint64_t quota, std::function<void()> measure_started)
      : clock_(clock),
        source_(source),
        cancel_(cancel),
        quota_(quota),
        measure_started_(std::move(measure_started)) {
    if (source.kinds().size() > 1) {
      stats.kind_names = source.kinds();
      stats.kinds.resize(stats.kind_names.size());
    }
  }

  // Whether an op due at `intended`, issued `now`, is wanted; counts it against the quota if
  // so. Once this says no, the thread issues nothing more. The phase starts by the clock: an
  // op issued once measuring began is measured, even one due in the warm-up that a loop behind
  // its schedule reaches only now (its response time counts from when it was due). It ends by
  // the schedule: an op due before the end that the thread reaches a little after it (a late
  // wake-up) is issued, late, not counted as missed.
  bool claim_issue(int64_t intended, int64_t now) {
    if (cancel_.load(std::memory_order_relaxed)) {
      stats.interrupted = true;
      return false;
    }
    if (phase_over(intended)) {
      return false;
    }
    if (measuring(now)) {
      if (quota_ > 0 && measured_issued_ >= quota_) {
        return false;
      }
      if (measured_issued_++ == 0 && measure_started_) {
        measure_started_();
      }
    }
    return true;
  }

  // `timeout_lateness`: set when the op's linked timeout ended it (see Completion).
  void ended(uint32_t slot, const Issued& issued, int64_t now, OpEnd end, int32_t result,
             const OpResources* resources, bool open, std::optional<int64_t> timeout_lateness) {
    ++stats.all_ops;
    // Every completed op is judged, warm-up included: sources track state across ops (which
    // message a connection expects next).
    const Judged judged =
        end == OpEnd::kCompleted ? source_.judge(slot, issued.kind, result, resources) : Judged{};
    all_bytes += judged.bytes;
    if (!measuring(issued.at)) {
      return;
    }
    stats.elapsed_ns = std::max(stats.elapsed_ns, now - clock_.measure_start);
    stats.late += issued.late ? 1 : 0;
    OpStats* kind = stats.kinds.empty() ? nullptr : &stats.kinds[issued.kind];
    if (end == OpEnd::kAbandoned) {
      ++stats.ops;
      ++stats.abandoned;
      if (kind) {
        ++kind->ops;
        ++kind->abandoned;
      }
      return;
    }
    count_end(stats, issued, now, open, result, judged, timeout_lateness);
    if (kind) {
      count_end(*kind, issued, now, open, result, judged, timeout_lateness);
    }
  }

  bool measuring(int64_t at) const { return clock_.measuring(at); }
  bool phase_over(int64_t at) const { return clock_.over(at); }

  // Open loop, after issuing stopped at the end of the phase: counts the ops that fell due in
  // the measured phase but were never issued.
  void count_missed(Schedule& schedule) {
    if (stats.interrupted || clock_.end == INT64_MAX) {
      return;
    }
    stats.missed += schedule.count_due(clock_.measure_start, clock_.end);
  }

  RunStats stats;
  uint64_t all_bytes = 0;

 private:
  const PhaseClock& clock_;
  OpSource& source_;
  const std::atomic<bool>& cancel_;
  const uint64_t quota_;
  const std::function<void()> measure_started_;
  uint64_t measured_issued_ = 0;
};

// The first line of a small file (a /proc entry), empty if it cannot be read.
std::string first_line(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "re");
  if (file == nullptr) {
    return {};
  }
  char line[256] = {};
  const bool read = std::fgets(line, sizeof line, file) != nullptr;
  std::fclose(file);
  return read ? line : "";
}

// CPU time (ns) of this process's io_uring kernel threads alive now, by thread id: SQPOLL
// threads (iou-sqp-*) and io-wq workers (iou-wrk-*). They are threads of the process that no
// thread of a run measures, and they go (their time with them) when their ring is torn down, so
// a run reads them before that. An io-wq worker that exits mid-run takes its time along: a lower
// bound.
using IoThreadsCpu = std::map<std::string, int64_t>;
IoThreadsCpu io_uring_threads_cpu() {
  IoThreadsCpu threads;
  DIR* tasks = ::opendir("/proc/self/task");
  if (tasks == nullptr) {
    return threads;
  }
  while (const dirent* entry = ::readdir(tasks)) {
    if (entry->d_name[0] == '.') {
      continue;
    }
    const std::string task = std::string("/proc/self/task/") + entry->d_name;
    if (first_line(task + "/comm").rfind("iou-", 0) != 0) {
      continue;
    }
    // schedstat: time on a CPU (ns), time waiting for one, timeslices.
    threads[entry->d_name] = std::strtoll(first_line(task + "/schedstat").c_str(), nullptr, 10);
  }
  ::closedir(tasks);
  return threads;
}

// The CPU the io_uring threads alive in `now` used since `before`. A ring torn down earlier may
// still be taking its thread down as a run starts: that thread's time, gone by the end, must not
// be subtracted from the run's.
int64_t io_threads_cpu_since(const IoThreadsCpu& before, const IoThreadsCpu& now) {
  int64_t total = 0;
  for (const auto& [tid, ns] : now) {
    const auto earlier = before.find(tid);
    total += ns - (earlier == before.end() ? 0 : earlier->second);
  }
  return total;
}

// Adds `ns` of io_uring threads' CPU to `cpu`.
void add_io_threads_cpu(CpuTime& cpu, int64_t ns) {
  cpu.io_threads_ns += ns;
  cpu.system_ns += ns;
}

// Adds the CPU time and context switches between `since` and `now` to `total`.
void add_usage(CpuTime& total, const Usage& now, const Usage& since = {}) {
  total.user_ns += now.user_ns - since.user_ns;
  total.system_ns += now.system_ns - since.system_ns;
  total.voluntary_switches += now.voluntary_switches - since.voluntary_switches;
  total.involuntary_switches += now.involuntary_switches - since.involuntary_switches;
}

// Sets the CPU's counts of the run (as read, or now), or why there are none.
void set_hardware_counts(CpuTime& cpu, const HardwareCounters& counters,
                         std::optional<HardwareCounters::Counts> counts) {
  if (!counts) {
    counts = counters.read();
  }
  if (counts) {
    cpu.instructions = static_cast<int64_t>(counts->instructions);
    cpu.cycles = static_cast<int64_t>(counts->cycles);
    cpu.hardware_user_only = counters.user_only();
    cpu.hardware_counted_share = counts->counted_share;
  } else {
    cpu.hardware_counters_error = counters.error() != 0 ? counters.error() : EIO;
  }
}

// CPU time and context switches of the calling thread since construction.
class ThreadCpuMeter {
 public:
  ThreadCpuMeter() : start_(usage_of(RUSAGE_THREAD)) {}
  void add_to(CpuTime& total) const { add_usage(total, usage_of(RUSAGE_THREAD), start_); }

 private:
  Usage start_;
};

// The process's CPU while this thread sleeps for `window` (less if cancelled) and nothing else
// of the run is active: what an idle loop costs. It wakes every 50 ms to see a cancel, a few
// microseconds of CPU counted in the window.
IdleCpu measure_idle(std::chrono::nanoseconds window, const std::atomic<bool>& cancel) {
  IdleCpu idle;
  int64_t user = 0, system = 0;
  process_cpu_ns(user, system);
  const int64_t start = monotonic_ns();
  const int64_t end = start + window.count();
  for (int64_t now = start; now < end && !cancel.load(std::memory_order_relaxed);
       now = monotonic_ns()) {
    std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(
        std::chrono::milliseconds(50), std::chrono::nanoseconds(end - now)));
  }
  idle.window_ns = monotonic_ns() - start;
  process_cpu_ns(idle.cpu.user_ns, idle.cpu.system_ns);
  idle.cpu.user_ns -= user;
  idle.cpu.system_ns -= system;
  return idle;
}

// The CPU time (user + system) `thread` has used so far.
int64_t thread_cpu_clock_ns(pthread_t thread) {
  clockid_t clock{};
  timespec ts{};
  if (pthread_getcpuclockid(thread, &clock) != 0 || clock_gettime(clock, &ts) != 0) {
    return 0;
  }
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Takes `ns` out of `cpu`, split in the proportion of its own user and system time.
void exclude_cpu(CpuTime& cpu, int64_t ns) {
  const int64_t total = cpu.user_ns + cpu.system_ns;
  if (total <= 0 || ns <= 0) {
    return;
  }
  const int64_t taken = std::min(ns, total);
  const auto user = static_cast<int64_t>(
      static_cast<double>(taken) * static_cast<double>(cpu.user_ns) / static_cast<double>(total));
  cpu.user_ns -= user;
  cpu.system_ns -= taken - user;
}

// The share of `ops` that submitter `index` of `count` runs.
uint64_t quota_of(uint64_t ops, uint32_t index, uint32_t count) {
  return ops == 0 ? 0 : ops / count + (index < ops % count ? 1 : 0);
}

// Open loops sleep until the next op is due; the default 50 us timer slack would make every
// such wake late by up to that much.
void tighten_timer_slack(const Schedule& schedule) {
  if (schedule.open()) {
    ::prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  }
}

// The in-flight slots of one thread: which are free, what each busy one was issued as, and
// when the thread last saw a slot free up while all were busy.
class Slots {
 public:
  explicit Slots(uint32_t count) : issued_(count) {
    for (uint32_t slot = count; slot-- > 0;) {
      free_.push_back(slot);
    }
  }
  bool any_free() const { return !free_.empty(); }
  uint32_t take() {
    const uint32_t slot = free_.back();
    free_.pop_back();
    return slot;
  }
  // `now`: when the thread saw the slot's op end.
  void give_back(uint32_t slot, int64_t now) {
    if (free_.empty()) {
      freed_from_full_at_ = now;
    }
    free_.push_back(slot);
  }
  // Whether an op due at `intended`, and issued only now, waited for a slot. Ops are issued in
  // the order they fall due and the moment one is due with a slot free it is taken, so an op
  // due before the last time all slots were busy and one freed up was held back by them: it
  // was either due while they were busy or still waiting when the last free one was taken.
  bool waited_for_slot(int64_t intended) const { return intended < freed_from_full_at_; }
  Issued& operator[](uint32_t slot) { return issued_[slot]; }

 private:
  std::vector<uint32_t> free_;
  std::vector<Issued> issued_;
  int64_t freed_from_full_at_ = INT64_MIN;
};

// The receive streams of one driver (OpSource::has_streams): one multishot RECV per slot, whose
// SQE carries kStreamCookie with the slot. It knows which streams wait to be armed, how many
// are armed, and which slots wait for a receipt; the loop's submitters and the raw ring both
// drive their streams through it. A receipt is a step of its slot, recorded like an op (it is
// one in the RECV-per-message workload it stands in for): issued when the slot's SEND ended, it
// ends when the last byte of the message arrived, at once (0 latency) if all had already come.
// At the end of the run, once no slot has anything in flight or waits, the senders shut down
// and every stream ends with EOF. A stream that fails otherwise stops the run with its error.
class Streams {
 public:
  static constexpr uint64_t kStreamCookie = uint64_t{1} << 63;

  Streams(OpSource& source, uint32_t slots)
      : source_(source), waiting_(source.has_streams() ? slots : 0) {
    for (uint32_t slot = static_cast<uint32_t>(waiting_.size()); slot-- > 0;) {
      to_arm_.push_back(slot);
    }
  }

  static bool is_stream(uint64_t cookie) { return (cookie & kStreamCookie) != 0; }
  static uint32_t slot_of(uint64_t cookie) { return static_cast<uint32_t>(cookie); }

  // Streams to arm (all at the start; one that ran out of buffers after); arm() takes them.
  const std::vector<uint32_t>& to_arm() const { return to_arm_; }
  // The first `count` of to_arm() were armed.
  void armed(size_t count) {
    to_arm_.erase(to_arm_.begin(), to_arm_.begin() + static_cast<ptrdiff_t>(count));
    armed_ += static_cast<uint32_t>(count);
  }

  // The loop stopped: what was not armed never will be. A slot waiting on such a stream is
  // ended through `end(slot)`.
  template <typename End>
  void give_up_arming(End&& end) {
    for (const uint32_t slot : to_arm_) {
      if (waiting_[slot]) {
        waiting_[slot] = false;
        end(slot);
      }
    }
    to_arm_.clear();
  }

  // When the slot's next step is a receipt through its stream, begins it in place of an op and
  // returns true: ends it at once through `end(result)` if the message is already here (or the
  // stream failed), else the slot waits for it.
  template <typename End>
  bool begin_receipt(uint32_t slot, End&& end) {
    // Tested first: no virtual call per op for a workload without streams.
    if (waiting_.empty() || !source_.awaits_stream(slot)) {
      return false;
    }
    const std::optional<int32_t> result = source_.receipt(slot);
    waiting_[slot] = !result.has_value();
    if (result) {
      end(*result);
    }
    return true;
  }

  struct Step {
    std::optional<int32_t> receipt;  // the waiting slot's receipt ended with this result
    // The stream ended otherwise than as the run ends: the run stops with this error.
    std::optional<LoopError> failure;
  };
  // One result of the slot's stream (`more`: it goes on).
  Step on_result(uint32_t slot, int32_t result, uint32_t flags, bool more) {
    const StreamNext next = source_.stream_result(slot, result, flags, more);
    if (!more) {
      --armed_;
      if (next == StreamNext::kRearm) {
        to_arm_.push_back(slot);
      }
    }
    Step step;
    if (next == StreamNext::kFailed) {
      step.failure = LoopError{"multishot RECV", result == 0 ? ECONNRESET : -result,
                               "the receive of connection " + std::to_string(slot) +
                                   " ended mid-run (multishot RECV needs Linux 6.0)"};
    }
    if (waiting_[slot]) {
      step.receipt = source_.receipt(slot);
      waiting_[slot] = !step.receipt.has_value();
    }
    return step;
  }

  // The loop gave up on the slot's stream (it stopped); whether the slot was waiting on it.
  bool abandoned(uint32_t slot) {
    --armed_;
    const bool waited = waiting_[slot];
    waiting_[slot] = false;
    return waited;
  }

  // With `idle`: the driver issues no more and has no op in flight. Then, once no slot waits,
  // ends the streams (the senders shut down). Whether every stream has ended.
  bool wind_down(bool idle) {
    if (waiting_.empty()) {
      return true;
    }
    if (idle && !ending_ && std::find(waiting_.begin(), waiting_.end(), true) == waiting_.end()) {
      ending_ = true;
      source_.end_streams();
    }
    return ending_ && armed_ == 0 && to_arm_.empty();
  }

 private:
  OpSource& source_;
  std::vector<bool> waiting_;
  std::vector<uint32_t> to_arm_;
  uint32_t armed_ = 0;
  bool ending_ = false;
};

// How many ends a submitter's completion queue must hold: one per slot, and with receive
// streams each stream's results and its end. A result holds a buffer until the submitter gives
// it back, which it does as it drains the result, but the queue frees the drained entries only
// once the whole drain is over: by then the kernel may have filled every buffer given back again.
// So a stream has at most two results per buffer of its ring in the queue, and its end.
uint32_t completion_capacity(const BenchSpec& spec) {
  const uint32_t depth = spec.drive.depth;
  const uint32_t per_stream = 2 * spec.workload.socket.recv_buffers + 1;
  return round_up_to_power_of_two(spec.workload.socket.recv_buffers > 0 ? depth * (1 + per_stream)
                                                                        : depth);
}

// Issues every op that is due while a slot is free for it, through `issue(slot)`. Returns false
// once the recorder wants no more ops. An op due while no slot is free waits for one and is
// late.
template <typename Issue>
bool issue_due(Schedule& schedule, Slots& slots, Recorder& recorder, int64_t now, Issue&& issue) {
  for (;;) {
    const int64_t intended = schedule.due(now);
    if (intended > now) {
      // Nothing to wait for once the next op falls due past the end.
      return !recorder.phase_over(intended);
    }
    const bool late = schedule.open() && (!slots.any_free() || slots.waited_for_slot(intended));
    // Past the end, an op that waits or waited for a slot is missed rather than issued: a loop
    // that fell behind would otherwise keep running through its backlog.
    if (late && recorder.phase_over(now)) {
      return false;
    }
    if (!slots.any_free()) {
      return true;
    }
    if (!recorder.claim_issue(intended, now)) {
      return false;
    }
    const uint32_t slot = slots.take();
    slots[slot].intended = intended;
    slots[slot].at = now;
    slots[slot].late = late;
    issue(slot);
    schedule.advance();
  }
}

// How many of a burst's ops the loop took, and whether it refuses the rest for good (a
// cross-thread loop that stopped on an error) rather than for now (a same-thread loop at
// capacity, which takes them on a later pass).
struct Handed {
  size_t accepted = 0;
  bool loop_stopped = false;
};

// One submitter of a loop benchmark: its op source, recorder, slots and completion queue. The
// cross-thread design runs it on a thread of its own (run(): it sends through a Submitter and
// sleeps on its queue); the same-thread design makes it the driver of a loop of its own, which
// calls drive() on the loop's thread. Both make the same pass, step(). In the same-thread design
// the loop delivers each end to the submitter itself, on the same thread: it is recorded at once,
// with no queue in between.
struct SubmitterState final : LoopDriver, CompletionSink {
  SubmitterState(const BenchSpec& spec, const PhaseClock& clock, const std::atomic<bool>& cancel,
                 uint32_t index, std::unique_ptr<OpSource> op_source,
                 std::function<void()> measure_started, Schedule op_schedule)
      : source(std::move(op_source)),
        queue(completion_capacity(spec)),
        recorder(clock, *source, cancel, quota_of(spec.drive.ops, index, spec.drive.submitters),
                 std::move(measure_started)),
        schedule(op_schedule),
        slots(spec.drive.depth),
        spare(spec.drive.depth),
        burst(spec.drive.depth),
        streams(*source, spec.drive.depth),
        stream_resources(spec.drive.depth) {}

  // The cross-thread design, on this submitter's own thread.
  void run(Submitter submitter, WaitStrategy wait) {
    tighten_timer_slack(schedule);
    ThreadCpuMeter cpu;
    Spinner spinner(wait);
    auto send = [&](std::span<Op> ops) {
      const size_t accepted = submitter.send_all(ops);
      return Handed{accepted, accepted < ops.size()};
    };
    for (;;) {
      const int64_t seen = monotonic_ns();
      if (!step(seen, send)) {
        break;
      }
      if (waits_for_schedule()) {
        queue.wait_until(schedule.due(monotonic_ns()));
      } else {
        queue.wait(&spinner, outstanding > 0);
      }
    }
    cpu.add_to(recorder.stats.cpu);
    recorder.stats.read_back = source->read_back();
  }

  // The same-thread design, on the loop's thread.
  DriveNext drive(LocalSubmitter& submitter) override {
    const int64_t now = monotonic_ns();
    if (!step(now, [&](std::span<Op> ops) { return Handed{submitter.submit_all(ops), false}; })) {
      io_threads_at_done = io_uring_threads_cpu();  // the ring, and its threads, go next
      return DriveNext{.done = true};
    }
    return waits_for_schedule() ? DriveNext{.wake_at_ns = schedule.due(now)} : DriveNext{};
  }

  // One pass: records the ends delivered so far, seen at `seen`, issues the ops due and hands
  // them to `send` (std::span<Op> -> Handed). Returns whether the submitter has more to do.
  template <typename Send>
  bool step(int64_t seen, Send&& send) {
    // The clock is read again once ends were judged: an op's latency runs from its issue, and
    // judging the ends before it is not part of it.
    const int64_t now = record_ends(seen) > 0 ? monotonic_ns() : seen;
    if (issuing) {
      issuing = issue_due(schedule, slots, recorder, now, [&](uint32_t slot) { issue(slot); });
      if (!issuing && schedule.open()) {
        recorder.count_missed(schedule);
      }
    }
    if (!streams.to_arm().empty()) {
      arm_streams(send);
    }
    if (burst_size > 0) {
      send_burst(send);
    }
    ended.store(recorder.stats.all_ops, std::memory_order_relaxed);
    bytes_ended.store(recorder.all_bytes, std::memory_order_relaxed);
    const bool streams_done = streams.wind_down(!issuing && outstanding == 0 && burst_size == 0);
    return issuing || outstanding > 0 || burst_size > 0 || !streams_done;
  }

  // The same-thread design: runs `loop` (made by Loop::create_inline) on this thread, with this
  // submitter as its driver; the loop's error, if any.
  std::optional<LoopError> run_inline(Loop& loop) {
    tighten_timer_slack(schedule);
    ThreadCpuMeter cpu;  // the ring's creation included, as in the cross-thread loop's thread
    sink = this;
    std::optional<LoopError> error = loop.run_inline(*this);
    cpu.add_to(recorder.stats.cpu);
    recorder.stats.read_back = source->read_back();
    return error;
  }

  // The same-thread design's sink, called by the loop on this thread: one clock read per batch
  // of ends, as record_ends() makes.
  void deliver(Completion&& completion) override {
    if (batch_seen_at == 0) {
      batch_seen_at = monotonic_ns();
    }
    record_end(completion, batch_seen_at);
  }
  void flush() override { batch_seen_at = 0; }

  // Whether the next op falls due on a schedule with a slot free for it: then the submitter
  // waits for that moment as well as for an end.
  bool waits_for_schedule() { return issuing && schedule.open() && slots.any_free(); }

  std::unique_ptr<OpSource> source;
  // The same-thread design: io_uring_threads_cpu() as the driver finished.
  IoThreadsCpu io_threads_at_done;
  // What stopped this submitter's run when the process could not give it memory.
  std::exception_ptr failure;
  // The first receive stream that failed mid-run, which stopped this submitter's run.
  std::optional<LoopError> stream_failure;
  // Kept alive by the driver until the loop has exited (CompletionQueue's rule).
  CompletionQueue queue;
  Recorder recorder;
  std::atomic<uint64_t> ended{0};
  std::atomic<uint64_t> bytes_ended{0};

 private:
  // Records the ends in the queue, seen `now`, and frees their slots; how many there were.
  size_t record_ends(int64_t now) {
    return queue.drain([&](Completion& completion) { record_end(completion, now); });
  }

  // Records one end (or a stream's result), seen `now`, and frees its slot.
  void record_end(Completion& completion, int64_t now) {
    // The loop abandons ops only at shutdown or after an error: it takes no more.
    issuing = issuing && completion.end != OpEnd::kAbandoned;
    const auto slot = static_cast<uint32_t>(completion.cookie);
    if (Streams::is_stream(completion.cookie)) {
      record_stream(slot, completion, now);
      return;
    }
    --outstanding;
    end_step(slot, completion.end, completion.result, completion.resources.get(), now,
             completion.timeout_lateness_ns);
    spare[slot] = std::move(completion.resources);
  }

  // Records how the step of `slot` ended and frees the slot.
  void end_step(uint32_t slot, OpEnd end, int32_t result, const OpResources* resources, int64_t now,
                std::optional<int64_t> timeout_lateness = std::nullopt) {
    recorder.ended(slot, slots[slot], now, end, result, resources, schedule.open(),
                   timeout_lateness);
    slots.give_back(slot, now);
  }

  // A result of the slot's stream, which may end the slot's receipt.
  void record_stream(uint32_t slot, Completion& completion, int64_t now) {
    if (completion.end == OpEnd::kAbandoned) {
      if (streams.abandoned(slot)) {
        end_step(slot, OpEnd::kAbandoned, 0, nullptr, now);
      }
      return;
    }
    const bool more = completion.end == OpEnd::kMore;
    if (!more) {
      stream_resources[slot] = std::move(completion.resources);
    }
    const Streams::Step step = streams.on_result(slot, completion.result, completion.flags, more);
    if (step.failure) {
      issuing = false;
      stream_failure = stream_failure.value_or(*step.failure);
    }
    if (step.receipt) {
      end_step(slot, OpEnd::kCompleted, *step.receipt, nullptr, now);
    }
  }

  // Arms the streams waiting to be armed, before the burst (at the start, before any send).
  template <typename Send>
  void arm_streams(Send&& send) {
    const std::vector<uint32_t>& to_arm = streams.to_arm();
    arming.resize(to_arm.size());
    for (size_t i = 0; i < to_arm.size(); ++i) {
      Op& op = arming[i];
      source->prepare_stream(to_arm[i], op.sqe, stream_resources[to_arm[i]]);
      op.resources = std::move(stream_resources[to_arm[i]]);
      op.multishot = true;
      op.sink = sink;
      op.cookie = Streams::kStreamCookie | to_arm[i];
    }
    const Handed handed = send(std::span<Op>(arming));
    for (size_t i = handed.accepted; i < arming.size(); ++i) {
      stream_resources[to_arm[i]] = std::move(arming[i].resources);
    }
    streams.armed(handed.accepted);
    if (handed.loop_stopped) {
      streams.give_up_arming(
          [&](uint32_t slot) { end_step(slot, OpEnd::kAbandoned, 0, nullptr, monotonic_ns()); });
    }
  }

  // Prepares the op of `slot` at the end of the burst, or begins its receipt.
  void issue(uint32_t slot) {
    if (streams.begin_receipt(slot, [&](int32_t result) {
          end_step(slot, OpEnd::kCompleted, result, nullptr, slots[slot].at);
        })) {
      ++recorder.stats.issued;
      return;
    }
    Op& op = burst[burst_size++];
    slots[slot].kind = source->prepare(slot, op.sqe, spare[slot]);
    op.resources = std::move(spare[slot]);
    op.sink = sink;
    op.cookie = slot;
  }

  // Hands the burst to the loop together. Ops refused because a cross-thread loop stopped on an
  // error are not re-issued (the run reports the error); ops a same-thread loop had no room for
  // stay at the front of the burst, issued and waiting, as they would wait in a full MPSC.
  template <typename Send>
  void send_burst(Send&& send) {
    const Handed handed = send(std::span<Op>(burst.data(), burst_size));
    outstanding += static_cast<uint32_t>(handed.accepted);
    recorder.stats.issued += handed.accepted;
    if (handed.loop_stopped) {
      issuing = false;
      burst_size = 0;
      return;
    }
    if (handed.accepted > 0) {
      std::move(burst.begin() + static_cast<ptrdiff_t>(handed.accepted),
                burst.begin() + static_cast<ptrdiff_t>(burst_size), burst.begin());
      burst_size -= handed.accepted;
    }
  }

  // Where the loop delivers the ends: the queue, or this submitter in the same-thread design.
  CompletionSink* sink = &queue;
  // The same-thread design: when the ends of the batch being delivered were seen (0: none yet).
  int64_t batch_seen_at = 0;
  Schedule schedule;
  Slots slots;
  std::vector<Resources> spare;
  // Reused: each prep writes every SQE field, and sending moves the resources out, so an entry
  // needs no clearing between bursts.
  std::vector<Op> burst;
  size_t burst_size = 0;
  // Ops in flight at the loop, receive streams not counted.
  uint32_t outstanding = 0;
  bool issuing = true;
  Streams streams;
  // Each stream's resources while it is not armed; the ops that arm them.
  std::vector<Resources> stream_resources;
  std::vector<Op> arming;
};

// One OpSource per submitting thread, or the error that stopped setting them up.
std::optional<LoopError> make_sources(const BenchSpec& spec, uint32_t threads, uint32_t slots,
                                      std::vector<std::unique_ptr<OpSource>>& sources) {
  try {
    for (uint32_t i = 0; i < threads; ++i) {
      sources.push_back(make_op_source(spec.workload, SourceContext{i, threads, slots}));
    }
  } catch (const WorkloadError& error) {
    return static_cast<const SystemError&>(error);
  }
  return std::nullopt;
}

// The loop's configuration with the sources' files and buffers to register, when the workload
// asks for fixed files or buffers, each source told the index of its first.
LoopConfig with_registrations(const BenchSpec& spec,
                              const std::vector<std::unique_ptr<OpSource>>& sources) {
  LoopConfig config = spec.loop;
  for (const auto& source : sources) {
    if (spec.workload.file.fixed_files) {
      source->use_fixed_files(static_cast<uint32_t>(config.fixed_files.size()));
      const std::vector<int> files = source->files();
      config.fixed_files.insert(config.fixed_files.end(), files.begin(), files.end());
    }
    if (spec.workload.file.fixed_buffers) {
      source->use_fixed_buffers(static_cast<uint32_t>(config.fixed_buffers.size()));
      const std::vector<iovec> buffers = source->buffers();
      config.fixed_buffers.insert(config.fixed_buffers.end(), buffers.begin(), buffers.end());
    }
    if (source->has_streams()) {
      // Same-thread, each loop registers only its own source's rings (run_loop_bench), so each
      // numbers its groups from 0. One ring holds at most 16384 streams (a receive and an op per
      // connection in at most 32768 slots), within the 65536 group ids.
      const bool own_loop = spec.drive.design == Design::kSameThread;
      source->use_buffer_groups(own_loop ? 0 : static_cast<uint16_t>(config.buffer_rings.size()));
      const std::vector<BufferRingRegistration> rings = source->buffer_rings();
      config.buffer_rings.insert(config.buffer_rings.end(), rings.begin(), rings.end());
    }
  }
  return config;
}

}  // namespace

void OpStats::merge(const OpStats& other) {
  ops += other.ops;
  expected += other.expected;
  timed_out += other.timed_out;
  abandoned += other.abandoned;
  corrupt += other.corrupt;
  for (const auto& [result, count] : other.unexpected) {
    unexpected[result] += count;
  }
  bytes += other.bytes;
  latency.merge(other.latency);
  service.merge(other.service);
  timeout_lateness.merge(other.timeout_lateness);
  timeouts_early += other.timeouts_early;
}

void RunStats::merge(const RunStats& other) {
  OpStats::merge(other);
  if (kinds.empty()) {
    kind_names = other.kind_names;
    kinds.resize(other.kinds.size());
  }
  for (size_t i = 0; i < other.kinds.size(); ++i) {
    kinds[i].merge(other.kinds[i]);
  }
  late += other.late;
  missed += other.missed;
  read_back.blocks += other.read_back.blocks;
  if (read_back.first_corrupt_offset < 0) {
    read_back.first_corrupt_offset = other.read_back.first_corrupt_offset;
  }
  read_back.corrupt += other.read_back.corrupt;
  read_back.error = read_back.error != 0 ? read_back.error : other.read_back.error;
  elapsed_ns = std::max(elapsed_ns, other.elapsed_ns);
  all_ops += other.all_ops;
  issued += other.issued;
  cpu.user_ns += other.cpu.user_ns;
  cpu.system_ns += other.cpu.system_ns;
  cpu.io_threads_ns += other.cpu.io_threads_ns;
  cpu.voluntary_switches += other.cpu.voluntary_switches;
  cpu.involuntary_switches += other.cpu.involuntary_switches;
  interrupted = interrupted || other.interrupted;
}

BenchResult run_loop_bench(const BenchSpec& spec, const ProgressFn& progress,
                           const std::atomic<bool>& cancel) {
  BenchResult result;
  const bool same_thread = spec.drive.design == Design::kSameThread;
  const uint32_t submitters = spec.drive.submitters;
  std::vector<std::unique_ptr<OpSource>> sources;
  if (auto error = make_sources(spec, submitters, spec.drive.depth, sources)) {
    result.error = error;
    return result;
  }
  const LoopConfig loop_config = with_registrations(spec, sources);
  // Cross-thread: one loop on a thread of its own, whose CPU time is all the loop's (the thread
  // is new). Same-thread: a loop per submitter, run by the submitter's thread (its error, if
  // any, in loop_errors).
  CpuTime loop_cpu;
  // Before any thread of the run starts, so each one is counted.
  const HardwareCounters hardware;
  // io_uring's kernel threads (SQPOLL, io-wq) of the run's rings, read before the rings go.
  CpuTime io_cpu;
  const IoThreadsCpu io_threads_before = io_uring_threads_cpu();
  std::optional<LoopThread> loop_thread;
  std::vector<std::unique_ptr<Loop>> own_loops;
  std::vector<std::optional<LoopError>> loop_errors(submitters);
  std::vector<const Loop*> loops;
  if (same_thread) {
    try {
      for (uint32_t i = 0; i < submitters; ++i) {
        // A buffer ring belongs to one io_uring: each loop registers its own source's only.
        LoopConfig own_config = loop_config;
        own_config.buffer_rings = sources[i]->buffer_rings();
        own_loops.push_back(Loop::create_inline(own_config));
        loops.push_back(own_loops.back().get());
      }
    } catch (const std::system_error& error) {
      result.error = LoopError{"eventfd", error.code().value(), "creating a loop's wake source"};
      return result;
    }
  } else {
    auto on_loop_exit = [&](const std::optional<LoopError>&) {
      add_usage(loop_cpu, usage_of(RUSAGE_THREAD));  // the thread is new: all of it is the loop's
    };
    if (auto error = LoopThread::start(loop_thread, loop_config, on_loop_exit)) {
      result.error = error;
      return result;
    }
    loops.push_back(&loop_thread->loop());
  }
  auto counters_now = [&] {
    LoopCountersSnapshot total;
    for (const Loop* loop : loops) {
      add_concurrent_counters(total, loop->counters().snapshot());
    }
    return total;
  };
  // Counters as the warm-up ended, so the report covers the measured phase only: taken by the
  // first submitter to issue a measured op (a timer thread would take it late, when busy
  // threads keep it from running).
  LoopCountersSnapshot at_measure_start;
  std::once_flag measure_once;
  auto measure_started = [&] {
    std::call_once(measure_once, [&] { at_measure_start = counters_now(); });
  };
  // The loop thread's CPU and context switches over the idle window, and the CPU's counts as it
  // began, which the run's figures per op leave out.
  int64_t idle_loop_ns = 0;
  CpuTime idle_switches;
  std::optional<HardwareCounters::Counts> counted_before_idle;
  auto finish = [&] {
    if (loop_thread) {
      result.error = loop_thread->stop();  // drops the last handle: the loop drains and exits
    }
    for (const auto& error : loop_errors) {
      if (error && !result.error) {
        result.error = error;
      }
    }
    result.ring = loops.front()->ring_info();
    result.counters = counters_since(counters_now(), at_measure_start);
    exclude_cpu(loop_cpu, idle_loop_ns);
    result.stats.cpu.user_ns += loop_cpu.user_ns;
    result.stats.cpu.system_ns += loop_cpu.system_ns + io_cpu.system_ns;
    result.stats.cpu.io_threads_ns += io_cpu.io_threads_ns;
    result.stats.cpu.voluntary_switches +=
        std::max<int64_t>(0, loop_cpu.voluntary_switches - idle_switches.voluntary_switches);
    result.stats.cpu.involuntary_switches +=
        std::max<int64_t>(0, loop_cpu.involuntary_switches - idle_switches.involuntary_switches);
    set_hardware_counts(result.stats.cpu, hardware, counted_before_idle);
  };

  const int64_t started = monotonic_ns();
  const PhaseClock clock(spec.drive, started);
  std::vector<std::unique_ptr<SubmitterState>> states;
  try {
    for (uint32_t i = 0; i < submitters; ++i) {
      states.push_back(std::make_unique<SubmitterState>(
          spec, clock, cancel, i, std::move(sources[i]), measure_started,
          schedule_of(spec.drive, started, i, submitters, spec.workload.seed)));
    }
  } catch (const std::bad_alloc&) {
    finish();
    result.error = resource_error(std::current_exception(), "the submitters' state");
    return result;
  }
  std::mutex mutex;
  std::condition_variable all_done;
  // Every submitter thread is made before any issues an op: when one cannot be made, the
  // others leave at once instead of running a workload that is not the one asked for.
  bool gate_open = false;
  bool leave = false;
  uint32_t running = 0;
  std::vector<std::thread> threads;
  std::optional<LoopError> thread_error;
  try {
    for (uint32_t i = 0; i < submitters; ++i) {
      std::optional<Submitter> handle;
      if (loop_thread) {
        handle = loop_thread->submitter();
      }
      threads.emplace_back([&, i, s = states[i].get(), handle = std::move(handle)]() mutable {
        {
          std::unique_lock lock(mutex);
          all_done.wait(lock, [&] { return gate_open; });
        }
        if (!leave) {
          try {
            if (same_thread) {
              loop_errors[i] = s->run_inline(*own_loops[i]);
            } else {
              s->run(std::move(*handle), spec.loop.wait);
            }
          } catch (const std::bad_alloc&) {
            s->failure = std::current_exception();
          }
        }
        std::lock_guard lock(mutex);
        --running;
        all_done.notify_all();
      });
      ++running;
    }
  } catch (const std::exception&) {
    thread_error = resource_error(std::current_exception(), "a submitter's thread");
  }
  {
    std::lock_guard lock(mutex);
    gate_open = true;
    leave = thread_error.has_value();
  }
  all_done.notify_all();

  {
    std::unique_lock lock(mutex);
    int64_t next_progress = started + std::chrono::nanoseconds(spec.progress_interval).count();
    for (;;) {
      if (all_done.wait_for(
              lock, std::chrono::nanoseconds(std::max<int64_t>(next_progress - monotonic_ns(), 0)),
              [&] { return running == 0; })) {
        break;
      }
      const int64_t now = monotonic_ns();
      if (now < next_progress) {
        continue;
      }
      next_progress = now + std::chrono::nanoseconds(spec.progress_interval).count();
      if (progress) {
        Progress snapshot;
        snapshot.elapsed_ns = now - started;
        snapshot.measuring = clock.measuring(now);
        for (const auto& state : states) {
          snapshot.ops_ended += state->ended.load(std::memory_order_relaxed);
          snapshot.bytes_ended += state->bytes_ended.load(std::memory_order_relaxed);
        }
        snapshot.counters = counters_now();
        lock.unlock();
        progress(snapshot);
        lock.lock();
      }
    }
  }
  for (auto& thread : threads) {
    thread.join();
  }
  if (same_thread) {
    // Each driver read every io_uring thread of the process as it finished: a thread's latest
    // reading holds its most.
    IoThreadsCpu latest;
    for (const auto& state : states) {
      for (const auto& [tid, ns] : state->io_threads_at_done) {
        latest[tid] = std::max(latest[tid], ns);
      }
    }
    add_io_threads_cpu(io_cpu, io_threads_cpu_since(io_threads_before, latest));
  } else {
    // Before the idle window and the loop's exit.
    add_io_threads_cpu(io_cpu, io_threads_cpu_since(io_threads_before, io_uring_threads_cpu()));
  }
  // The same-thread design's loops end with their submitters: there is no idle loop to measure.
  if (loop_thread && spec.drive.idle.count() > 0 && !thread_error &&
      !cancel.load(std::memory_order_relaxed)) {
    counted_before_idle = hardware.read();
    const int64_t loop_before = thread_cpu_clock_ns(loop_thread->native_handle());
    // Every other thread of the run is joined: the process's switches in the window, less this
    // thread's own, are the idle loop's (and any idle io_uring worker's).
    const Usage process_before = usage_of(RUSAGE_SELF);
    const Usage own_before = usage_of(RUSAGE_THREAD);
    result.idle = measure_idle(spec.drive.idle, cancel);
    idle_loop_ns = thread_cpu_clock_ns(loop_thread->native_handle()) - loop_before;
    add_usage(idle_switches, usage_of(RUSAGE_SELF), process_before);
    CpuTime own;
    add_usage(own, usage_of(RUSAGE_THREAD), own_before);
    idle_switches.voluntary_switches -= own.voluntary_switches;
    idle_switches.involuntary_switches -= own.involuntary_switches;
  }
  finish();
  for (const auto& state : states) {
    result.stats.merge(state->recorder.stats);
    if (state->failure && !thread_error) {
      thread_error = resource_error(state->failure, "a submitter's slots");
    }
    if (state->stream_failure && !thread_error) {
      thread_error = state->stream_failure;
    }
  }
  if (thread_error && !result.error) {
    result.error = thread_error;
  }
  return result;
}

BenchResult run_raw_bench(const BenchSpec& spec, const ProgressFn& progress,
                          const std::atomic<bool>& cancel) {
  BenchResult result;
  const bool timed = spec.loop.op_timeout.has_value();
  const uint32_t sqes_per_op = timed ? 2 : 1;
  // With receive streams, room to arm every slot's stream besides its op (an arm is one SQE).
  const uint32_t sqes_per_slot = sqes_per_op + (spec.workload.socket.recv_buffers > 0 ? 1 : 0);
  const uint32_t in_flight = std::min<uint64_t>(uint64_t{spec.drive.submitters} * spec.drive.depth,
                                                kMaxRingEntries / sqes_per_slot);
  const uint32_t entries = round_up_to_power_of_two(in_flight * sqes_per_slot);

  std::vector<std::unique_ptr<OpSource>> sources;
  if (auto error = make_sources(spec, 1, in_flight, sources)) {
    result.error = error;
    return result;
  }
  OpSource& source = *sources.front();
  // Per slot: the result of an op whose last CQE is still to come (a SEND_ZC's notification).
  std::vector<std::optional<int32_t>> first_results(in_flight);
  io_uring ring{};
  io_uring_params params{};
  const HardwareCounters hardware;  // the ring's io-wq and SQPOLL threads included
  const IoThreadsCpu io_threads_before = io_uring_threads_cpu();
  const LoopConfig ring_config = with_registrations(spec, sources);
  if (auto error = init_ring(ring, params, entries, ring_config, "raw ring")) {
    result.error = error;
    return result;
  }
  result.ring = ring_info_of(ring, params, ring_config);

  ThreadCpuMeter cpu;
  const int64_t started = monotonic_ns();
  const PhaseClock clock(spec.drive, started);
  Schedule schedule = schedule_of(spec.drive, started, 0, 1, spec.workload.seed);
  tighten_timer_slack(schedule);
  LoopCountersSnapshot counters;
  LoopCountersSnapshot at_measure_start;
  Recorder recorder(clock, source, cancel, spec.drive.ops, [&] { at_measure_start = counters; });
  // The kernel copies a LINK_TIMEOUT's timespec when the SQE is submitted, so one will do here.
  __kernel_timespec link_timeout =
      to_kernel_timespec(spec.loop.op_timeout.value_or(std::chrono::nanoseconds{0}));
  Slots slots(in_flight);
  // Lifetime: slot resources outlive the ring (destroyed after exit_ring below).
  std::vector<Resources> resources(in_flight);
  std::vector<Resources> stream_resources(in_flight);
  Streams streams(source, in_flight);
  uint32_t outstanding = 0;
  auto end_step = [&](uint32_t slot, int32_t result, const OpResources* op_resources, int64_t at,
                      std::optional<int64_t> lateness) {
    recorder.ended(slot, slots[slot], at, OpEnd::kCompleted, result, op_resources, schedule.open(),
                   lateness);
    slots.give_back(slot, at);
  };

  // Lifetime: every SQE the ops need fits in the SQ (entries >= in_flight * sqes_per_op), and
  // each pass submits all it staged, so the SQ lacks room only with SQPOLL, whose thread may not
  // have taken the last pass's SQEs yet: then it waits for it (SQ_WAIT).
  auto issue = [&](uint32_t slot) {
    if (streams.begin_receipt(slot, [&](int32_t result) {
          end_step(slot, result, nullptr, slots[slot].at, std::nullopt);
        })) {
      ++recorder.stats.issued;
      return;
    }
    check_invariant(spec.loop.sqpoll || io_uring_sq_space_left(&ring) >= sqes_per_op,
                    "the raw ring's SQ is full without SQPOLL");
    wait_for_sq_room(ring, sqes_per_op);
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    check_invariant(sqe != nullptr, "the SQ thread freed no SQ entry for the raw ring's op");
    slots[slot].kind = source.prepare(slot, *sqe, resources[slot]);
    io_uring_sqe_set_data64(sqe, slot);
    if (timed) {
      link_op_timeout(ring, *sqe, link_timeout);
    }
    ++outstanding;
    ++recorder.stats.issued;
  };

  int64_t now = started;
  int64_t last_progress = started;
  bool issuing = true;
  // Arms the streams that wait for it (no linked timeout: a stream runs until it ends).
  auto arm_streams = [&] {
    for (const uint32_t slot : streams.to_arm()) {
      wait_for_sq_room(ring, 1);
      io_uring_sqe* sqe = io_uring_get_sqe(&ring);
      check_invariant(sqe != nullptr, "no SQ entry to arm a receive stream on the raw ring");
      source.prepare_stream(slot, *sqe, stream_resources[slot]);
      io_uring_sqe_set_data64(sqe, Streams::kStreamCookie | slot);
    }
    streams.armed(streams.to_arm().size());
  };
  for (;;) {
    arm_streams();
    if (issuing) {
      // Read after judging the last batch, which is no part of the latency of the ops issued
      // now (its ends were seen at `now` as the batch was reaped).
      issuing = issue_due(schedule, slots, recorder, monotonic_ns(), issue);
      if (!issuing && schedule.open()) {
        recorder.count_missed(schedule);
      }
    }
    if (!issuing && outstanding == 0 && streams.wind_down(true)) {
      break;
    }
    ++counters.enter_calls;
    counters.sqes_submitted += io_uring_sq_ready(&ring);
    int ret = 0;
    if (issuing && schedule.open() && slots.any_free()) {
      // Wait for a completion, but no longer than until the next op is due.
      const int64_t wait_ns = std::max<int64_t>(schedule.due(now) - monotonic_ns(), 0);
      __kernel_timespec until_due = to_kernel_timespec(std::chrono::nanoseconds(wait_ns));
      io_uring_cqe* first = nullptr;
      ret = io_uring_submit_and_wait_timeout(&ring, &first, 1, &until_due, nullptr);
      if (ret == -ETIME) {
        ret = 0;
      }
    } else {
      ret = io_uring_submit_and_wait(&ring, 1);
    }
    if (ret < 0 && !transient_enter_error(-ret)) {
      result.error = LoopError{"io_uring_enter", -ret, "raw ring"};
      break;
    }
    now = monotonic_ns();
    unsigned head = 0, seen = 0;
    io_uring_cqe* cqe = nullptr;
    io_uring_for_each_cqe(&ring, head, cqe) {
      ++seen;
      if (cqe->user_data == kTimeoutUserData) {
        ++counters.timeout_cqes;
        continue;
      }
      int32_t res = cqe->res;
      const auto slot = static_cast<uint32_t>(cqe->user_data);
      if (Streams::is_stream(cqe->user_data)) {
        const bool more = (cqe->flags & IORING_CQE_F_MORE) != 0;
        counters.multishot_results += more ? 1 : 0;
        counters.multishot_no_buffers += !more && res == -ENOBUFS ? 1 : 0;
        counters.ops_completed += more ? 0 : 1;  // as the loop counts a multishot op's end
        const Streams::Step step = streams.on_result(slot, res, cqe->flags, more);
        if (step.failure) {
          issuing = false;
          result.error = result.error.value_or(*step.failure);
        }
        if (step.receipt) {
          end_step(slot, *step.receipt, nullptr, now, std::nullopt);
        }
        continue;
      }
      // As the loop does (Loop::handle_cqe, end_op): an op with more CQEs to come ends with its
      // last, a SEND_ZC with its notification, keeping the result its first CQE gave.
      if ((cqe->flags & IORING_CQE_F_MORE) != 0) {
        first_results[slot] = res;
        continue;
      }
      if ((cqe->flags & IORING_CQE_F_NOTIF) != 0) {
        check_invariant(first_results[slot].has_value(),
                        "a zero-copy notification CQE before its op's result CQE");
        ++counters.zc_notifications;
        if (zero_copy_fell_back(res)) {
          ++counters.zc_copied;
        }
        res = *first_results[slot];
        first_results[slot].reset();
      }
      std::optional<int64_t> lateness;
      if (op_timed_out(res, timed)) {
        ++counters.timeouts_fired;
        // The raw ring submits each op as it is issued: its issue is when its timeout was armed.
        lateness = now - (slots[slot].at + spec.loop.op_timeout->count());
      }
      end_step(slot, res, resources[slot].get(), now, lateness);
      ++counters.ops_completed;
      --outstanding;
    }
    io_uring_cq_advance(&ring, seen);
    if (progress &&
        now - last_progress >= std::chrono::nanoseconds(spec.progress_interval).count()) {
      last_progress = now;
      progress(Progress{now - started, clock.measuring(now), recorder.stats.all_ops,
                        recorder.all_bytes, counters});
    }
  }
  // Before they go with the ring.
  add_io_threads_cpu(recorder.stats.cpu,
                     io_threads_cpu_since(io_threads_before, io_uring_threads_cpu()));
  exit_ring(ring);
  result.counters = counters_since(counters, at_measure_start);
  cpu.add_to(recorder.stats.cpu);
  set_hardware_counts(recorder.stats.cpu, hardware, std::nullopt);
  recorder.stats.read_back = source.read_back();
  result.stats = std::move(recorder.stats);
  return result;
}

}  // namespace iob
