#include "bench.h"

#include <errno.h>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "clock.h"
#include "sinks.h"

namespace iob {

namespace {

// When each phase of a run begins and ends, fixed at the start.
struct PhaseClock {
  PhaseClock(const DriveSpec& drive, int64_t now)
      : measure_start(now + drive.warmup.count()),
        end(drive.ops > 0 ? INT64_MAX : measure_start + drive.duration.count()) {}

  const int64_t measure_start;
  const int64_t end;  // INT64_MAX when an op count ends the run
};

// Decides when a thread may issue another op and records how each op ended. One per thread.
class Recorder {
 public:
  Recorder(const PhaseClock& clock, const OpSource& source, const std::atomic<bool>& cancel,
           uint64_t quota)
      : clock_(clock), source_(source), cancel_(cancel), quota_(quota) {}

  // Whether an op issued at `now` is wanted; counts it against the quota if so.
  bool claim_issue(int64_t now) {
    if (cancel_.load(std::memory_order_relaxed)) {
      stats.interrupted = true;
      return false;
    }
    if (now >= clock_.end) {
      return false;
    }
    if (now < clock_.measure_start) {
      ++warmup_issued_;
      return true;
    }
    if (quota_ > 0 && measured_issued_ >= quota_) {
      return false;
    }
    ++measured_issued_;
    return true;
  }

  // True exactly once, after the first measured op following a warm-up was claimed. The
  // thread snapshots the counters then, so they cover the measured phase give or take the ops
  // in flight. Without a warm-up every op is measured and nothing needs subtracting.
  bool entered_measured_phase() {
    if (warmup_issued_ == 0 || measured_issued_ == 0 || entered_) {
      return false;
    }
    entered_ = true;
    return true;
  }

  void ended(int64_t issued_at, int64_t now, OpEnd end, int32_t result) {
    ++stats.all_ops;
    if (issued_at < clock_.measure_start) {
      return;
    }
    ++stats.ops;
    stats.elapsed_ns = std::max(stats.elapsed_ns, now - clock_.measure_start);
    if (end == OpEnd::kAbandoned) {
      ++stats.abandoned;
      return;
    }
    stats.latency.record(static_cast<uint64_t>(std::max<int64_t>(now - issued_at, 0)));
    if (source_.expected(result)) {
      ++stats.expected;
    } else if (result == -ETIMEDOUT) {
      ++stats.timed_out;
    } else {
      ++stats.unexpected[result];
    }
  }

  RunStats stats;

 private:
  const PhaseClock& clock_;
  const OpSource& source_;
  const std::atomic<bool>& cancel_;
  const uint64_t quota_;
  uint64_t warmup_issued_ = 0;
  uint64_t measured_issued_ = 0;
  bool entered_ = false;
};

// CPU time of the calling thread since construction.
class ThreadCpuMeter {
 public:
  ThreadCpuMeter() { thread_cpu_ns(user_, system_); }
  void add_to(CpuTime& total) const {
    int64_t user = 0, system = 0;
    thread_cpu_ns(user, system);
    total.user_ns += user - user_;
    total.system_ns += system - system_;
  }

 private:
  int64_t user_ = 0, system_ = 0;
};

// The share of `ops` that submitter `index` of `count` runs.
uint64_t quota_of(uint64_t ops, uint32_t index, uint32_t count) {
  return ops == 0 ? 0 : ops / count + (index < ops % count ? 1 : 0);
}

// One submitter thread of a loop benchmark.
struct SubmitterState {
  SubmitterState(const BenchSpec& spec, const PhaseClock& clock, const std::atomic<bool>& cancel,
                 uint32_t index)
      : snapshots_counters(index == 0),
        source(make_op_source(spec.workload)),
        queue(round_up_to_power_of_two(spec.drive.depth)),
        recorder(clock, *source, cancel,
                 quota_of(spec.drive.ops, index, spec.drive.submitters)) {}

