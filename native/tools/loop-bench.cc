// Runs one benchmark through the loop or the raw ring, without Node, and prints one JSON line.
// The bench scripts use it to compare builds (counters compiled in vs out) side by side.
//
//   loop-bench system=loop|raw [design=cross-thread|same-thread]
//              op=nop|timer|file-read|file-write|socket depth=256 submitters=1
//              size=256 duration_ms=2000 [ops=N instead of a duration] warmup_ms=200 [timer_us=100]
//              [op_timeout_us=...] [wait=sleep|spin|adaptive
//              [spin_us=50: the spin, or adaptive's maximum]]
//              [single_issuer=1] [defer_taskrun=1 (SINGLE_ISSUER with it)] [coop_taskrun=1]
//              [taskrun_flag=1 (COOP_TASKRUN with it)] [sqpoll=1 [sqpoll_idle_ms=N]]
//              [cq_entries=N (CQSIZE; at least the ring's SQ entries)] [submit_all=1]
//              [no_sqarray=1] [ring_fd=1] [wake=eventfd|futex|msg-ring|futex-op|busy-poll]
//              [submit_batch=8]   (wait= and wake= left out: the loop's defaults) [idle_ms=2000:
//              then report the process's idle CPU] [rate=OPS_PER_SEC [poisson=1]] [file=PATH
//              file_size=BYTES block_size=4096 random=1 direct=1 seed=1 lay_out=1]
//              [transport=unix|tcp message_size=4096 [recv_buffers=N recv_buffer_size=4096:
//              receive through a multishot RECV per connection from a ring of N buffers]]
// design=same-thread runs each submitter as the driver of a loop of its own, on that loop's thread
// (see harness/bench.h); with system=raw it is ignored.
// With lay_out=1 it creates `file` with the tool's pattern first and removes it after.
// A later key=value replaces an earlier one. The ring knobs (single_issuer= to ring_fd=) are
// LoopConfig's, so they shape the loop's ring and the raw ring alike. A ring the kernel refuses (or
// any other failure of the run) is `loop-bench: <message>` on stderr and exit status 3; bad
// arguments exit 2. The kernel matrix (scripts/kernels) runs each knob this way in its guests.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "harness/bench.h"
#include "harness/test_file.h"

namespace {

std::map<std::string, std::string> parse_args(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i < argc; ++i) {
    const char* eq = std::strchr(argv[i], '=');
    if (eq == nullptr) {
      std::fprintf(stderr, "loop-bench: expected key=value, got '%s'\n", argv[i]);
      std::exit(2);
    }
    args[std::string(argv[i], static_cast<size_t>(eq - argv[i]))] = eq + 1;
  }
  return args;
}

