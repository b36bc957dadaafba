#pragma once

#include <napi.h>

namespace iob::addon {

// Test files (see core/harness/test_file.h). Failures are Errors carrying code, errno, syscall and
// path, the shape Node's own fs errors have.
//   layOutTestFile(path, sizeBytes, seed) -> {promise, cancel}  (on a worker thread: it writes
//   GiBs;
//                                         cancel() stops it, the promise rejects with ECANCELED)
//   testFileInfo(path) -> {sizeBytes, filesystem}
//   probeDirectRead(path, blockSize) -> null | Error         (why O_DIRECT is refused, if it is)
//   pageCacheResidency(path, sizeBytes) -> share 0..1
Napi::Value lay_out_test_file_js(const Napi::CallbackInfo& info);
Napi::Value test_file_info_js(const Napi::CallbackInfo& info);
Napi::Value probe_direct_read_js(const Napi::CallbackInfo& info);
Napi::Value page_cache_residency_js(const Napi::CallbackInfo& info);

}  // namespace iob::addon
