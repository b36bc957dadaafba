// probeKernel() -> Promise<string>, the raw probe's JSON (schemas/raw-probe.schema.json).
//
// The probe makes a few dozen rings and waits for a few CQEs: about 20 ms, too long for the JS
// thread and too short for a thread of its own, so it runs as an AsyncWorker on libuv's pool.
// Every ring it makes is created, used and torn down on that one pool thread (a SINGLE_ISSUER
// ring must stay on the thread that created it).
#include "probe_job.h"

#include <string>

#include "harness/probe.h"

namespace iob::addon {

namespace {

class ProbeJob : public Napi::AsyncWorker {
 public:
  explicit ProbeJob(Napi::Env env)
      : Napi::AsyncWorker(env, "iouring-bench probe"),
        deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise promise() const { return deferred_.Promise(); }

 protected:
  // On the pool thread. probe_kernel() never throws; probe_to_json() can only run out of memory,
  // which the AsyncWorker turns into a rejection.
  void Execute() override { json_ = probe_to_json(probe_kernel()); }

  void OnOK() override { deferred_.Resolve(Napi::String::New(Env(), json_)); }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::string json_;
};

}  // namespace

Napi::Value probe_kernel_async(const Napi::CallbackInfo& info) {
  // Queued workers delete themselves once OnOK or OnError has run.
  auto* job = new ProbeJob(info.Env());
  job->Queue();
  return job->promise();
}

}  // namespace iob::addon