  void run(Submitter submitter, uint32_t depth) {
    ThreadCpuMeter cpu;
    std::vector<int64_t> issued_at(depth);
    std::vector<Resources> spare(depth);
    // Reused: each prep writes every SQE field, and sending moves the resources out, so a slot
    // needs no clearing between bursts.
    std::vector<Op> burst(depth);
    size_t burst_size = 0;
    uint32_t outstanding = 0;

    auto prepare = [&](uint32_t slot, int64_t now) {
      if (!recorder.claim_issue(now)) {
        return;
      }
      Op& op = burst[burst_size++];
      source->prepare(slot, op.sqe, spare[slot]);
      op.resources = std::move(spare[slot]);
      op.sink = &queue;
      op.cookie = slot;
      issued_at[slot] = now;
    };
    // Sends the ops prepared for one batch together. Ops refused because the loop stopped on
    // an error are not re-issued; the run reports the error.
    auto send_burst = [&] {
      if (snapshots_counters && recorder.entered_measured_phase()) {
        at_measure_start = submitter.counters().snapshot();
      }
      outstanding +=
          static_cast<uint32_t>(submitter.send_all(std::span<Op>(burst.data(), burst_size)));
      burst_size = 0;
    };

    int64_t now = monotonic_ns();
    for (uint32_t slot = 0; slot < depth; ++slot) {
      prepare(slot, now);
    }
    send_burst();
    while (outstanding > 0) {
      if (queue.empty()) {
        queue.wait();
        continue;
      }
      // One clock read per batch: every end in it was seen now, and every op re-issued for it
      // is issued now.
      now = monotonic_ns();
      queue.drain([&](Completion& completion) {
        const auto slot = static_cast<uint32_t>(completion.cookie);
        --outstanding;
        recorder.ended(issued_at[slot], now, completion.end, completion.result);
        spare[slot] = std::move(completion.resources);
        if (completion.end == OpEnd::kCompleted) {
          prepare(slot, now);
        }
      });
      send_burst();
      ended.store(recorder.stats.all_ops, std::memory_order_relaxed);
    }
    cpu.add_to(recorder.stats.cpu);
  }

