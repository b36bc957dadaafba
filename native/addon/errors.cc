#include "errors.h"

#include "uring_names.h"

namespace iob::addon {

namespace {

void set_errno_fields(Napi::Object target, const std::string& call, int error) {
  target.Set("call", call);
  target.Set("syscall", call);
  target.Set("errno", error);
  target.Set("code", error != 0 ? errno_name(error) : std::string());
}

}  // namespace

Napi::Object system_error_to_js(Napi::Env env, const LoopError& error) {
  Napi::Object object = Napi::Object::New(env);
  set_errno_fields(object, error.call, error.error);
  object.Set("detail", error.detail);
  object.Set("message", error.message());
  return object;
}

Napi::Error system_error_exception(Napi::Env env, const std::string& call, int error,
                                   const std::string& message) {
  Napi::Error exception = Napi::Error::New(env, message);
  set_errno_fields(exception.Value(), call, error);
  return exception;
}

}  // namespace iob::addon
