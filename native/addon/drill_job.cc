// runShutdownDrill(request, onProgress?) -> { promise, cancel }
//
// Runs a shutdown drill (native/core/harness/shutdown_drill.h) as a ThreadJob (thread_job.h), on
// a thread of its own that waits for each round while the round's threads do the work. Progress
// (rounds done) reaches JS after each round; cancel() stops the drill after the round under way.
#include "drill_job.h"

#include <array>
#include <atomic>
#include <memory>
#include <stdexcept>

#include "convert.h"
#include "errors.h"
#include "harness/shutdown_drill.h"
#include "thread_job.h"

namespace iob::addon {

namespace {

// The drill request's fields, checked as check_fields (convert.h) says: null keeps the
// DrillSpec's default (the CLI leaves the ops' count and the timers' length to it).
constexpr const char* kDrillRequest = "drill request";
constexpr std::array<const char*, 11> kDrillFields{
    "rounds",       "seed", "ringSize",           "submitters", "shutdownTimeoutsNs",
    "opTimeoutsNs", "ops",  "maxOpsPerSubmitter", "maxTimerNs", "roundDeadlineNs",
    "scratchDir"};

std::vector<OptionalDuration> durations_field(const Napi::Object& object, const char* name) {
  Napi::Value value = object.Get(name);
  if (!value.IsArray()) {
    throw Napi::TypeError::New(object.Env(),
                               std::string(name) + " must be an array of numbers or nulls");
  }
  Napi::Array array = value.As<Napi::Array>();
  std::vector<OptionalDuration> durations;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    Napi::Value item = array.Get(i);
    if (item.IsNull()) {
      durations.push_back(std::nullopt);
    } else if (item.IsNumber()) {
      durations.push_back(std::chrono::nanoseconds(item.As<Napi::Number>().Int64Value()));
    } else {
      throw Napi::TypeError::New(object.Env(),
                                 std::string(name) + " must be an array of numbers or nulls");
    }
  }
  return durations;
}

DrillSpec drill_spec_from_js(const Napi::Object& object) {
  check_fields(object, kDrillRequest, "", kDrillFields);
  DrillSpec spec;
  read_number(object, "rounds", spec.rounds);
  read_number(object, "seed", spec.seed);
  read_number(object, "ringSize", spec.ring_size);
  read_number(object, "submitters", spec.submitters);
  spec.shutdown_timeouts = durations_field(object, "shutdownTimeoutsNs");
  spec.op_timeouts = durations_field(object, "opTimeoutsNs");
  read_number(object, "maxOpsPerSubmitter", spec.max_ops_per_submitter);
  read_ns(object, "maxTimerNs", spec.max_timer);
  read_ns(object, "roundDeadlineNs", spec.round_deadline);
  spec.scratch_dir = string_field(object, "scratchDir");
  Napi::Value ops = object.Get("ops");
  if (!ops.IsArray()) {
    throw Napi::TypeError::New(object.Env(), "ops must be an array of op names");
  }
  spec.ops.clear();
  Napi::Array names = ops.As<Napi::Array>();
  for (uint32_t i = 0; i < names.Length(); ++i) {
    spec.ops.push_back(op_kind(object, names.Get(i).ToString().Utf8Value()));
  }
  return spec;
}

Napi::Value duration_to_js(Napi::Env env, const OptionalDuration& duration) {
  return duration ? Napi::Number::New(env, static_cast<double>(duration->count())) : env.Null();
}

Napi::Object drill_result_to_js(Napi::Env env, const DrillResult& result) {
  Napi::Array modes = Napi::Array::New(env, result.modes.size());
  for (size_t i = 0; i < result.modes.size(); ++i) {
    const DrillModeStats& stats = result.modes[i];
    Napi::Object mode = Napi::Object::New(env);
    mode.Set("shutdownTimeoutNs", duration_to_js(env, stats.shutdown_timeout));
    mode.Set("rounds", stats.rounds);
    mode.Set("submitted", static_cast<double>(stats.submitted));
    mode.Set("completed", static_cast<double>(stats.completed));
    mode.Set("timedOut", static_cast<double>(stats.timed_out));
    mode.Set("abandoned", static_cast<double>(stats.abandoned));
    mode.Set("shutdownLatency", histogram_to_js(env, stats.shutdown_latency));
    modes.Set(static_cast<uint32_t>(i), mode);
  }
  Napi::Array failures = Napi::Array::New(env, result.failures.size());
  for (size_t i = 0; i < result.failures.size(); ++i) {
    Napi::Object failure = Napi::Object::New(env);
    failure.Set("round", result.failures[i].round);
    // 64 bits: a JS number would round it.
    failure.Set("roundSeed", std::to_string(result.failures[i].round_seed));
    failure.Set("what", result.failures[i].what);
    failures.Set(static_cast<uint32_t>(i), failure);
  }
  Napi::Object object = Napi::Object::New(env);
  object.Set("modes", modes);
  object.Set("roundsRun", result.rounds_run);
  object.Set("hungRounds", result.hung_rounds);
  object.Set("missingEnds", static_cast<double>(result.missing_ends));
  object.Set("repeatedEnds", static_cast<double>(result.repeated_ends));
  object.Set("unexpectedEnds", static_cast<double>(result.unexpected_ends));
  object.Set("countMismatches", static_cast<double>(result.count_mismatches));
  object.Set("abandonedHandedBack", static_cast<double>(result.abandoned_handed_back));
  object.Set("failures", failures);
  object.Set("fdsBefore", result.fds_before);
  object.Set("fdsAfter", result.fds_after);
  object.Set("loopLeftRunning", result.loop_left_running);
  object.Set("interrupted", result.interrupted);
  object.Set("error", result.error ? system_error_to_js(env, *result.error) : env.Null());
  return object;
}

Napi::Value drill_progress_to_js(Napi::Env env, const DrillProgress& done) {
  Napi::Object snapshot = Napi::Object::New(env);
  snapshot.Set("roundsDone", done.rounds_done);
  snapshot.Set("rounds", done.rounds);
  snapshot.Set("ops", static_cast<double>(done.ops));
  return snapshot;
}

}  // namespace

Napi::Array drill_request_fields(Napi::Env env) {
  Napi::Array array = Napi::Array::New(env, kDrillFields.size());
  for (uint32_t i = 0; i < kDrillFields.size(); ++i) {
    array.Set(i, kDrillFields[i]);
  }
  return array;
}

Napi::Value run_shutdown_drill_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    throw Napi::TypeError::New(env,
                               "runShutdownDrill(request, onProgress?) needs a request object");
  }
  DrillSpec spec = drill_spec_from_js(info[0].As<Napi::Object>());
  Napi::Function on_progress =
      info.Length() > 1 && info[1].IsFunction() ? info[1].As<Napi::Function>() : Napi::Function();
  using Job = ThreadJob<DrillResult, DrillProgress>;
  return Job::start(
      env,
      Job::Spec{
          .name = "iouring-bench shutdown-drill",
          .work =
              [spec = std::move(spec)](const Job::ProgressFn& progress,
                                       const std::atomic<bool>& cancel) {
                return run_shutdown_drill(spec, progress, cancel);
              },
          .result_to_js = [](Napi::Env env, const DrillResult& result) -> Napi::Value {
            return drill_result_to_js(env, result);
          },
          .progress_to_js = drill_progress_to_js,
          .refused =
              [](const LoopError& error) {
                DrillResult refused;
                refused.error = error;
                return refused;
              },
      },
      on_progress);
}

}  // namespace iob::addon
