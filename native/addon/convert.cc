#include "convert.h"

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

double number_field(const Napi::Object& object, const char* name, double fallback) {
  Napi::Value value = object.Get(name);
  if (value.IsUndefined() || value.IsNull()) {
    return fallback;
  }
  if (!value.IsNumber()) {
    throw Napi::TypeError::New(object.Env(), std::string(name) + " must be a number");
  }
  return value.As<Napi::Number>().DoubleValue();
}

namespace {

std::optional<std::chrono::nanoseconds> optional_ns(const Napi::Object& object, const char* name) {
  Napi::Value value = object.Get(name);
  if (value.IsUndefined() || value.IsNull()) {
    return std::nullopt;
  }
  return std::chrono::nanoseconds(static_cast<int64_t>(number_field(object, name, 0)));
}

bool bool_field(const Napi::Object& object, const char* name) {
  Napi::Value value = object.Get(name);
  return !value.IsUndefined() && value.ToBoolean().Value();
}

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

}  // namespace

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

}  // namespace

BenchRequest bench_request_from_js(const Napi::Object& object) {
  BenchRequest request;
  const std::string system = string_field(object, "system");
  if (system != "loop" && system != "raw") {
    throw Napi::TypeError::New(object.Env(), "system must be 'loop' or 'raw'");
  }
  request.system = system == "raw" ? System::kRaw : System::kLoop;

  BenchSpec& spec = request.spec;
  const Napi::Object loop = object_field(object, "loop");
  spec.loop.size = static_cast<uint32_t>(number_field(loop, "size", 128));
  spec.loop.io_poll = bool_field(loop, "ioPoll");
  spec.loop.single_issuer = bool_field(loop, "singleIssuer");
  spec.loop.op_timeout = optional_ns(loop, "opTimeoutNs");
  spec.loop.shutdown_timeout = optional_ns(loop, "shutdownTimeoutNs");
  spec.loop.idle_spin =
      std::chrono::nanoseconds(static_cast<int64_t>(number_field(loop, "idleSpinNs", 0)));
  spec.loop.submit_batch = static_cast<uint32_t>(number_field(loop, "submitBatch", 0));

  const Napi::Object workload = object_field(object, "workload");
  spec.workload.op = op_kind(workload, string_field(workload, "op"));
  if (Napi::Value mix = workload.Get("mix"); mix.IsArray()) {
    const Napi::Array entries = mix.As<Napi::Array>();
    for (uint32_t i = 0; i < entries.Length(); ++i) {
      const Napi::Object entry = entries.Get(i).As<Napi::Object>();
      spec.workload.mix.push_back(
          MixEntry{op_kind(entry, string_field(entry, "op")),
                   static_cast<uint32_t>(number_field(entry, "weight", 1))});
    }
  }
  spec.workload.timer =
      std::chrono::nanoseconds(static_cast<int64_t>(number_field(workload, "timerNs", 1'000'000)));
  spec.workload.seed = static_cast<uint64_t>(number_field(workload, "seed", 1));
  if (Napi::Value file = workload.Get("file"); file.IsObject()) {
    const Napi::Object f = file.As<Napi::Object>();
    FileSpec& spec_file = spec.workload.file;
    spec_file.path = string_field(f, "path");
    spec_file.size = static_cast<uint64_t>(number_field(f, "sizeBytes", 0));
    spec_file.block_size = static_cast<uint32_t>(number_field(f, "blockSize", 4096));
    spec_file.random = bool_field(f, "random");
    spec_file.direct = bool_field(f, "direct");
    spec_file.fsync_every = static_cast<uint32_t>(number_field(f, "fsyncEvery", 0));
    spec_file.writev_buffers = static_cast<uint32_t>(number_field(f, "writevBuffers", 0));
    spec_file.verify = bool_field(f, "verify");
  }
  if (Napi::Value socket = workload.Get("socket"); socket.IsObject()) {
    const Napi::Object s = socket.As<Napi::Object>();
    spec.workload.socket.transport =
        string_field(s, "transport") == "tcp" ? Transport::kTcp : Transport::kUnix;
    spec.workload.socket.message_size = static_cast<uint32_t>(number_field(s, "messageSize", 4096));
  }

  const Napi::Object drive = object_field(object, "drive");
  spec.drive.submitters = static_cast<uint32_t>(number_field(drive, "submitters", 1));
  spec.drive.depth = static_cast<uint32_t>(number_field(drive, "depth", 1));
  spec.drive.duration =
      std::chrono::nanoseconds(static_cast<int64_t>(number_field(drive, "durationNs", 1e9)));
  spec.drive.ops = static_cast<uint64_t>(number_field(drive, "ops", 0));
  spec.drive.warmup =
      std::chrono::nanoseconds(static_cast<int64_t>(number_field(drive, "warmupNs", 0)));
  spec.drive.rate = number_field(drive, "rate", 0);
  if (Napi::Value arrivals = drive.Get("arrivals"); arrivals.IsString()) {
    spec.drive.arrivals = arrivals.As<Napi::String>().Utf8Value() == "poisson" ? Arrivals::kPoisson
                                                                               : Arrivals::kUniform;
  }
  spec.progress_interval = std::chrono::milliseconds(
      static_cast<int64_t>(number_field(object, "progressIntervalMs", 250)));
  return request;
}

Napi::Object counters_to_js(Napi::Env env, const LoopCountersSnapshot& counters) {
  Napi::Object object = Napi::Object::New(env);
#define IOB_SET(writer, field, name, help) \
  object.Set(name, Napi::Number::New(env, static_cast<double>(counters.field)));
  IOB_LOOP_COUNTERS(IOB_SET)
#undef IOB_SET
  object.Set("pendingOperations",
             Napi::Number::New(env, static_cast<double>(counters.pending_operations)));
  return object;
}

Napi::Array loop_counter_info(Napi::Env env) {
  Napi::Array array = Napi::Array::New(env);
  uint32_t index = 0;
#define IOB_INFO(writer, field, name, help)     \
  {                                             \
    Napi::Object info = Napi::Object::New(env); \
    info.Set("name", name);                     \
    info.Set("help", help);                     \
    array.Set(index++, info);                   \
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
  object.Set("ring", ring);
  object.Set("error", result.error ? system_error_to_js(env, *result.error) : env.Null());
  return object;
}

}  // namespace iob::addon
