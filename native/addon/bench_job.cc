// runBench(request, onProgress) -> { promise, cancel }
//
// Runs one benchmark on a dedicated native thread (not libuv's pool: a run lasts seconds), so
// the JS thread never blocks. Progress snapshots and the final result reach JS through one
// TypedThreadSafeFunction; its finalizer, on the JS thread, joins the native thread.
#include <atomic>
#include <memory>
#include <thread>

#include "bench_job.h"
#include "convert.h"

namespace iob::addon {

namespace {

struct JobMessage {
  bool done = false;
  Progress progress;
  BenchResult result;
  std::string failure;  // a C++ exception from the run (e.g. a size the loop refuses)
};

struct JobContext {
  explicit JobContext(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise::Deferred deferred;
  std::thread thread;
};

// On the JS thread. `env` is null when the environment is shutting down; the message is still
// freed.
void deliver_to_js(Napi::Env env, Napi::Function on_progress, JobContext* context,
                   JobMessage* message) {
  std::unique_ptr<JobMessage> owned(message);
  if (env == nullptr) {
    return;
  }
  if (!owned->done) {
    if (!on_progress.IsEmpty() && on_progress.IsFunction()) {
      on_progress.Call({progress_to_js(env, owned->progress)});
    }
  } else if (!owned->failure.empty()) {
    context->deferred.Reject(Napi::Error::New(env, owned->failure).Value());
  } else {
    context->deferred.Resolve(bench_result_to_js(env, owned->result));
  }
}

using JobChannel = Napi::TypedThreadSafeFunction<JobContext, JobMessage, deliver_to_js>;

void send(JobChannel& channel, JobMessage* message) {
  if (channel.BlockingCall(message) != napi_ok) {
    delete message;  // the environment is closing; nobody will read it
  }
}

}  // namespace

Napi::Value run_bench(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) {
    throw Napi::TypeError::New(env, "runBench(request, onProgress?) needs a request object");
  }
  // Converted here, on the JS thread: the native thread never touches a JS value.
  BenchRequest request = bench_request_from_js(info[0].As<Napi::Object>());
  Napi::Function on_progress =
      info.Length() > 1 && info[1].IsFunction() ? info[1].As<Napi::Function>() : Napi::Function();

  auto* context = new JobContext(env);
  JobChannel channel = JobChannel::New(env, on_progress, "iouring-bench run", 0, 1, context,
                                       [](Napi::Env, void*, JobContext* done) {
                                         if (done->thread.joinable()) {
                                           done->thread.join();
                                         }
                                         delete done;
                                       });
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  try {
    context->thread = std::thread([channel, request, cancel]() mutable {
      auto* done = new JobMessage{.done = true};
      try {
        const ProgressFn progress = [&](const Progress& snapshot) {
          send(channel, new JobMessage{.progress = snapshot});
        };
        done->result = request.system == System::kRaw
                           ? run_raw_bench(request.spec, progress, *cancel)
                           : run_loop_bench(request.spec, progress, *cancel);
      } catch (const std::bad_alloc&) {
        done->result.error = resource_error(std::current_exception(), "setting up the run");
      } catch (const std::exception& error) {
        done->failure = error.what();
      }
      send(channel, done);
      channel.Release();
    });
  } catch (const std::system_error&) {
    // No thread for the run: it ends here, as a run the process's limits refused.
    BenchResult refused;
    refused.error = resource_error(std::current_exception(), "the run's thread");
    context->deferred.Resolve(bench_result_to_js(env, refused));
    channel.Release();
  }

  Napi::Object job = Napi::Object::New(env);
  job.Set("promise", context->deferred.Promise());
  job.Set("cancel",
          Napi::Function::New(
              env, [cancel](const Napi::CallbackInfo&) { cancel->store(true); }, "cancel"));
  return job;
}

}  // namespace iob::addon
