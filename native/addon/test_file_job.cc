#include "test_file_job.h"

#include <atomic>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "errors.h"
#include "harness/test_file.h"
#include "uring_names.h"

namespace iob::addon {

namespace {

Napi::Error file_error_to_js(Napi::Env env, const FileError& error) {
  Napi::Error js =
      system_error_exception(env, error.call, error.error,
                             error.call + " " + error.detail + ": " + std::strerror(error.error) +
                                 " (" + errno_name(error.error) + ")");
  js.Set("path", Napi::String::New(env, error.detail));
  return js;
}

std::string path_argument(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) {
    throw Napi::TypeError::New(info.Env(), "the first argument must be a path");
  }
  return info[0].As<Napi::String>().Utf8Value();
}

double number_argument(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info.Length() <= index || !info[index].IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string(name) + " must be a number");
  }
  return info[index].As<Napi::Number>().DoubleValue();
}

class LayOutJob final : public Napi::AsyncWorker {
 public:
  LayOutJob(Napi::Env env, std::string path, uint64_t size, uint64_t seed,
            std::shared_ptr<std::atomic<bool>> cancel)
      : Napi::AsyncWorker(env, "iouring-bench lay out"),
        deferred_(Napi::Promise::Deferred::New(env)),
        path_(std::move(path)),
        size_(size),
        seed_(seed),
        cancel_(std::move(cancel)) {}

  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override { error_ = lay_out_test_file(path_, size_, seed_, cancel_.get()); }
  void OnOK() override {
    if (error_) {
      deferred_.Reject(file_error_to_js(Env(), *error_).Value());
    } else {
      deferred_.Resolve(Env().Undefined());
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  const std::string path_;
  const uint64_t size_;
  const uint64_t seed_;
  // Shared with the JS cancel function, which may outlive the job.
  const std::shared_ptr<std::atomic<bool>> cancel_;
  std::optional<FileError> error_;
};

}  // namespace

Napi::Value lay_out_test_file_js(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  auto* job = new LayOutJob(env, path_argument(info),
                            static_cast<uint64_t>(number_argument(info, 1, "sizeBytes")),
                            static_cast<uint64_t>(number_argument(info, 2, "seed")), cancel);
  job->Queue();  // the worker deletes itself after OnOK
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("promise", job->promise());
  handle.Set("cancel",
             Napi::Function::New(
                 env, [cancel](const Napi::CallbackInfo&) { cancel->store(true); }, "cancel"));
  return handle;
}

Napi::Value test_file_info_js(const Napi::CallbackInfo& info) {
  const std::string path = path_argument(info);
  uint64_t size = 0;
  if (auto error = readable_size(path, size)) {
    throw file_error_to_js(info.Env(), *error);
  }
  Napi::Object object = Napi::Object::New(info.Env());
  object.Set("sizeBytes", static_cast<double>(size));
  object.Set("filesystem", filesystem_name(path));
  return object;
}

Napi::Value probe_direct_read_js(const Napi::CallbackInfo& info) {
  const std::string path = path_argument(info);
  const auto error =
      probe_direct_read(path, static_cast<uint32_t>(number_argument(info, 1, "blockSize")));
  return error ? file_error_to_js(info.Env(), *error).Value() : info.Env().Null();
}

Napi::Value page_cache_residency_js(const Napi::CallbackInfo& info) {
  const std::string path = path_argument(info);
  double share = 0;
  if (auto error = page_cache_residency(
          path, static_cast<uint64_t>(number_argument(info, 1, "sizeBytes")), share)) {
    throw file_error_to_js(info.Env(), *error);
  }
  return Napi::Number::New(info.Env(), share);
}

}  // namespace iob::addon
