#include "convert.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>

#include "errors.h"
#include "uring_names.h"

namespace iob::addon {

namespace {

Napi::Object object_field(const Napi::Object& parent, const char* name) {
  Napi::Value value = parent.Get(name);
  if (!value.IsObject()) {
    throw Napi::TypeError::New(parent.Env(), std::string(name) + " must be an object");
  }
  return value.As<Napi::Object>();
}

}  // namespace

std::string string_field(const Napi::Object& object, const char* name) {
  Napi::Value value = object.Get(name);
  if (!value.IsString()) {
    throw Napi::TypeError::New(object.Env(), std::string(name) + " must be a string");
  }
  return value.As<Napi::String>().Utf8Value();
}

OpKind op_kind(const Napi::Object& object, const std::string& name) {
  const std::optional<OpKind> kind = op_kind_from_name(name);
  if (!kind) {
    throw Napi::TypeError::New(object.Env(), "op '" + name + "' is not a native op");
  }
  return *kind;
}

// The histogram as flat [value, count, value, count, ...] pairs of non-empty buckets.
Napi::Object histogram_to_js(Napi::Env env, const LatencyHistogram& histogram) {
  size_t buckets = 0;
  histogram.for_each_bucket([&](uint64_t, uint64_t) { ++buckets; });
  Napi::Float64Array pairs = Napi::Float64Array::New(env, buckets * 2);
  size_t at = 0;
  histogram.for_each_bucket([&](uint64_t value, uint64_t count) {
    pairs[at++] = static_cast<double>(value);
    pairs[at++] = static_cast<double>(count);
  });
  Napi::Object object = Napi::Object::New(env);
  object.Set("count", static_cast<double>(histogram.total_count()));
  object.Set("minNs", static_cast<double>(histogram.min()));
  object.Set("maxNs", static_cast<double>(histogram.max()));
  object.Set("buckets", pairs);
  return object;
}

namespace {

// Fields of OpStats, shared by the totals and each kind.
void set_op_stats(Napi::Env env, Napi::Object& object, const OpStats& stats, bool with_service) {
  object.Set("ops", static_cast<double>(stats.ops));
  object.Set("expected", static_cast<double>(stats.expected));
  object.Set("timedOut", static_cast<double>(stats.timed_out));
  object.Set("abandoned", static_cast<double>(stats.abandoned));
  object.Set("corrupt", static_cast<double>(stats.corrupt));
  Napi::Object unexpected = Napi::Object::New(env);
  for (const auto& [value, count] : stats.unexpected) {
    unexpected.Set(std::to_string(value), static_cast<double>(count));
  }
  object.Set("unexpected", unexpected);
  object.Set("bytes", static_cast<double>(stats.bytes));
  object.Set("latency", histogram_to_js(env, stats.latency));
  object.Set("timeoutLateness", histogram_to_js(env, stats.timeout_lateness));
  object.Set("timeoutsEarly", static_cast<double>(stats.timeouts_early));
  if (with_service) {
    object.Set("service", histogram_to_js(env, stats.service));
  }
}

// The bench request's fields (src/settings/table.ts names each setting's), checked as
// check_fields says: null where a setting is unset keeps the native struct's default.
constexpr const char* kBenchRequest = "bench request";
constexpr std::array<const char*, 2> kTopFields{"system", "progressIntervalMs"};
constexpr std::array<const char*, 18> kLoopFields{
    "size",        "ioPoll",      "singleIssuer",   "opTimeoutNs",  "shutdownTimeoutNs",
    "wait",        "submitBatch", "wake",           "deferTaskrun", "coopTaskrun",
    "taskrunFlag", "sqpoll",      "sqThreadIdleNs", "sqThreadCpu",  "cqEntries",
    "submitAll",   "noSqarray",   "registerRingFd"};
constexpr std::array<const char*, 2> kWaitFields{"kind", "spinNs"};
constexpr std::array<const char*, 6> kWorkloadFields{"op",   "mix",  "timerNs",
                                                     "seed", "file", "socket"};
constexpr std::array<const char*, 10> kFileFields{
    "path",       "sizeBytes",     "blockSize", "random",     "direct",
    "fsyncEvery", "writevBuffers", "verify",    "fixedFiles", "fixedBuffers"};
constexpr std::array<const char*, 5> kSocketFields{"transport", "messageSize", "sendZc",
                                                   "recvBuffers", "recvBufferSize"};
constexpr std::array<const char*, 9> kDriveFields{
    "submitters", "depth", "durationNs", "ops", "warmupNs", "rate", "arrivals", "design", "idleNs"};

}  // namespace

void check_fields(const Napi::Object& object, const std::string& request, const std::string& group,
                  std::span<const char* const> fields, std::initializer_list<const char*> nested) {
  const auto prefixed = [&](const std::string& name) {
    return group.empty() ? name : group + "." + name;
  };
  for (const char* name : fields) {
    if (object.Get(name).IsUndefined()) {
      throw Napi::TypeError::New(object.Env(),
                                 "internal error: the " + request + " lacks " + prefixed(name));
    }
  }
  const Napi::Array names = object.GetPropertyNames();
  for (uint32_t i = 0; i < names.Length(); ++i) {
    const std::string name = names.Get(i).As<Napi::String>().Utf8Value();
    const auto known = [&](const char* field) { return name == field; };
    if (std::none_of(fields.begin(), fields.end(), known) &&
        std::none_of(nested.begin(), nested.end(), known)) {
      throw Napi::TypeError::New(object.Env(), "internal error: the " + request +
                                                   " has an unknown field " + prefixed(name));
    }
  }
}

void read_ns(const Napi::Object& object, const char* name, std::chrono::nanoseconds& target) {
  double ns = static_cast<double>(target.count());
  read_number(object, name, ns);
  target = std::chrono::nanoseconds(static_cast<int64_t>(ns));
}

void read_ns(const Napi::Object& object, const char* name,
             std::optional<std::chrono::nanoseconds>& target) {
  if (object.Get(name).IsNull()) {
    return;
  }
  std::chrono::nanoseconds ns{0};
  read_ns(object, name, ns);
  target = ns;
}

namespace {

void read_bool(const Napi::Object& object, const char* name, bool& target) {
  Napi::Value value = object.Get(name);
  if (!value.IsNull()) {
    target = value.ToBoolean().Value();
  }
}

// The object field `name`, or nothing when it is null.
std::optional<Napi::Object> nullable_object(const Napi::Object& parent, const char* name) {
  if (parent.Get(name).IsNull()) {
    return std::nullopt;
  }
  return object_field(parent, name);
}

WaitStrategy wait_strategy_from_js(const Napi::Object& wait) {
  check_fields(wait, kBenchRequest, "wait", kWaitFields);
  const std::string kind = string_field(wait, "kind");
  WaitStrategy strategy;
  if (kind == "spin") {
    strategy.kind = WaitStrategy::Kind::kSpin;
  } else if (kind == "adaptive") {
    strategy.kind = WaitStrategy::Kind::kAdaptive;
  } else if (kind != "sleep") {
    throw Napi::TypeError::New(wait.Env(), "internal error: unknown wait kind " + kind);
  }
  read_ns(wait, "spinNs", strategy.spin);
  return strategy;
}

LoopConfig loop_config_from_js(const Napi::Object& loop) {
  check_fields(loop, kBenchRequest, "loop", kLoopFields);
  LoopConfig config;
  read_number(loop, "size", config.size);
  read_bool(loop, "ioPoll", config.io_poll);
  read_bool(loop, "singleIssuer", config.single_issuer);
  read_ns(loop, "opTimeoutNs", config.op_timeout);
  read_ns(loop, "shutdownTimeoutNs", config.shutdown_timeout);
  if (const std::optional<Napi::Object> wait = nullable_object(loop, "wait")) {
    config.wait = wait_strategy_from_js(*wait);
  }
  read_number(loop, "submitBatch", config.submit_batch);
  read_bool(loop, "deferTaskrun", config.defer_taskrun);
  read_bool(loop, "coopTaskrun", config.coop_taskrun);
  read_bool(loop, "taskrunFlag", config.taskrun_flag);
  read_bool(loop, "sqpoll", config.sqpoll);
  std::chrono::nanoseconds idle{0};
  read_ns(loop, "sqThreadIdleNs", idle);
  // The kernel takes whole milliseconds: a shorter idle still idles for one.
  config.sq_thread_idle_ms = static_cast<uint32_t>((idle.count() + 999'999) / 1'000'000);
  if (!loop.Get("sqThreadCpu").IsNull()) {
    uint32_t cpu = 0;
    read_number(loop, "sqThreadCpu", cpu);
    config.sq_thread_cpu = cpu;
  }
  read_number(loop, "cqEntries", config.cq_entries);
  read_bool(loop, "submitAll", config.submit_all);
  read_bool(loop, "noSqarray", config.no_sqarray);
  read_bool(loop, "registerRingFd", config.register_ring_fd);
  if (!loop.Get("wake").IsNull()) {
    const std::string wake = string_field(loop, "wake");
    const std::optional<WakeMechanism> mechanism = wake_mechanism_from_name(wake);
    if (!mechanism) {
      throw Napi::TypeError::New(loop.Env(), "internal error: the " + std::string(kBenchRequest) +
                                                 "'s loop.wake '" + wake +
                                                 "' is not a wake mechanism");
    }
    config.wake = *mechanism;
  }
  return config;
}

WorkloadSpec workload_from_js(const Napi::Object& workload) {
  check_fields(workload, kBenchRequest, "workload", kWorkloadFields);
  WorkloadSpec spec;
  spec.op = op_kind(workload, string_field(workload, "op"));
  if (Napi::Value mix = workload.Get("mix"); !mix.IsNull()) {
    if (!mix.IsArray()) {
      throw Napi::TypeError::New(workload.Env(), "mix must be an array");
    }
    const Napi::Array entries = mix.As<Napi::Array>();
    for (uint32_t i = 0; i < entries.Length(); ++i) {
      const Napi::Object entry = entries.Get(i).As<Napi::Object>();
      MixEntry kind{op_kind(entry, string_field(entry, "op"))};
      read_number(entry, "weight", kind.weight);
      spec.mix.push_back(kind);
    }
  }
  read_ns(workload, "timerNs", spec.timer);
  read_number(workload, "seed", spec.seed);
  if (const std::optional<Napi::Object> file = nullable_object(workload, "file")) {
    check_fields(*file, kBenchRequest, "file", kFileFields);
    spec.file.path = string_field(*file, "path");
    read_number(*file, "sizeBytes", spec.file.size);
    read_number(*file, "blockSize", spec.file.block_size);
    read_bool(*file, "random", spec.file.random);
    read_bool(*file, "direct", spec.file.direct);
    read_number(*file, "fsyncEvery", spec.file.fsync_every);
    read_number(*file, "writevBuffers", spec.file.writev_buffers);
    read_bool(*file, "verify", spec.file.verify);
    read_bool(*file, "fixedFiles", spec.file.fixed_files);
    read_bool(*file, "fixedBuffers", spec.file.fixed_buffers);
  }
  if (const std::optional<Napi::Object> socket = nullable_object(workload, "socket")) {
    check_fields(*socket, kBenchRequest, "socket", kSocketFields);
    if (!socket->Get("transport").IsNull()) {
      spec.socket.transport =
          string_field(*socket, "transport") == "tcp" ? Transport::kTcp : Transport::kUnix;
    }
    read_number(*socket, "messageSize", spec.socket.message_size);
    read_bool(*socket, "sendZc", spec.socket.send_zc);
    read_number(*socket, "recvBuffers", spec.socket.recv_buffers);
    read_number(*socket, "recvBufferSize", spec.socket.recv_buffer_size);
  }
  return spec;
}

DriveSpec drive_from_js(const Napi::Object& drive) {
  check_fields(drive, kBenchRequest, "drive", kDriveFields);
  DriveSpec spec;
  read_number(drive, "submitters", spec.submitters);
  read_number(drive, "depth", spec.depth);
  read_ns(drive, "durationNs", spec.duration);
  read_number(drive, "ops", spec.ops);
  read_ns(drive, "warmupNs", spec.warmup);
  read_number(drive, "rate", spec.rate);
  read_ns(drive, "idleNs", spec.idle);
  if (!drive.Get("arrivals").IsNull()) {
    spec.arrivals =
        string_field(drive, "arrivals") == "poisson" ? Arrivals::kPoisson : Arrivals::kUniform;
  }
  if (!drive.Get("design").IsNull()) {
    const std::string design = string_field(drive, "design");
    if (design == "same-thread") {
      spec.design = Design::kSameThread;
    } else if (design != "cross-thread") {
      throw Napi::TypeError::New(drive.Env(), "internal error: the " + std::string(kBenchRequest) +
                                                  " has an unknown drive.design '" + design +
                                                  "': use cross-thread or same-thread");
    }
  }
  return spec;
}

}  // namespace

BenchRequest bench_request_from_js(const Napi::Object& object) {
  check_fields(object, kBenchRequest, "", kTopFields, {"loop", "workload", "drive"});
  BenchRequest request;
  const std::string system = string_field(object, "system");
  if (system != "loop" && system != "raw") {
    throw Napi::TypeError::New(object.Env(), "system must be 'loop' or 'raw'");
  }
  request.system = system == "raw" ? System::kRaw : System::kLoop;
  request.spec.loop = loop_config_from_js(object_field(object, "loop"));
  request.spec.workload = workload_from_js(object_field(object, "workload"));
  request.spec.drive = drive_from_js(object_field(object, "drive"));
  double interval_ms = static_cast<double>(request.spec.progress_interval.count());
  read_number(object, "progressIntervalMs", interval_ms);
  request.spec.progress_interval = std::chrono::milliseconds(static_cast<int64_t>(interval_ms));
  return request;
}

Napi::Array bench_request_fields(Napi::Env env) {
  Napi::Array array = Napi::Array::New(env);
  uint32_t index = 0;
  const auto add = [&](const std::string& group, const auto& fields) {
    for (const char* name : fields) {
      array.Set(index++, group.empty() ? std::string(name) : group + "." + name);
    }
  };
  add("", kTopFields);
  add("loop", kLoopFields);
  add("workload", kWorkloadFields);
  add("file", kFileFields);
  add("socket", kSocketFields);
  add("drive", kDriveFields);
  return array;
}

Napi::Object counters_to_js(Napi::Env env, const LoopCountersSnapshot& counters) {
  Napi::Object object = Napi::Object::New(env);
#define IOB_SET(field, name) \
  object.Set(name, Napi::Number::New(env, static_cast<double>(counters.field)));
#define IOB_SET_COUNTER(writer, field, name, kind, unit, help) IOB_SET(field, name)
#define IOB_SET_GAUGE(field, name, unit, help) IOB_SET(field, name)
  IOB_LOOP_COUNTERS(IOB_SET_COUNTER)
  IOB_LOOP_GAUGES(IOB_SET_GAUGE)
#undef IOB_SET_GAUGE
#undef IOB_SET_COUNTER
#undef IOB_SET
  return object;
}

Napi::Array loop_counter_info(Napi::Env env) {
  Napi::Array array = Napi::Array::New(env);
  uint32_t index = 0;
#define IOB_INFO(writer, field, name, kind, unit, help) \
  {                                                     \
    Napi::Object info = Napi::Object::New(env);         \
    info.Set("name", name);                             \
    info.Set("help", help);                             \
    array.Set(index++, info);                           \
  }
  IOB_LOOP_COUNTERS(IOB_INFO)
#undef IOB_INFO
  return array;
}

Napi::Object progress_to_js(Napi::Env env, const Progress& progress) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("elapsedNs", static_cast<double>(progress.elapsed_ns));
  object.Set("measuring", progress.measuring);
  object.Set("opsEnded", static_cast<double>(progress.ops_ended));
  object.Set("bytesEnded", static_cast<double>(progress.bytes_ended));
  object.Set("counters", counters_to_js(env, progress.counters));
  return object;
}

Napi::Object bench_result_to_js(Napi::Env env, const BenchResult& result) {
  const RunStats& stats = result.stats;
  Napi::Object object = Napi::Object::New(env);

  const bool open_loop = stats.service.total_count() > 0;
  Napi::Object js_stats = Napi::Object::New(env);
  set_op_stats(env, js_stats, stats, open_loop);
  Napi::Array kinds = Napi::Array::New(env, stats.kinds.size());
  for (size_t i = 0; i < stats.kinds.size(); ++i) {
    Napi::Object kind = Napi::Object::New(env);
    kind.Set("name", stats.kind_names[i]);
    set_op_stats(env, kind, stats.kinds[i], open_loop);
    kinds.Set(static_cast<uint32_t>(i), kind);
  }
  js_stats.Set("kinds", kinds);
  js_stats.Set("late", static_cast<double>(stats.late));
  js_stats.Set("missed", static_cast<double>(stats.missed));
  Napi::Object read_back = Napi::Object::New(env);
  read_back.Set("blocks", static_cast<double>(stats.read_back.blocks));
  read_back.Set("corrupt", static_cast<double>(stats.read_back.corrupt));
  read_back.Set("firstCorruptOffset", static_cast<double>(stats.read_back.first_corrupt_offset));
  read_back.Set("errno", stats.read_back.error);
  read_back.Set("code",
                stats.read_back.error != 0 ? errno_name(stats.read_back.error) : std::string());
  js_stats.Set("readBack", read_back);
  js_stats.Set("elapsedNs", static_cast<double>(stats.elapsed_ns));
  js_stats.Set("allOps", static_cast<double>(stats.all_ops));
  js_stats.Set("issued", static_cast<double>(stats.issued));
  Napi::Object cpu = Napi::Object::New(env);
  cpu.Set("userNs", static_cast<double>(stats.cpu.user_ns));
  cpu.Set("systemNs", static_cast<double>(stats.cpu.system_ns));
  cpu.Set("ioThreadsNs", static_cast<double>(stats.cpu.io_threads_ns));
  cpu.Set("voluntarySwitches", static_cast<double>(stats.cpu.voluntary_switches));
  cpu.Set("involuntarySwitches", static_cast<double>(stats.cpu.involuntary_switches));
  if (stats.cpu.instructions >= 0) {
    cpu.Set("instructions", static_cast<double>(stats.cpu.instructions));
    cpu.Set("cycles", static_cast<double>(stats.cpu.cycles));
    cpu.Set("hardwareUserOnly", stats.cpu.hardware_user_only);
    cpu.Set("hardwareCountedShare", stats.cpu.hardware_counted_share);
  } else {
    cpu.Set("hardwareCountersError", errno_name(stats.cpu.hardware_counters_error));
  }
  js_stats.Set("cpu", cpu);
  js_stats.Set("interrupted", stats.interrupted);
  object.Set("stats", js_stats);

  object.Set("counters", counters_to_js(env, result.counters));
  Napi::Object ring = Napi::Object::New(env);
  ring.Set("sqEntries", result.ring.sq_entries);
  ring.Set("cqEntries", result.ring.cq_entries);
  ring.Set("setupFlags", result.ring.setup_flags);
  ring.Set("setupFlagNames", describe_setup_flags(result.ring.setup_flags));
  ring.Set("features", result.ring.features);
  if (result.ring.msg_ring_send != MsgRingSend::kNone) {
    ring.Set("msgRingSend", msg_ring_send_name(result.ring.msg_ring_send));
  }
  if (result.ring.registered_files > 0) {
    ring.Set("registeredFiles", result.ring.registered_files);
  }
  if (result.ring.registered_buffers > 0) {
    ring.Set("registeredBuffers", result.ring.registered_buffers);
  }
  object.Set("ring", ring);
  if (result.idle) {
    Napi::Object idle = Napi::Object::New(env);
    idle.Set("windowNs", static_cast<double>(result.idle->window_ns));
    idle.Set("userNs", static_cast<double>(result.idle->cpu.user_ns));
    idle.Set("systemNs", static_cast<double>(result.idle->cpu.system_ns));
    object.Set("idle", idle);
  } else {
    object.Set("idle", env.Null());
  }
  object.Set("error", result.error ? system_error_to_js(env, *result.error) : env.Null());
  return object;
}

}  // namespace iob::addon
