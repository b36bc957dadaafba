#include "harness/shutdown_drill.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include "clock.h"
#include "harness/random.h"
#include "harness/test_file.h"
#include "loop/loop_thread.h"

namespace iob {

namespace {

using std::chrono::nanoseconds;
using std::chrono::steady_clock;

constexpr size_t kMaxFailures = 20;
// In-flight slots per requester, at most: a socket slot owns a connection (two descriptors).
constexpr uint32_t kMaxDepth = 32;
constexpr uint64_t kScratchFileSize = 256 * 1024;
// A requester that waits this long for one of its ops to end drops its handle there and then:
// every slot it has holds a slow op (a stall, a long timer).
constexpr nanoseconds kSlotWait = std::chrono::milliseconds(5);
// After a hang, how long requesters get to leave their waits before they are left running.
constexpr nanoseconds kGiveUpGrace = std::chrono::milliseconds(100);

bool is_file_kind(OpKind kind) { return kind == OpKind::kFileRead || kind == OpKind::kFileWrite; }

uint64_t round_seed_of(uint64_t seed, uint32_t round) {
  Random random(seed ^ (0x9e3779b97f4a7c15 * (uint64_t{round} + 1)));
  return random.next();
}

// What one round runs, drawn from its seed.
struct RoundPlan {
  struct Requester {
    uint32_t depth = 1;       // in-flight slots
    uint32_t drop_after = 1;  // ops issued before the handle is dropped
    uint32_t pause_us = 0;    // then this pause, with ops still out, before the drop
  };
  LoopConfig loop;
  WorkloadSpec workload;
  std::vector<Requester> requesters;
};

RoundPlan plan_round(const DrillSpec& spec, uint32_t round, uint64_t round_seed,
                     const std::string& file) {
  Random random(round_seed);
  RoundPlan plan;
  plan.loop.size = spec.ring_size != 0 ? spec.ring_size : uint32_t{1} << random.below(9);
  plan.loop.wake = spec.wake;
  plan.loop.shutdown_timeout = spec.shutdown_timeouts[round % spec.shutdown_timeouts.size()];
  plan.loop.op_timeout = spec.op_timeouts[random.below(spec.op_timeouts.size())];

  WorkloadSpec& workload = plan.workload;
  workload.seed = round_seed;
  workload.timer = nanoseconds(random.below(static_cast<uint64_t>(spec.max_timer.count()) + 1));
  // Not the laid-out pattern's seed: reads are not checked, only how they end.
  workload.file = FileSpec{.path = file,
                           .size = kScratchFileSize,
                           .block_size = 4096,
                           .random = true,
                           .fsync_every = random.below(2) == 0 ? 0u : 8u,
                           .writev_buffers = random.below(2) == 0 ? 0u : 4u,
                           .verify = false};
  workload.socket = SocketSpec{Transport::kUnix, uint32_t{64} << random.below(7)};
  const bool nothing_ends_a_stall = !plan.loop.op_timeout && !plan.loop.shutdown_timeout;
  const bool only_stalls = std::all_of(spec.ops.begin(), spec.ops.end(),
                                       [](OpKind kind) { return kind == OpKind::kStall; });
  std::vector<OpKind> kinds;
  for (OpKind kind : spec.ops) {
    if (kind != OpKind::kStall || !nothing_ends_a_stall || only_stalls) {
      kinds.push_back(kind);
    }
  }
  for (OpKind kind : kinds) {
    if (const auto weight = static_cast<uint32_t>(random.below(4)); weight > 0) {
      workload.mix.push_back(MixEntry{kind, weight});
    }
  }
  if (workload.mix.empty()) {
    workload.mix.push_back(MixEntry{kinds[random.below(kinds.size())], 1});
  }

  // Up to twice the loop's size outstanding in all (its waiters plus its queue), so a full queue
  // can never block a send for good; above the size, some ops wait queued. Except when stalls
  // have no op timeout: an op queued behind a full set of stalled waiters would never be
  // staged, so its requester, waiting for it before it submits more, would never reach its
  // drop (the seed's liveness caveat: only an op timeout frees a waiter while submitters run).
  const uint32_t size = round_up_to_power_of_two(plan.loop.size);
  const bool endless_ops_in_mix =
      !plan.loop.op_timeout &&
      std::any_of(workload.mix.begin(), workload.mix.end(),
                  [](const MixEntry& entry) { return entry.op == OpKind::kStall; });
  const uint32_t outstanding = endless_ops_in_mix ? size : 2 * size;
  const auto submitters =
      spec.submitters != 0
          ? spec.submitters
          : 1 + static_cast<uint32_t>(random.below(std::min<uint32_t>(4, outstanding)));
  const uint32_t max_depth = std::clamp<uint32_t>(outstanding / submitters, 1, kMaxDepth);
  for (uint32_t i = 0; i < submitters; ++i) {
    RoundPlan::Requester requester;
    requester.depth = 1 + static_cast<uint32_t>(random.below(max_depth));
    requester.drop_after = 1 + static_cast<uint32_t>(random.below(spec.max_ops_per_submitter));
    requester.pause_us = random.below(4) == 0 ? 0 : static_cast<uint32_t>(random.below(300));
    plan.requesters.push_back(requester);
  }
  return plan;
}

// One requester thread of a round: runs its ops closed loop, drops its handle, then waits for
// every op it submitted to end. As the sink of its ops it counts the ends of each op id (the
// cookie) on the loop thread.
class Requester final : public CompletionSink {
 public:
  Requester(const RoundPlan::Requester& plan, std::unique_ptr<OpSource> source)
      : plan_(plan), source_(std::move(source)), end_counts_(plan.drop_after, 0) {}

