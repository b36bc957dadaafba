#pragma once

#include <napi.h>

namespace iob::addon {

// runShutdownDrill(request, onProgress?) -> { promise, cancel }: see drill_job.cc.
Napi::Value run_shutdown_drill_js(const Napi::CallbackInfo& info);
// Every field run_shutdown_drill_js reads from its request.
Napi::Array drill_request_fields(Napi::Env env);

}  // namespace iob::addon