  // Submitter 0 snapshots the loop's counters as the measured phase begins.
  const bool snapshots_counters;
  LoopCountersSnapshot at_measure_start;
  std::unique_ptr<OpSource> source;
  // Kept alive by the driver until the loop has exited (CompletionQueue's rule).
  CompletionQueue queue;
  Recorder recorder;
  std::atomic<uint64_t> ended{0};
};

}  // namespace

void RunStats::merge(const RunStats& other) {
  ops += other.ops;
  expected += other.expected;
  timed_out += other.timed_out;
  abandoned += other.abandoned;
  for (const auto& [result, count] : other.unexpected) {
    unexpected[result] += count;
  }
  latency.merge(other.latency);
  elapsed_ns = std::max(elapsed_ns, other.elapsed_ns);
  all_ops += other.all_ops;
  cpu.user_ns += other.cpu.user_ns;
  cpu.system_ns += other.cpu.system_ns;
  interrupted = interrupted || other.interrupted;
}

BenchResult run_loop_bench(const BenchSpec& spec, const ProgressFn& progress,
                           const std::atomic<bool>& cancel) {
  std::unique_ptr<Loop> loop;
  std::optional<Submitter> submitter;
  try {
    auto [first, created] = Loop::create(spec.loop);
    submitter.emplace(std::move(first));
    loop = std::move(created);
  } catch (const std::system_error& error) {
    // The eventfd could not be made: out of descriptors or memory. A limit of this machine, not
    // a bug: report it like a refused ring.
    BenchResult refused;
    refused.error = LoopError{"eventfd", error.code().value(), "creating the loop's wake source"};
    return refused;
  }
  BenchResult result;
  std::optional<LoopError> loop_error;
  CpuTime loop_cpu;
  std::thread loop_thread([&, l = loop.get()] {
    ThreadCpuMeter cpu;
    loop_error = l->run();
    cpu.add_to(loop_cpu);
  });
  auto finish = [&](const LoopCountersSnapshot& at_measure_start) {
    submitter.reset();  // the last handle: the loop drains and exits
    loop_thread.join();
    result.counters = counters_since(loop->counters().snapshot(), at_measure_start);
    result.error = loop_error;
    result.stats.cpu.user_ns += loop_cpu.user_ns;
    result.stats.cpu.system_ns += loop_cpu.system_ns;
  };
  if (auto start_error = loop->wait_until_started()) {
    finish({});
    return result;
  }
  result.ring = loop->ring_info();

  const int64_t started = monotonic_ns();
  const PhaseClock clock(spec.drive, started);
  std::vector<std::unique_ptr<SubmitterState>> states;
  for (uint32_t i = 0; i < spec.drive.submitters; ++i) {
    states.push_back(std::make_unique<SubmitterState>(spec, clock, cancel, i));
  }
  std::mutex mutex;
  std::condition_variable all_done;
  uint32_t running = spec.drive.submitters;
  std::vector<std::thread> threads;
  for (auto& state : states) {
    threads.emplace_back([&, s = state.get(), handle = *submitter]() mutable {
      s->run(std::move(handle), spec.drive.depth);
      std::lock_guard lock(mutex);
      --running;
      all_done.notify_all();
    });
  }

  {
    std::unique_lock lock(mutex);
    while (!all_done.wait_for(lock, spec.progress_interval, [&] { return running == 0; })) {
      if (progress) {
        Progress snapshot;
        snapshot.elapsed_ns = monotonic_ns() - started;
        snapshot.measuring = snapshot.elapsed_ns + started >= clock.measure_start;
        for (const auto& state : states) {
          snapshot.ops_ended += state->ended.load(std::memory_order_relaxed);
        }
        snapshot.counters = loop->counters().snapshot();
        lock.unlock();
        progress(snapshot);
        lock.lock();
      }
    }
  }
  for (auto& thread : threads) {
    thread.join();
  }
  finish(states.front()->at_measure_start);
  for (const auto& state : states) {
    result.stats.merge(state->recorder.stats);
  }
  return result;
}

BenchResult run_raw_bench(const BenchSpec& spec, const ProgressFn& progress,
                          const std::atomic<bool>& cancel) {
  BenchResult result;
  const bool timed = spec.loop.op_timeout.has_value();
  const uint32_t sqes_per_op = timed ? 2 : 1;
  const uint32_t in_flight = std::min<uint64_t>(
      uint64_t{spec.drive.submitters} * spec.drive.depth, kMaxRingEntries / sqes_per_op);
  const uint32_t entries = round_up_to_power_of_two(in_flight) * sqes_per_op;

  io_uring ring{};
  io_uring_params params{};
  params.flags = ring_setup_flags(spec.loop);
  if (const int ret = io_uring_queue_init_params(entries, &ring, &params); ret < 0) {
    result.error = LoopError{"io_uring_setup", -ret, "raw ring"};
    return result;
  }
  result.ring = RingInfo{ring.sq.ring_entries, ring.cq.ring_entries, params.flags, params.features};

  ThreadCpuMeter cpu;
  const int64_t started = monotonic_ns();
  const PhaseClock clock(spec.drive, started);
  auto source = make_op_source(spec.workload);
  Recorder recorder(clock, *source, cancel, spec.drive.ops);
  LoopCountersSnapshot counters;
  LoopCountersSnapshot at_measure_start;
  // The kernel copies a LINK_TIMEOUT's timespec when the SQE is submitted, so one will do here.
  __kernel_timespec link_timeout{};
  if (timed) {
    link_timeout.tv_sec = spec.loop.op_timeout->count() / 1'000'000'000;
    link_timeout.tv_nsec = spec.loop.op_timeout->count() % 1'000'000'000;
  }
  std::vector<int64_t> issued_at(in_flight);
  // Lifetime: slot resources outlive the ring (destroyed after io_uring_queue_exit below).
  std::vector<Resources> resources(in_flight);
  std::vector<uint32_t> free_slots;
  for (uint32_t slot = in_flight; slot-- > 0;) {
    free_slots.push_back(slot);
  }

  int64_t now = started;
  int64_t last_progress = started;
  uint32_t outstanding = 0;
  for (;;) {
    while (!free_slots.empty() && io_uring_sq_space_left(&ring) >= sqes_per_op &&
           recorder.claim_issue(now)) {
      const uint32_t slot = free_slots.back();
      free_slots.pop_back();
      io_uring_sqe* sqe = io_uring_get_sqe(&ring);
      source->prepare(slot, *sqe, resources[slot]);
      io_uring_sqe_set_data64(sqe, slot);
      if (timed) {
        sqe->flags |= IOSQE_IO_LINK;
        io_uring_sqe* timeout = io_uring_get_sqe(&ring);
        io_uring_prep_link_timeout(timeout, &link_timeout, 0);
        io_uring_sqe_set_data64(timeout, kTimeoutUserData);
      }
      issued_at[slot] = now;
      ++outstanding;
    }
    if (recorder.entered_measured_phase()) {
      at_measure_start = counters;
    }
    if (outstanding == 0) {
      break;
    }
    ++counters.enter_calls;
    counters.sqes_submitted += io_uring_sq_ready(&ring);
    const int ret = io_uring_submit_and_wait(&ring, 1);
    if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY) {
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
      if (res == -ECANCELED && timed) {
        res = -ETIMEDOUT;
        ++counters.timeouts_fired;
      }
      const auto slot = static_cast<uint32_t>(cqe->user_data);
      recorder.ended(issued_at[slot], now, OpEnd::kCompleted, res);
      ++counters.ops_completed;
      free_slots.push_back(slot);
      --outstanding;
    }
    io_uring_cq_advance(&ring, seen);
    if (progress && now - last_progress >= std::chrono::nanoseconds(spec.progress_interval).count()) {
      last_progress = now;
      progress(Progress{now - started, now >= clock.measure_start, recorder.stats.all_ops, counters});
    }
  }
  io_uring_queue_exit(&ring);
  result.counters = counters_since(counters, at_measure_start);
  result.stats = std::move(recorder.stats);
  cpu.add_to(result.stats.cpu);
  return result;
}

}  // namespace iob