  void deliver(Completion&& completion) override {
    std::lock_guard lock(mutex_);
    const uint64_t id = completion.cookie;
    if (id >= submitted_limit()) {
      ++unexpected_;
      return;
    }
    uint8_t& count = end_counts_[id];
    count = static_cast<uint8_t>(std::min(count + 1, 255));
    if (count > 1) {
      ++repeated_;
      return;  // only an op's first end frees its slot
    }
    ++distinct_ended_;
    if (completion.end == OpEnd::kAbandoned) {
      ++abandoned_;
      handed_back_ += completion.resources ? 1 : 0;
    } else if (completion.result == -ETIMEDOUT) {
      ++timed_out_;
    } else {
      ++completed_;
    }
    ends_.push_back(std::move(completion));
  }

  void flush() override {
    std::lock_guard lock(mutex_);
    woken_.notify_all();
  }

  // Stops every wait of run() (the round hung).
  void give_up() {
    std::lock_guard lock(mutex_);
    gave_up_ = true;
    woken_.notify_all();
  }

  // `note_drop(t)` is told when the handle is dropped.
  template <typename NoteDrop>
  void run(Submitter handle, NoteDrop&& note_drop) {
    std::optional<Submitter> submitter(std::move(handle));
    std::vector<uint32_t> free_slots;
    for (uint32_t slot = plan_.depth; slot-- > 0;) {
      free_slots.push_back(slot);
    }
    std::vector<Resources> spare(plan_.depth);
    std::vector<uint32_t> kind_of_slot(plan_.depth, 0);
    std::vector<uint32_t> slot_of_op(plan_.drop_after, 0);
    std::vector<Op> burst(plan_.depth);
    uint32_t issued = 0;

    // Takes the ends that came, freeing their slots; false if none came by `deadline` or an op
    // was abandoned (the loop takes no more).
    auto take_ends = [&](steady_clock::time_point deadline) {
      std::vector<Completion> ends;
      {
        std::unique_lock lock(mutex_);
        woken_.wait_until(lock, deadline, [&] { return !ends_.empty() || gave_up_; });
        ends.swap(ends_);
      }
      bool go_on = !ends.empty();
      for (Completion& end : ends) {
        if (end.end == OpEnd::kAbandoned) {
          go_on = false;  // its resources stay with the loop: the slot is gone
          continue;
        }
        const uint32_t slot = slot_of_op[end.cookie];
        source_->judge(slot, kind_of_slot[slot], end.result, end.resources.get());
        spare[slot] = std::move(end.resources);
        free_slots.push_back(slot);
      }
      return go_on;
    };

    while (issued < plan_.drop_after) {
      size_t count = 0;
      while (!free_slots.empty() && issued + count < plan_.drop_after) {
        const uint32_t slot = free_slots.back();
        free_slots.pop_back();
        Op& op = burst[count];
        kind_of_slot[slot] = source_->prepare(slot, op.sqe, spare[slot]);
        op.resources = std::move(spare[slot]);
        op.sink = this;
        op.cookie = issued + count;
        slot_of_op[op.cookie] = slot;
        ++count;
      }
      const size_t accepted = submitter->send_all(std::span<Op>(burst.data(), count));
      issued += static_cast<uint32_t>(accepted);
      {
        std::lock_guard lock(mutex_);
        submitted_ = issued;
      }
      // Refused: the loop stopped on an error. Otherwise drop once the plan says so, or when no
      // slot frees up for a while.
      if (accepted < count || issued == plan_.drop_after ||
          !take_ends(steady_clock::now() + kSlotWait)) {
        break;
      }
    }
    if (plan_.pause_us > 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(plan_.pause_us));
    }
    const int64_t dropped_at = monotonic_ns();
    submitter.reset();
    note_drop(dropped_at);

