// runLiveness(request) -> Promise<result>: the seed's size-2 liveness scenario, both halves.
#pragma once

#include <napi.h>

namespace iob::addon {

Napi::Value run_liveness_async(const Napi::CallbackInfo& info);

}  // namespace iob::addon