uint64_t number(const std::map<std::string, std::string>& args, const char* key,
                uint64_t fallback) {
  auto it = args.find(key);
  return it == args.end() ? fallback : std::strtoull(it->second.c_str(), nullptr, 10);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace std::chrono;
  const auto args = parse_args(argc, argv);
  iob::BenchSpec spec;
  spec.loop.size = static_cast<uint32_t>(number(args, "size", 256));
  spec.loop.single_issuer = number(args, "single_issuer", 0) != 0;
  spec.loop.defer_taskrun = number(args, "defer_taskrun", 0) != 0;
  spec.loop.coop_taskrun = number(args, "coop_taskrun", 0) != 0;
  spec.loop.taskrun_flag = number(args, "taskrun_flag", 0) != 0;
  spec.loop.sqpoll = number(args, "sqpoll", 0) != 0;
  spec.loop.sq_thread_idle_ms = static_cast<uint32_t>(number(args, "sqpoll_idle_ms", 0));
  spec.loop.cq_entries = static_cast<uint32_t>(number(args, "cq_entries", 0));
  spec.loop.submit_all = number(args, "submit_all", 0) != 0;
  spec.loop.no_sqarray = number(args, "no_sqarray", 0) != 0;
  spec.loop.register_ring_fd = number(args, "ring_fd", 0) != 0;
  // Without wait= or wake= the loop's defaults hold (LoopConfig).
  const std::string wait = args.count("wait") ? args.at("wait") : "";
  if (wait == "sleep") {
    spec.loop.wait = iob::WaitStrategy::sleep();
  } else if (wait == "spin") {
    spec.loop.wait = iob::WaitStrategy::fixed_spin(microseconds(number(args, "spin_us", 50)));
  } else if (wait == "adaptive") {
    spec.loop.wait = iob::WaitStrategy::adaptive(microseconds(
        number(args, "spin_us",
               duration_cast<microseconds>(iob::WaitStrategy::kAdaptiveMaxSpin).count())));
  } else if (!wait.empty()) {
    std::fprintf(stderr, "loop-bench: wait=%s: expected sleep, spin or adaptive\n", wait.c_str());
    return 2;
  }
  if (args.count("wake")) {
    const auto wake = iob::wake_mechanism_from_name(args.at("wake"));
    if (!wake) {
      std::string known;
      for (const iob::WakeMechanism mechanism : iob::kWakeMechanisms) {
        known += std::string(known.empty() ? "" : ", ") + iob::wake_mechanism_name(mechanism);
      }
      std::fprintf(stderr, "loop-bench: wake=%s: expected one of %s\n", args.at("wake").c_str(),
                   known.c_str());
      return 2;
    }
    spec.loop.wake = *wake;
  }
  spec.loop.submit_batch = static_cast<uint32_t>(number(args, "submit_batch", 0));
  if (const uint64_t us = number(args, "op_timeout_us", 0)) {
    spec.loop.op_timeout = microseconds(us);
  }
  spec.workload.op =
      iob::op_kind_from_name(args.count("op") ? args.at("op") : "nop").value_or(iob::OpKind::kNop);
  spec.workload.seed = number(args, "seed", 1);
  spec.workload.file.path = args.count("file") ? args.at("file") : "";
  spec.workload.file.size = number(args, "file_size", 0);
  spec.workload.file.block_size = static_cast<uint32_t>(number(args, "block_size", 4096));
  spec.workload.file.random = number(args, "random", 0) != 0;
  spec.workload.file.direct = number(args, "direct", 0) != 0;
  spec.workload.socket.transport = args.count("transport") && args.at("transport") == "tcp"
                                       ? iob::Transport::kTcp
                                       : iob::Transport::kUnix;
  spec.workload.socket.message_size = static_cast<uint32_t>(number(args, "message_size", 4096));
  spec.workload.socket.recv_buffers = static_cast<uint32_t>(number(args, "recv_buffers", 0));
  spec.workload.socket.recv_buffer_size =
      static_cast<uint32_t>(number(args, "recv_buffer_size", 4096));
  spec.drive.rate = static_cast<double>(number(args, "rate", 0));
  spec.drive.arrivals =
      number(args, "poisson", 0) != 0 ? iob::Arrivals::kPoisson : iob::Arrivals::kUniform;
  const bool lay_out = number(args, "lay_out", 0) != 0;
  if (lay_out) {
    if (auto error = iob::lay_out_test_file(spec.workload.file.path, spec.workload.file.size,
                                            spec.workload.seed)) {
      std::fprintf(stderr, "loop-bench: %s %s: %s\n", error->call.c_str(), error->detail.c_str(),
                   std::strerror(error->error));
      return 3;
    }
  }
  spec.workload.timer = microseconds(number(args, "timer_us", 100));
  spec.drive.submitters = static_cast<uint32_t>(number(args, "submitters", 1));
  spec.drive.depth = static_cast<uint32_t>(number(args, "depth", 1));
  spec.drive.duration = milliseconds(number(args, "duration_ms", 2000));
  spec.drive.ops = number(args, "ops", 0);
  spec.drive.warmup = milliseconds(number(args, "warmup_ms", 200));
  spec.drive.idle = milliseconds(number(args, "idle_ms", 0));
  const bool raw = args.count("system") && args.at("system") == "raw";
  const std::string design = args.count("design") ? args.at("design") : "cross-thread";
  if (design != "cross-thread" && design != "same-thread") {
    std::fprintf(stderr, "loop-bench: design=%s: use cross-thread or same-thread\n",
                 design.c_str());
    return 2;
  }
  const bool same_thread = design == "same-thread";
  spec.drive.design = same_thread ? iob::Design::kSameThread : iob::Design::kCrossThread;

  const std::atomic<bool> never{false};
  const iob::BenchResult result =
      raw ? iob::run_raw_bench(spec, nullptr, never) : iob::run_loop_bench(spec, nullptr, never);
  if (lay_out) {
    std::remove(spec.workload.file.path.c_str());
  }
  if (result.error) {
    std::fprintf(stderr, "loop-bench: %s\n", result.error->message().c_str());
    return 3;
  }
  const auto& stats = result.stats;
  const double seconds = static_cast<double>(stats.elapsed_ns) / 1e9;
  const double cpu_ns = static_cast<double>(stats.cpu.user_ns + stats.cpu.system_ns);
  std::printf(
      "{\"system\":\"%s\",\"design\":\"%s\",\"counters\":%s,\"ops\":%llu,\"opsPerSec\":%.0f,"
      "\"p50Ns\":%llu,"
      "\"p99Ns\":%llu,\"cpuNsPerOp\":%.1f,\"sleeps\":%llu,\"enterCalls\":%llu,"
      "\"capacityStalls\":%llu,\"allOps\":%llu,\"p99ServiceNs\":%llu,\"late\":%llu,\"missed\":%llu,"
      "\"corrupt\":%llu,\"unexpected\":%zu,\"spinWakes\":%llu,\"spinMisses\":%llu,"
      "\"spinBudgetNs\":%llu,\"idleCpuShare\":%.5f}\n",
      raw ? "raw" : "loop",
      raw           ? "none"
      : same_thread ? "same-thread"
                    : "cross-thread",
      iob::kCountersEnabled ? "true" : "false", static_cast<unsigned long long>(stats.ops),
      seconds > 0 ? stats.ops / seconds : 0.0,
      static_cast<unsigned long long>(stats.latency.value_at_percentile(50)),
      static_cast<unsigned long long>(stats.latency.value_at_percentile(99)),
      stats.all_ops ? cpu_ns / static_cast<double>(stats.all_ops) : 0.0,
      static_cast<unsigned long long>(result.counters.sleeps),
      static_cast<unsigned long long>(result.counters.enter_calls),
      static_cast<unsigned long long>(result.counters.capacity_stalls),
      static_cast<unsigned long long>(stats.all_ops),
      static_cast<unsigned long long>(stats.service.value_at_percentile(99)),
      static_cast<unsigned long long>(stats.late), static_cast<unsigned long long>(stats.missed),
      static_cast<unsigned long long>(stats.corrupt), stats.unexpected.size(),
      static_cast<unsigned long long>(result.counters.spin_wakes),
      static_cast<unsigned long long>(result.counters.spin_misses),
      static_cast<unsigned long long>(result.counters.spin_budget_ns),
      result.idle && result.idle->window_ns > 0
          ? static_cast<double>(result.idle->cpu.user_ns + result.idle->cpu.system_ns) /
                static_cast<double>(result.idle->window_ns)
          : 0.0);
  return 0;
}