    std::unique_lock lock(mutex_);
    woken_.wait(lock, [&] { return distinct_ended_ == submitted_ || gave_up_; });
    ends_.clear();
    lock.unlock();
    finished_.store(true, std::memory_order_release);
  }

  bool finished() const { return finished_.load(std::memory_order_acquire); }

  // What this requester saw; call once its ops can no longer end (or the round hung).
  struct Tally {
    uint64_t submitted = 0, completed = 0, timed_out = 0, abandoned = 0;
    uint64_t repeated = 0, unexpected = 0, missing = 0, handed_back = 0;
    int64_t first_missing = -1, first_repeated = -1;
  };
  Tally tally() {
    std::lock_guard lock(mutex_);
    Tally tally{submitted_, completed_,  timed_out_, abandoned_,
                repeated_,  unexpected_, 0,          handed_back_};
    for (uint64_t id = 0; id < submitted_; ++id) {
      if (end_counts_[id] == 0) {
        tally.first_missing = tally.missing++ == 0 ? static_cast<int64_t>(id) : tally.first_missing;
      } else if (end_counts_[id] > 1 && tally.first_repeated < 0) {
        tally.first_repeated = static_cast<int64_t>(id);
      }
    }
    return tally;
  }

 private:
  // Ends of ids past the last op sent are unexpected; the ids of a burst being sent are not yet
  // counted in submitted_, so the bound is the plan's.
  uint64_t submitted_limit() const { return end_counts_.size(); }

  const RoundPlan::Requester plan_;
  const std::unique_ptr<OpSource> source_;
  std::mutex mutex_;
  std::condition_variable woken_;
  std::vector<uint8_t> end_counts_;  // by op id
  std::vector<Completion> ends_;     // first ends, not yet taken by run()
  uint64_t submitted_ = 0;
  uint64_t distinct_ended_ = 0;
  uint64_t completed_ = 0, timed_out_ = 0, abandoned_ = 0, repeated_ = 0, unexpected_ = 0,
           handed_back_ = 0;
  bool gave_up_ = false;
  std::atomic<bool> finished_{false};
};

// A round's shared state: owned jointly by its threads, so threads left running after a hang
// keep what they touch alive.
struct RoundState {
  // The round's loop, owned by its LoopThread (and kept alive by the thread if left running).
  const Loop* loop = nullptr;
  std::vector<std::unique_ptr<Requester>> requesters;
  std::atomic<int64_t> last_drop_ns{0};
  std::mutex mutex;
  std::condition_variable finished;
  uint32_t threads_finished = 0;
  bool loop_exited = false;
  int64_t loop_exit_ns = 0;
  std::optional<LoopError> loop_error;

