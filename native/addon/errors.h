// The addon's one errno -> JS mapping. A failed system call reaches JS with the same fields
// wherever it comes from (a loop, a workload, a test file): code (the errno's name, "" when the
// cause is not an errno), errno, call and syscall (the same name: Node's fs errors call it
// syscall), message, and whatever the caller adds (path, detail). Results carry it as a plain
// object (NativeError in src/native/addon.ts); rejections and throws as an Error with the same
// fields (NativeFileError). Wrong argument types are TypeErrors, thrown where they are checked.
#pragma once

#include <napi.h>

#include <string>

#include "loop/loop.h"  // LoopError, the loop's name for a SystemError

namespace iob::addon {

// A loop's or a run's failure, as a plain object in a result: {call, syscall, errno, code,
// detail, message}.
Napi::Object system_error_to_js(Napi::Env env, const LoopError& error);

// An Error to throw or reject with: `message`, then the same fields as system_error_to_js.
Napi::Error system_error_exception(Napi::Env env, const std::string& call, int error,
                                   const std::string& message);

}  // namespace iob::addon
