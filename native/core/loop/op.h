// An operation handed to the loop, and how its end is reported back.
//
// An op carries a prepared SQE plus the resources the kernel may touch while it runs: buffers
// the kernel reads or writes, the iovec array of a vectored op, and a handle on its file
// descriptor. Ownership of all of them moves into the loop with the op and stays there until
// the op's CQE is handled (or, for an abandoned op, until the ring is torn down), so no
// requester can free or reuse them under the kernel.
#pragma once

#include <liburing.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "cache_line.h"
#include "fd.h"

namespace iob {

// An owned, aligned byte buffer (4 KiB alignment satisfies O_DIRECT). Move-only; an empty
// buffer holds nothing.
class Buffer {
 public:
  static constexpr size_t kAlignment = 4096;

  Buffer() = default;
  explicit Buffer(size_t size);
  Buffer(Buffer&& other) noexcept
      : data_(std::move(other.data_)), size_(std::exchange(other.size_, 0)) {}
  Buffer& operator=(Buffer&& other) noexcept {
    data_ = std::move(other.data_);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }

  std::byte* data() { return data_.get(); }
  const std::byte* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::unique_ptr<std::byte, Free> data_;
  size_t size_ = 0;
};

// What an op keeps alive until its CQE is handled. Fields that are never read by the loop exist
// only for that lifetime guarantee. An op holds them through one owning pointer (null for ops
// that need none, like NOP), so handing an op along the data path moves one pointer; requesters
// allocate them once per in-flight slot and get them back with each result.
struct OpResources {
  // Memory the kernel reads from or writes into (a read/recv buffer, a write buffer, a
  // timespec for IORING_OP_TIMEOUT). Returned to the requester with the result.
  Buffer buffer;
  // Buffers of a vectored op, pointed to by `iovecs`. Returned with the result.
  std::vector<Buffer> vectored;
  // The iovec array of a vectored op; the SQE points at it.
  std::unique_ptr<iovec[]> iovecs;
  // Keeps the descriptor number from being closed and reused while the op is queued or in
  // flight.
  SharedFd fd;
};

using Resources = std::unique_ptr<OpResources>;

// The op's resources, created on first use.
inline OpResources& resources_of(Resources& resources) {
  if (!resources) {
    resources = std::make_unique<OpResources>();
  }
  return *resources;
}

class CompletionSink;

struct Op {
  // The prepared submission. The loop overwrites user_data (its waiter slot) and, with an
  // op timeout, adds IOSQE_IO_LINK.
  io_uring_sqe sqe{};
  // Told exactly once how the op ended. Must outlive the op's end.
  CompletionSink* sink = nullptr;
  // Opaque to the loop; handed back to the sink so the requester can tell its ops apart.
  uint64_t cookie = 0;
  Resources resources;
  // A multishot op (a RECV with IORING_RECV_MULTISHOT): every CQE that says more will follow
  // (F_MORE) reaches the sink as an OpEnd::kMore, and the op ends with its first CQE that does
  // not. It gets no op timeout: it runs until the kernel ends it (EOF, an error, ENOBUFS when
  // its buffer ring ran dry) or the loop abandons it.
  bool multishot = false;
};
// With its MPSC cell's sequence, an Op fills two cache lines (the SQE alone is one).
static_assert(sizeof(Op) <= 2 * kCacheLineSize - sizeof(uint64_t),
              "an Op outgrew two cache lines with its queue cell's sequence");

enum class OpEnd : uint8_t {
  // The kernel produced a CQE; `result` is its res (-ETIMEDOUT when the op timeout fired).
  kCompleted,
  // The loop gave up on the op (shutdown timeout, or the loop stopped on an error). There is
  // no result; the resources stay with the loop until its ring is torn down.
  kAbandoned,
  // Not an end: one result of a multishot op that goes on (its CQE had F_MORE). No resources;
  // `flags` names the provided buffer the data went into. Any number may come before the end.
  kMore,
};

struct Completion {
  uint64_t cookie = 0;
  int32_t result = 0;
  OpEnd end = OpEnd::kCompleted;
  // The CQE's flags (IORING_CQE_F_BUFFER and the buffer id above IORING_CQE_BUFFER_SHIFT for an
  // op that picked a provided buffer); 0 for an abandoned op.
  uint32_t flags = 0;
  Resources resources;  // null for an abandoned op: the loop keeps them until teardown
  // Set when the op's linked timeout ended it: how long after its deadline (when the loop
  // handed the op to the kernel, plus the op timeout) the loop handled the -ETIMEDOUT.
  std::optional<int64_t> timeout_lateness_ns;
};

// Receives the end of each op. Called on the loop thread.
class CompletionSink {
 public:
  virtual ~CompletionSink() = default;

  // Exactly once per op the loop accepted, with its end; before it, for a multishot op, once
  // per result that is not its end (OpEnd::kMore).
  virtual void deliver(Completion&& completion) = 0;

  // After a batch of deliver() calls (one CQE drain, or each half of a large one in the
  // cross-thread loop), so a sink can wake its owner once per batch instead of once per op.
  virtual void flush() {}

 private:
  friend class Loop;
  // Loop-thread bookkeeping: whether this sink is already in the loop's flush list.
  bool flush_pending_ = false;
};

}  // namespace iob
