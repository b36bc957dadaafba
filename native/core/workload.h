// Workloads are data: a WorkloadSpec says which ops to run; an OpSource turns it into SQEs for
// one submitting thread and judges each result. The loop benchmark and the raw baseline use the
// same OpSource, so both run exactly the same ops.
#pragma once

#include <liburing.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "op.h"

namespace iob {

enum class OpKind {
  kNop,    // IORING_OP_NOP: the pure cost of the path
  kTimer,  // IORING_OP_TIMEOUT of `timer`: ends with -ETIME when it expires
};

struct WorkloadSpec {
  OpKind op = OpKind::kNop;
  std::chrono::nanoseconds timer{std::chrono::milliseconds(1)};
};

// Makes the ops of one thread. Not thread-safe: each thread has its own.
class OpSource {
 public:
  virtual ~OpSource() = default;

  // Prepares the next op for `slot` into `sqe`, using (and, the first time, creating) the slot's
  // `resources`, which the caller keeps alive until the op ends.
  virtual void prepare(uint32_t slot, io_uring_sqe& sqe, Resources& resources) = 0;

  // Whether `result` is the normal end of this op (timers end with -ETIME).
  virtual bool expected(int32_t result) const = 0;
};

std::unique_ptr<OpSource> make_op_source(const WorkloadSpec& spec);

const char* op_kind_name(OpKind kind);

}  // namespace iob
