// runLiveness({opTimeoutNs, watchdogNs}) -> Promise<{withoutTimeouts, withTimeouts}>
//
// Both halves take a few hundred milliseconds (the watchdog's threshold, then the op
// timeouts): an AsyncWorker on libuv's pool keeps them off the JS thread.
#include "liveness_job.h"

#include "convert.h"
#include "harness/liveness.h"
#include "harness/workload.h"
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

class LivenessJob : public Napi::AsyncWorker {
 public:
  LivenessJob(Napi::Env env, LivenessSpec spec)
      : Napi::AsyncWorker(env, "iouring-bench liveness"),
        deferred_(Napi::Promise::Deferred::New(env)),
        spec_(spec) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  // A socket pair that cannot be made (out of descriptors) rejects with the reason.
  void Execute() override {
    try {
      result_ = run_liveness(spec_);
    } catch (const WorkloadError& error) {
      SetError(error.what());
    }
  }

  void OnOK() override {
    Napi::Object object = Napi::Object::New(Env());
    object.Set("withoutTimeouts", half_to_js(Env(), result_.without_timeouts));
    object.Set("withTimeouts", half_to_js(Env(), result_.with_timeouts));
    deferred_.Resolve(object);
  }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  const LivenessSpec spec_;
  LivenessResult result_;
};

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
  // Queued workers delete themselves once OnOK or OnError has run.
  auto* job = new LivenessJob(env, spec);
  job->Queue();
  return job->promise();
}

}  // namespace iob::addon