  void note_drop(int64_t at) {
    int64_t seen = last_drop_ns.load(std::memory_order_relaxed);
    while (seen < at && !last_drop_ns.compare_exchange_weak(seen, at, std::memory_order_relaxed)) {
    }
  }
  void thread_finished() {
    std::lock_guard lock(mutex);
    ++threads_finished;
    finished.notify_all();
  }
};

// What a hung round's loop was doing, from its counters.
std::string hang_diagnosis(RoundState& state) {
  const LoopCountersSnapshot counters = state.loop->counters().snapshot();
  bool exited = false;
  {
    std::lock_guard lock(state.mutex);
    exited = state.loop_exited;
  }
  std::string text = std::string(exited ? "the loop exited" : "the loop still runs") + " with " +
                     std::to_string(counters.ops_accepted) + " ops accepted, " +
                     std::to_string(counters.ops_completed) + " completed, " +
                     std::to_string(counters.ops_abandoned) + " abandoned, " +
                     std::to_string(counters.pending_operations) + " in flight";
  if (!exited && state.loop->counters().stall_since_ns.load(std::memory_order_relaxed) != 0) {
    // The seed's liveness caveat: while submitters run, only an op timeout frees a waiter.
    text +=
        "; it is in a capacity stall: every waiter in flight on an op that never ends and ops "
        "still queued "
        "behind them, so their requesters never get to drop (only an op timeout frees a waiter)";
  }
  return text;
}

class Drill {
 public:
  Drill(const DrillSpec& spec, DrillResult& result) : spec_(spec), result_(result) {}

  void fail(uint32_t round, uint64_t round_seed, std::string what) {
    if (result_.failures.size() < kMaxFailures) {
      result_.failures.push_back(DrillFailure{round, round_seed, std::move(what)});
    }
  }

  // Runs one round; false when the drill must stop (a hang, or it could not set up).
  bool run_round(uint32_t round, const std::string& file) {
    const uint64_t round_seed = round_seed_of(spec_.seed, round);
    const RoundPlan plan = plan_round(spec_, round, round_seed, file);
    const auto requester_count = static_cast<uint32_t>(plan.requesters.size());
    auto state = std::make_shared<RoundState>();
    try {
      for (uint32_t i = 0; i < requester_count; ++i) {
        state->requesters.push_back(std::make_unique<Requester>(
            plan.requesters[i],
            make_op_source(plan.workload,
                           SourceContext{i, requester_count, plan.requesters[i].depth})));
      }
    } catch (const WorkloadError& error) {
      result_.error = static_cast<const SystemError&>(error);
      return false;
    }
    const auto started = steady_clock::now();
    std::optional<LoopThread> loop_thread;
    auto on_loop_exit = [state](const std::optional<LoopError>& error) {
      const int64_t now = monotonic_ns();
      std::lock_guard lock(state->mutex);
      state->loop_error = error;
      state->loop_exit_ns = now;
      state->loop_exited = true;
      ++state->threads_finished;
      state->finished.notify_all();
    };
    if (auto error = LoopThread::start(loop_thread, plan.loop, on_loop_exit)) {
      result_.error = error;
      return false;
    }
    state->loop = &loop_thread->loop();
    std::vector<std::thread> threads;
    std::optional<LoopError> thread_error;
    try {
      for (auto& requester : state->requesters) {
        threads.emplace_back(
            [state, r = requester.get(), handle = loop_thread->submitter()]() mutable {
              r->run(std::move(handle), [&](int64_t at) { state->note_drop(at); });
              state->thread_finished();
            });
      }
    } catch (const std::system_error&) {
      // Not the round planned: the requesters already running give up, and the drill stops
      // once they and the loop have ended.
      thread_error = resource_error(std::current_exception(), "a requester's thread");
      for (auto& requester : state->requesters) {
        requester->give_up();
      }
    }
    const auto running = static_cast<uint32_t>(threads.size()) + 1;  // and the loop
    const int64_t dropped_at = monotonic_ns();
    loop_thread->release_submitter();
    state->note_drop(dropped_at);

    bool over = false;
    {
      std::unique_lock lock(state->mutex);
      over = state->finished.wait_until(lock, started + spec_.round_deadline,
                                        [&] { return state->threads_finished == running; });
    }
    if (!over) {
      for (auto& requester : state->requesters) {
        requester->give_up();
      }
      std::unique_lock lock(state->mutex);
      state->finished.wait_for(lock, kGiveUpGrace,
                               [&] { return state->threads_finished == running; });
    }
    bool left_running = false;
    for (size_t i = 0; i < threads.size(); ++i) {
      if (state->requesters[i]->finished()) {
        threads[i].join();
      } else {
        threads[i].detach();  // blocked in a send the loop will never make room for
        left_running = true;
      }
    }
    bool loop_exited = false;
    {
      std::lock_guard lock(state->mutex);
      loop_exited = state->loop_exited;
    }
    if (loop_exited) {
      loop_thread->stop();
    } else {
      loop_thread->leave_running();
      left_running = true;
    }
    result_.loop_left_running = result_.loop_left_running || left_running;
    if (thread_error) {
      result_.error = thread_error;
      return false;
    }
    record(round, round_seed, plan, *state, over);
    ++result_.rounds_run;
    return over;
  }

