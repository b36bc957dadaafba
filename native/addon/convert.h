// Conversions between JS values and the native core's plain structs. Argument shapes are
// validated by the TypeScript layer; these check types and that a request is complete, and
// throw a TypeError naming the field when one is wrong, missing or unknown.
#pragma once

#include <napi.h>

#include <chrono>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>

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
Napi::Object histogram_to_js(Napi::Env env, const LatencyHistogram& histogram);

// A request's fields: the TypeScript side sends every one, null where the native struct's default
// holds, so the structs keep the only native defaults. check_fields throws an internal error
// naming the `request` and the first field of `group` missing or unknown (`nested`: the object
// fields it holds, checked on their own).
void check_fields(const Napi::Object& object, const std::string& request, const std::string& group,
                  std::span<const char* const> fields,
                  std::initializer_list<const char*> nested = {});

// Sets `target` from a number field unless it is null.
template <typename T>
void read_number(const Napi::Object& object, const char* name, T& target) {
  Napi::Value value = object.Get(name);
  if (value.IsNull()) {
    return;
  }
  if (!value.IsNumber()) {
    throw Napi::TypeError::New(object.Env(), std::string(name) + " must be a number");
  }
  target = static_cast<T>(value.As<Napi::Number>().DoubleValue());
}
void read_ns(const Napi::Object& object, const char* name, std::chrono::nanoseconds& target);
void read_ns(const Napi::Object& object, const char* name,
             std::optional<std::chrono::nanoseconds>& target);
std::string string_field(const Napi::Object& object, const char* name);
// The native op named `name`; a TypeError for any other.
OpKind op_kind(const Napi::Object& object, const std::string& name);

// [{name, help}] for every loop counter, in declaration order.
Napi::Array loop_counter_info(Napi::Env env);

}  // namespace iob::addon
