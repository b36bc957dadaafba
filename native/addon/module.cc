// The addon's exports. Everything here converts and hands off; the work is in ../core.
#include <napi.h>

#include "bench_job.h"
#include "convert.h"
#include "drill_job.h"
#include "liveness_job.h"
#include "probe_job.h"
#include "test_file_job.h"

namespace {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  exports.Set("runBench", Napi::Function::New(env, iob::addon::run_bench, "runBench"));
  exports.Set("runShutdownDrill",
              Napi::Function::New(env, iob::addon::run_shutdown_drill_js, "runShutdownDrill"));
  exports.Set("runLiveness",
              Napi::Function::New(env, iob::addon::run_liveness_async, "runLiveness"));
  exports.Set("probeKernel",
              Napi::Function::New(env, iob::addon::probe_kernel_async, "probeKernel"));
  exports.Set("loopCounterInfo", Napi::Function::New(
                                     env,
                                     [](const Napi::CallbackInfo& info) {
                                       return iob::addon::loop_counter_info(info.Env());
                                     },
                                     "loopCounterInfo"));
  exports.Set("benchRequestFields", Napi::Function::New(
                                        env,
                                        [](const Napi::CallbackInfo& info) {
                                          return iob::addon::bench_request_fields(info.Env());
                                        },
                                        "benchRequestFields"));
  exports.Set("drillRequestFields", Napi::Function::New(
                                        env,
                                        [](const Napi::CallbackInfo& info) {
                                          return iob::addon::drill_request_fields(info.Env());
                                        },
                                        "drillRequestFields"));
  exports.Set("layOutTestFile",
              Napi::Function::New(env, iob::addon::lay_out_test_file_js, "layOutTestFile"));
  exports.Set("testFileInfo",
              Napi::Function::New(env, iob::addon::test_file_info_js, "testFileInfo"));
  exports.Set("probeDirectRead",
              Napi::Function::New(env, iob::addon::probe_direct_read_js, "probeDirectRead"));
  exports.Set("pageCacheResidency",
              Napi::Function::New(env, iob::addon::page_cache_residency_js, "pageCacheResidency"));
  return exports;
}

}  // namespace

NODE_API_MODULE(iouring_bench, init)