 private:
  void record(uint32_t round, uint64_t round_seed, const RoundPlan& plan, RoundState& state,
              bool over) {
    DrillModeStats& mode = result_.modes[round % result_.modes.size()];
    ++mode.rounds;
    Requester::Tally total;
    for (size_t i = 0; i < state.requesters.size(); ++i) {
      const Requester::Tally tally = state.requesters[i]->tally();
      const std::string who = "requester " + std::to_string(i) + " op ";
      if (tally.first_missing >= 0) {
        fail(round, round_seed,
             who + std::to_string(tally.first_missing) + " never ended (" +
                 std::to_string(tally.missing) + " of " + std::to_string(tally.submitted) +
                 " ops without an end " +
                 std::to_string(
                     std::chrono::duration_cast<std::chrono::milliseconds>(spec_.round_deadline)
                         .count()) +
                 " ms after the round began)");
      }
      if (tally.first_repeated >= 0) {
        fail(round, round_seed,
             who + std::to_string(tally.first_repeated) + " ended more than once");
      }
      if (tally.unexpected > 0) {
        fail(round, round_seed,
             who.substr(0, who.size() - 4) + " got " + std::to_string(tally.unexpected) +
                 " ends for ops it never submitted");
      }
      total.submitted += tally.submitted;
      total.completed += tally.completed;
      total.timed_out += tally.timed_out;
      total.abandoned += tally.abandoned;
      total.repeated += tally.repeated;
      total.unexpected += tally.unexpected;
      total.missing += tally.missing;
      total.handed_back += tally.handed_back;
    }
    mode.submitted += total.submitted;
    mode.completed += total.completed;
    mode.timed_out += total.timed_out;
    mode.abandoned += total.abandoned;
    result_.repeated_ends += total.repeated;
    result_.unexpected_ends += total.unexpected;
    result_.missing_ends += total.missing;
    if (total.handed_back > 0) {
      result_.abandoned_handed_back += total.handed_back;
      fail(round, round_seed,
           std::to_string(total.handed_back) +
               " abandoned ops came back with their buffers before the ring was torn down");
    }
    if (state.loop_error) {
      fail(round, round_seed, "the loop stopped on an error: " + state.loop_error->message());
    }
    if (!over) {
      ++result_.hung_rounds;
      fail(round, round_seed,
           "the round hung: not over " +
               std::to_string(
                   std::chrono::duration_cast<std::chrono::milliseconds>(spec_.round_deadline)
                       .count()) +
               " ms after it began (ring size " + std::to_string(plan.loop.size) + ", " +
               (plan.loop.op_timeout ? "an" : "no") + " op timeout, " +
               (plan.loop.shutdown_timeout ? "a" : "no") +
               " shutdown timeout): " + hang_diagnosis(state));
      return;
    }
    mode.shutdown_latency.record(static_cast<uint64_t>(
        std::max<int64_t>(state.loop_exit_ns - state.last_drop_ns.load(), 0)));
    if constexpr (kCountersEnabled) {
      // The loop's own count of what it did must match what the requesters saw. Ops still queued
      // when the shutdown timeout ran out were abandoned without being accepted.
      const LoopCountersSnapshot counters = state.loop->counters().snapshot();
      if (counters.ops_accepted > total.submitted ||
          total.submitted - counters.ops_accepted > counters.ops_abandoned ||
          counters.ops_completed + counters.ops_abandoned != total.submitted ||
          counters.ops_abandoned != total.abandoned || counters.timeouts_fired != total.timed_out ||
          counters.pending_operations != 0) {
        ++result_.count_mismatches;
        fail(round, round_seed,
             "the loop counted " + std::to_string(counters.ops_accepted) + " accepted, " +
                 std::to_string(counters.ops_completed) + " completed (" +
                 std::to_string(counters.timeouts_fired) + " timed out), " +
                 std::to_string(counters.ops_abandoned) + " abandoned, " +
                 std::to_string(counters.pending_operations) + " pending; requesters saw " +
                 std::to_string(total.submitted) + " submitted, " +
                 std::to_string(total.completed) + " completed, " +
                 std::to_string(total.timed_out) + " timed out, " +
                 std::to_string(total.abandoned) + " abandoned");
      }
    }
  }

