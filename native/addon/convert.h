// Conversions between JS values and the native core's plain structs. Argument shapes are
// validated by the TypeScript layer; these check types and that a request is complete, and
// throw a TypeError naming the field when one is wrong, missing or unknown.
#pragma once

#include <napi.h>

#include "harness/bench.h"

namespace iob::addon {

enum class System { kLoop, kRaw };

struct BenchRequest {
  System system = System::kLoop;
  BenchSpec spec;
};

// Reads a complete bench request; a missing or unknown field is an internal error naming it.
BenchRequest bench_request_from_js(const Napi::Object& object);
// Every field bench_request_from_js reads, as "group.name" (the request's own ones bare).
Napi::Array bench_request_fields(Napi::Env env);

Napi::Object bench_result_to_js(Napi::Env env, const BenchResult& result);
Napi::Object progress_to_js(Napi::Env env, const Progress& progress);
Napi::Object counters_to_js(Napi::Env env, const LoopCountersSnapshot& counters);

// Shared with the other jobs' conversions.
double number_field(const Napi::Object& object, const char* name, double fallback);
Napi::Object histogram_to_js(Napi::Env env, const LatencyHistogram& histogram);

// [{name, help}] for every loop counter, in declaration order.
Napi::Array loop_counter_info(Napi::Env env);

}  // namespace iob::addon
