// The base of the addon's long jobs (benchmark, shutdown drill, liveness scenario): a job on a
// std::thread of its own that reports progress and settles a promise.
//
// Not libuv's pool: an AsyncWorker would hold one of its four threads for the whole job
// (seconds to minutes), and every fs call of the process would queue behind it. Progress and the
// end reach JS through one TypedThreadSafeFunction; JS gets {promise, cancel}.
//
// Threads: the job's work runs on its thread and touches no JS value (the request was converted
// on the JS thread before). deliver() and the finalizer run on the JS thread.
// Lifetime: the job's thread holds the function and releases it last. The finalizer runs once
// that happened, or when the environment goes away with the job still running: it cancels the
// work before it joins the thread, so a job never holds Node's exit for the rest of its run.
#pragma once

#include <napi.h>

#include <atomic>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "errors.h"
#include "harness/workload.h"
#include "loop/loop.h"

namespace iob::addon {

// The Progress of a job that reports none.
struct NoProgress {};

template <typename Result, typename Progress>
class ThreadJob {
 public:
  using ProgressFn = std::function<void(const Progress&)>;

  struct Spec {
    // The async resource's name, as async_hooks show it.
    const char* name;
    // The job, on its thread. `cancel` is set by the JS cancel() and by the finalizer.
    std::function<Result(const ProgressFn& progress, const std::atomic<bool>& cancel)> work;
    Napi::Value (*result_to_js)(Napi::Env, const Result&);
    // Null when the job reports no progress.
    Napi::Value (*progress_to_js)(Napi::Env, const Progress&);
    // The result of a job the process's limits refused memory or a thread: a limit to raise,
    // reported like a refused ring, not a rejection.
    Result (*refused)(const LoopError&);
  };

  // Starts the job; returns {promise, cancel}. `on_progress` may be empty.
  static Napi::Object start(Napi::Env env, Spec spec, Napi::Function on_progress) {
    auto* job = new ThreadJob(env, std::move(spec));
    Channel channel = Channel::New(env, on_progress, job->spec_.name, 0, 1, job,
                                   [](Napi::Env, void*, ThreadJob* done) {
                                     done->cancel_->store(true);
                                     if (done->thread_.joinable()) {
                                       done->thread_.join();
                                     }
                                     delete done;
                                   });
    // The handle first: once the channel is released the finalizer may free the job.
    Napi::Object handle = Napi::Object::New(env);
    handle.Set("promise", job->deferred_.Promise());
    handle.Set("cancel",
               Napi::Function::New(
                   env, [cancel = job->cancel_](const Napi::CallbackInfo&) { cancel->store(true); },
                   "cancel"));
    try {
      job->thread_ = std::thread([channel, job]() mutable {
        send(channel, job->run([&](const Progress& snapshot) {
          send(channel, new Message{.progress = snapshot});
        }));
        channel.Release();
      });
    } catch (const std::exception&) {
      // std::thread throws system_error (EAGAIN under a limit) or bad_alloc for its state.
      const LoopError error = resource_error(std::current_exception(), "the run's thread");
      job->deferred_.Resolve(job->spec_.result_to_js(env, job->spec_.refused(error)));
      channel.Release();
    }
    return handle;
  }

 private:
  // One progress snapshot, or the end: a result or a failure.
  struct Message {
    bool done = false;
    Progress progress;
    Result result;
    // Why the job failed, as a system error (call and errno empty when it was not one).
    std::optional<LoopError> failure;
  };

  static void deliver(Napi::Env env, Napi::Function on_progress, ThreadJob* job, Message* message);
  using Channel = Napi::TypedThreadSafeFunction<ThreadJob, Message, deliver>;

  ThreadJob(Napi::Env env, Spec spec)
      : spec_(std::move(spec)),
        deferred_(Napi::Promise::Deferred::New(env)),
        cancel_(std::make_shared<std::atomic<bool>>(false)) {}

  // On the job's thread: the end message.
  Message* run(const ProgressFn& progress) {
    auto* done = new Message{.done = true};
    try {
      done->result = spec_.work(progress, *cancel_);
    } catch (const std::bad_alloc&) {
      done->result = spec_.refused(resource_error(std::current_exception(), "setting up the run"));
    } catch (const WorkloadError& error) {
      done->failure = static_cast<const SystemError&>(error);
    } catch (const std::exception& error) {
      done->failure = LoopError{"", 0, error.what()};
    }
    return done;
  }

  static void send(Channel& channel, Message* message) {
    if (channel.BlockingCall(message) != napi_ok) {
      delete message;  // the environment is closing; nobody will read it
    }
  }

  const Spec spec_;
  Napi::Promise::Deferred deferred_;
  // Shared with the JS cancel function, which may outlive the job.
  const std::shared_ptr<std::atomic<bool>> cancel_;
  std::thread thread_;
};

// On the JS thread. `env` is null when the environment is going away; the message is still
// freed.
template <typename Result, typename Progress>
void ThreadJob<Result, Progress>::deliver(Napi::Env env, Napi::Function on_progress, ThreadJob* job,
                                          Message* message) {
  std::unique_ptr<Message> owned(message);
  if (env == nullptr) {
    return;
  }
  try {
    if (!owned->done) {
      if (job->spec_.progress_to_js != nullptr && !on_progress.IsEmpty() &&
          on_progress.IsFunction()) {
        on_progress.Call({job->spec_.progress_to_js(env, owned->progress)});
      }
    } else if (owned->failure) {
      const LoopError& failure = *owned->failure;
      Napi::Error error =
          system_error_exception(env, failure.call, failure.error, failure.message());
      error.Set("detail", Napi::String::New(env, failure.detail));
      job->deferred_.Reject(error.Value());
    } else {
      job->deferred_.Resolve(job->spec_.result_to_js(env, owned->result));
    }
  } catch (const Napi::Error&) {
    // JS refused the call: the environment is terminating (a worker's terminate()) or the
    // progress callback threw. Nothing is left to tell, and a C++ exception must not leave a
    // thread-safe function's callback.
  }
}

}  // namespace iob::addon