  const DrillSpec& spec_;
  DrillResult& result_;
};

// A fresh directory holding the file ops' scratch file, removed with it.
class ScratchFile {
 public:
  std::optional<LoopError> create(const std::string& parent, uint64_t seed) {
    std::string pattern = parent + "/iouring-bench-drill-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      return LoopError{"mkdtemp", errno, pattern};
    }
    dir_ = pattern;
    path_ = dir_ + "/scratch";
    if (auto error = lay_out_test_file(path_, kScratchFileSize, seed)) {
      return error;
    }
    return std::nullopt;
  }
  ~ScratchFile() {
    if (!dir_.empty()) {
      ::unlink(path_.c_str());
      ::rmdir(dir_.c_str());
    }
  }
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

}  // namespace

uint64_t DrillResult::total_ops() const {
  uint64_t total = 0;
  for (const DrillModeStats& mode : modes) {
    total += mode.submitted;
  }
  return total;
}

int count_open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) {
    return -1;
  }
  int count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    count += entry->d_name[0] != '.' ? 1 : 0;
  }
  ::closedir(dir);
  return count - 1;  // the directory's own descriptor
}

DrillResult run_shutdown_drill(const DrillSpec& spec, const DrillProgressFn& progress,
                               const std::atomic<bool>& cancel) {
  if (spec.rounds == 0 || spec.shutdown_timeouts.empty() || spec.op_timeouts.empty() ||
      spec.ops.empty() || spec.max_ops_per_submitter == 0) {
    throw std::invalid_argument(
        "a drill needs rounds, shutdown modes, op timeouts, ops and ops per submitter");
  }
  const bool any_op_timeout =
      std::any_of(spec.op_timeouts.begin(), spec.op_timeouts.end(),
                  [](const OptionalDuration& timeout) { return timeout.has_value(); });
  const uint64_t entries =
      uint64_t{round_up_to_power_of_two(spec.ring_size)} * (any_op_timeout ? 2 : 1);
  if (spec.ring_size != 0 && entries > kMaxRingEntries) {
    throw std::invalid_argument("ring of " + std::to_string(entries) +
                                " SQ entries exceeds the kernel maximum of " +
                                std::to_string(kMaxRingEntries));
  }
  DrillResult result;
  for (const OptionalDuration& timeout : spec.shutdown_timeouts) {
    result.modes.push_back(DrillModeStats{.shutdown_timeout = timeout});
  }
  result.fds_before = count_open_fds();
  {
    ScratchFile scratch;
    if (std::any_of(spec.ops.begin(), spec.ops.end(), is_file_kind)) {
      result.error = scratch.create(spec.scratch_dir, spec.seed);
    }
    Drill drill(spec, result);
    for (uint32_t round = 0; round < spec.rounds && !result.error; ++round) {
      if (cancel.load(std::memory_order_relaxed)) {
        result.interrupted = true;
        break;
      }
      if (!drill.run_round(round, scratch.path())) {
        break;
      }
      if (progress) {
        progress(DrillProgress{round + 1, spec.rounds, result.total_ops()});
      }
    }
  }
  if (!result.loop_left_running) {
    result.fds_after = count_open_fds();
  }
  return result;
}

}  // namespace iob
