#pragma once

#include <napi.h>

namespace iob::addon {

// runBench(request, onProgress?) -> { promise, cancel }: see bench_job.cc.
Napi::Value run_bench(const Napi::CallbackInfo& info);

}  // namespace iob::addon
