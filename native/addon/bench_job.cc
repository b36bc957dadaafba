// runBench(request, onProgress) -> { promise, cancel }
//
// Runs one benchmark as a ThreadJob (thread_job.h): on a native thread of its own, so neither
// the JS thread nor libuv's pool waits for it; progress snapshots and the result reach JS
// through the job's thread-safe function.
#include "bench_job.h"

#include "convert.h"
#include "thread_job.h"

namespace iob::addon {

Napi::Value run_bench(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    throw Napi::TypeError::New(env, "runBench(request, onProgress?) needs a request object");
  }
  // Converted here, on the JS thread: the job's thread never touches a JS value.
  BenchRequest request = bench_request_from_js(info[0].As<Napi::Object>());
  Napi::Function on_progress =
      info.Length() > 1 && info[1].IsFunction() ? info[1].As<Napi::Function>() : Napi::Function();
  using Job = ThreadJob<BenchResult, Progress>;
  return Job::start(
      env,
      Job::Spec{
          .name = "iouring-bench run",
          .work =
              [request](const Job::ProgressFn& progress, const std::atomic<bool>& cancel) {
                return request.system == System::kRaw
                           ? run_raw_bench(request.spec, progress, cancel)
                           : run_loop_bench(request.spec, progress, cancel);
              },
          .result_to_js = [](Napi::Env env, const BenchResult& result) -> Napi::Value {
            return bench_result_to_js(env, result);
          },
          .progress_to_js = [](Napi::Env env, const Progress& snapshot) -> Napi::Value {
            return progress_to_js(env, snapshot);
          },
          .refused =
              [](const LoopError& error) {
                BenchResult refused;
                refused.error = error;
                return refused;
              },
      },
      on_progress);
}

}  // namespace iob::addon
