// runLiveness({opTimeoutNs, watchdogNs}) -> Promise<{withoutTimeouts, withTimeouts}>
//
// Both halves take a few hundred milliseconds (the watchdog's threshold, then the op
// timeouts): a ThreadJob (thread_job.h) keeps them off the JS thread and libuv's pool.
#include "liveness_job.h"

#include "convert.h"
#include "harness/liveness.h"
#include "harness/workload.h"
#include "thread_job.h"
#include "uring_names.h"

namespace iob::addon {

namespace {

Napi::Object half_to_js(Napi::Env env, const LivenessHalf& half) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("opTimeouts", half.op_timeouts);
  object.Set("opTimeoutNs", static_cast<double>(half.op_timeout.count()));
  Napi::Array ops = Napi::Array::New(env, half.ops.size());
  for (size_t i = 0; i < half.ops.size(); ++i) {
    const LivenessOp& op = half.ops[i];
    Napi::Object js = Napi::Object::New(env);
    js.Set("name", op.name);
    js.Set("end", op.end == OpEnd::kCompleted ? "completed" : "abandoned");
    js.Set("result", op.result);
    js.Set("resultName", op.result < 0 ? errno_name(-op.result) : std::string());
    js.Set("endedAfterNs", static_cast<double>(op.ended_after_ns));
    ops.Set(static_cast<uint32_t>(i), js);
  }
  object.Set("ops", ops);
  Napi::Array stalls = Napi::Array::New(env, half.stalls.size());
  for (size_t i = 0; i < half.stalls.size(); ++i) {
    const CapacityStallReport& stall = half.stalls[i];
    Napi::Object js = Napi::Object::New(env);
    js.Set("inFlight", static_cast<double>(stall.in_flight));
    js.Set("queued", static_cast<double>(stall.queued));
    js.Set("stalledNs", static_cast<double>(stall.stalled_ns));
    js.Set("message", stall.message());
    stalls.Set(static_cast<uint32_t>(i), js);
  }
  object.Set("stalls", stalls);
  object.Set("gaveUp", half.gave_up);
  object.Set("elapsedNs", static_cast<double>(half.elapsed_ns));
  object.Set("counters", counters_to_js(env, half.counters));
  object.Set("error",
             half.error ? Napi::Value(Napi::String::New(env, half.error->message())) : env.Null());
  return object;
}

Napi::Value liveness_result_to_js(Napi::Env env, const LivenessResult& result) {
  Napi::Object object = Napi::Object::New(env);
  object.Set("withoutTimeouts", half_to_js(env, result.without_timeouts));
  object.Set("withTimeouts", half_to_js(env, result.with_timeouts));
  return object;
}

}  // namespace

Napi::Value run_liveness_async(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    throw Napi::TypeError::New(env, "runLiveness(request) needs a request object");
  }
  const Napi::Object request = info[0].As<Napi::Object>();
  LivenessSpec spec;
  for (auto [name, field] :
       {std::pair{"opTimeoutNs", &spec.op_timeout}, std::pair{"watchdogNs", &spec.watchdog}}) {
    Napi::Value value = request.Get(name);
    if (!value.IsNumber()) {
      throw Napi::TypeError::New(env, std::string(name) + " must be a number");
    }
    *field = std::chrono::nanoseconds(value.As<Napi::Number>().Int64Value());
  }
  // A socket pair that cannot be made (out of descriptors) rejects with the reason.
  using Job = ThreadJob<LivenessResult, NoProgress>;
  return Job::start(env,
                    Job::Spec{
                        .name = "iouring-bench liveness",
                        .work = [spec](const Job::ProgressFn&,
                                       const std::atomic<bool>&) { return run_liveness(spec); },
                        .result_to_js = liveness_result_to_js,
                        .progress_to_js = nullptr,
                        .refused =
                            [](const LoopError& error) {
                              return LivenessResult{
                                  LivenessHalf{.error = error},
                                  LivenessHalf{.op_timeouts = true, .error = error}};
                            },
                    },
                    Napi::Function())
      .Get("promise");
}

}  // namespace iob::addon
