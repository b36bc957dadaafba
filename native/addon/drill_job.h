#pragma once

#include <napi.h>

namespace iob::addon {

// runShutdownDrill(request, onProgress?) -> { promise, cancel }: see drill_job.cc.
Napi::Value run_shutdown_drill_js(const Napi::CallbackInfo& info);

}  // namespace iob::addon
