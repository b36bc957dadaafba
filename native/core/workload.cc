#include "workload.h"

#include <errno.h>
#include "ops.h"

namespace iob {

namespace {

class NopSource final : public OpSource {
 public:
  void prepare(uint32_t, io_uring_sqe& sqe, Resources&) override { io_uring_prep_nop(&sqe); }
  bool expected(int32_t result) const override { return result == 0; }
};

class TimerSource final : public OpSource {
 public:
  explicit TimerSource(std::chrono::nanoseconds duration) : duration_(duration) {}

  void prepare(uint32_t, io_uring_sqe& sqe, Resources& resources) override {
    prep_timer(sqe, resources, duration_);
  }
  bool expected(int32_t result) const override { return result == -ETIME; }

 private:
  const std::chrono::nanoseconds duration_;
};

}  // namespace

std::unique_ptr<OpSource> make_op_source(const WorkloadSpec& spec) {
  switch (spec.op) {
    case OpKind::kNop:
      return std::make_unique<NopSource>();
    case OpKind::kTimer:
      return std::make_unique<TimerSource>(spec.timer);
  }
  return nullptr;
}

const char* op_kind_name(OpKind kind) {
  switch (kind) {
    case OpKind::kNop:
      return "nop";
    case OpKind::kTimer:
      return "timer";
  }
  return "unknown";
}

}  // namespace iob
