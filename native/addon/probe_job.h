#pragma once

#include <napi.h>

namespace iob::addon {

// probeKernel() -> Promise<string>: see probe_job.cc.
Napi::Value probe_kernel_async(const Napi::CallbackInfo& info);

}  // namespace iob::addon
