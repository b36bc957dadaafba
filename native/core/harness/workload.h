// Workloads are data: a WorkloadSpec says which ops to run; an OpSource turns it into SQEs for
// one submitting thread and judges each result. The loop benchmark and the raw baseline use the
// same OpSource, so both run exactly the same ops, with the same checks.
//
// Kinds of op:
//   nop         IORING_OP_NOP: the pure cost of the path
//   timer       IORING_OP_TIMEOUT of `timer`: ends with -ETIME when it expires
//   file-read   READ of one block at a sequential or random block-aligned offset
//   file-write  WRITE (or WRITEV of K buffers) of one block; every `fsync_every` writes an FSYNC
//               (reported as its own kind, "fsync")
//   socket      per connection, SEND of one message then RECV of it on the other end; each
//               connection carries one message at a time, so a slot owns one connection. With
//               recv_buffers, the message arrives through the connection's multishot RECV
//               (a receive stream, below) instead of a RECV of its own
//   stall       RECV on a socket nobody writes to: ends only by an op timeout
//   mix         a weighted choice among the above, per op
//
// Data checks: files the tool lays out hold Pattern(seed, laid-out) (test_file.h); writes put
// Pattern(seed, written) over it. A read must return the bytes of one of the two generations
// for its offset, a received message the bytes its sender put in; anything else is corrupt.
// After the run a write workload reads back every block it wrote (read_back()).
#pragma once

#include <liburing.h>
#include <sys/uio.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "loop/loop.h"
#include "loop/op.h"
#include "system_error.h"

namespace iob {

// X(enumerator, "name"): the kinds of op a workload runs, once for the native code and, through
// scripts/gen/generate.mjs, for the TypeScript op list and the result schema.
#define IOB_OP_KINDS(X)       \
  X(kNop, "nop")              \
  X(kTimer, "timer")          \
  X(kFileRead, "file-read")   \
  X(kFileWrite, "file-write") \
  X(kSocket, "socket")        \
  X(kStall, "stall")

enum class OpKind {
#define IOB_ENUMERATOR(kind, name) kind,
  IOB_OP_KINDS(IOB_ENUMERATOR)
#undef IOB_ENUMERATOR
};

struct FileSpec {
  std::string path;
  // Bytes of the file the ops use, from offset 0; whole blocks only.
  uint64_t size = 0;
  uint32_t block_size = 4096;
  bool random = false;
  bool direct = false;
  // An FSYNC after every this many writes of each submitter (0: never).
  uint32_t fsync_every = 0;
  // Writes use WRITEV with this many buffers of block_size / K bytes (0 or 1: plain WRITE).
  uint32_t writev_buffers = 0;
  // The file holds the tool's pattern, so reads can be checked (false for a user's file).
  bool verify = true;
  // Ops name the file by its index in the ring's registered file table (IOSQE_FIXED_FILE): the
  // harness registers every source's files() and tells each source its first index.
  bool fixed_files = false;
  // Reads and writes are READ_FIXED / WRITE_FIXED into a buffer per slot that the harness
  // registers with the ring (every source's buffers()), each source told its first index.
  bool fixed_buffers = false;
};

enum class Transport { kUnix, kTcp };

struct SocketSpec {
  Transport transport = Transport::kUnix;
  uint32_t message_size = 4096;
  // Sends are SEND_ZC (TCP only): each ends with its notification CQE, after its result's.
  bool send_zc = false;
  // When not 0: each connection receives through one multishot RECV (Linux 6.0) armed for the
  // whole run, which takes buffers from the connection's provided buffer ring of this many
  // (a power of two) buffers of `recv_buffer_size` bytes, instead of a RECV per message.
  uint32_t recv_buffers = 0;
  uint32_t recv_buffer_size = 4096;
};

struct MixEntry {
  OpKind op = OpKind::kNop;
  uint32_t weight = 1;
};

struct WorkloadSpec {
  OpKind op = OpKind::kNop;
  // When not empty, each op is one of these, chosen by weight; `op` is then unused.
  std::vector<MixEntry> mix;
  std::chrono::nanoseconds timer{std::chrono::milliseconds(1)};
  FileSpec file;
  SocketSpec socket;
  // Seeds the test data pattern and the random offsets and mix choices.
  uint64_t seed = 1;
};

// How an op's result is judged.
enum class Verdict : uint8_t {
  kExpected,    // the op's normal end
  kUnexpected,  // another result (an error, a short transfer, a timeout)
  kCorrupt,     // the expected length, but not the expected bytes
};

struct Judged {
  Verdict verdict = Verdict::kExpected;
  uint32_t bytes = 0;  // bytes the op moved
};

// What reading back a write workload's blocks found.
struct ReadBack {
  uint64_t blocks = 0;   // blocks read back and checked
  uint64_t corrupt = 0;  // ...that did not hold what was written
  int64_t first_corrupt_offset = -1;
  int error = 0;  // errno of a failed read-back (0: none)
};

// What follows one CQE of a receive stream.
enum class StreamNext : uint8_t {
  kGoesOn,  // F_MORE: the multishot RECV is still armed
  kRearm,   // it ended because its buffer ring ran dry (ENOBUFS): arm it again; the data waits
  kEnded,   // it ended as the run ends (EOF after end_streams())
  kFailed,  // it ended otherwise: the slot's receipt ends with that result
};

// Which of the run's threads a source serves.
struct SourceContext {
  uint32_t index = 0;  // this thread's index among...
  uint32_t count = 1;  // ...all submitting threads
  uint32_t slots = 1;  // in-flight slots of this thread (prepare's `slot` is below it)
};

// A source could not set up what its ops need (open a file, connect sockets).
class WorkloadError : public std::runtime_error, public SystemError {
 public:
  WorkloadError(std::string call, int error, std::string detail);
};

// Makes the ops of one thread. Not thread-safe: each thread has its own.
class OpSource {
 public:
  virtual ~OpSource() = default;

  // Names of the kinds of op this source makes ("file-write", "fsync", ...); prepare() returns
  // an index into it.
  virtual const std::vector<std::string>& kinds() const = 0;

  // Prepares the next op for `slot` into `sqe`, using (and, the first time, creating) the slot's
  // `resources`, which the caller keeps alive until the op ends and hands back to judge().
  // Returns the op's kind.
  virtual uint32_t prepare(uint32_t slot, io_uring_sqe& sqe, Resources& resources) = 0;

  // Judges how the op last prepared for `slot` ended, before the slot is prepared again.
  virtual Judged judge(uint32_t slot, uint32_t kind, int32_t result,
                       const OpResources* resources) = 0;

  // After the run: checks what the run left behind. Only write workloads have something to check.
  virtual ReadBack read_back() { return {}; }

  // The files its ops use, to register as the ring's fixed files (FileSpec::fixed_files).
  virtual std::vector<int> files() const { return {}; }
  // From now on its ops name files() by index, the first at `first` (IOSQE_FIXED_FILE).
  virtual void use_fixed_files(uint32_t /*first*/) {}
  // The buffers its ops read into and write from, to register with the ring
  // (FileSpec::fixed_buffers); they live as long as the source.
  virtual std::vector<iovec> buffers() const { return {}; }
  // From now on its ops are READ_FIXED / WRITE_FIXED naming buffers() by index from `first`.
  virtual void use_fixed_buffers(uint32_t /*first*/) {}

  // Receive streams (SocketSpec::recv_buffers): one multishot RECV per slot, armed by the
  // driver at the start and again after kRearm, whose results each slot's receipts are made of.
  // A slot whose next step awaits_stream() issues no op for it; the step ends once receipt()
  // has a result, which judge() then judges like an op's.
  virtual bool has_streams() const { return false; }
  // Its buffer rings, to register with the ring, each source told its first group id.
  virtual std::vector<BufferRingRegistration> buffer_rings() const { return {}; }
  virtual void use_buffer_groups(uint16_t /*first*/) {}
  // Arms the stream of `slot`.
  virtual void prepare_stream(uint32_t /*slot*/, io_uring_sqe& /*sqe*/, Resources& /*resources*/) {}
  virtual bool awaits_stream(uint32_t /*slot*/) const { return false; }
  // The result of the slot's receipt once it is over: the message's size when all of it arrived,
  // the stream's failure when it failed.
  virtual std::optional<int32_t> receipt(uint32_t /*slot*/) const { return std::nullopt; }
  // One CQE of the slot's stream (`more`: it had F_MORE): checks the data against what was sent
  // and gives its buffer back.
  virtual StreamNext stream_result(uint32_t /*slot*/, int32_t /*result*/, uint32_t /*flags*/,
                                   bool /*more*/) {
    return StreamNext::kEnded;
  }
  // Shuts down the sending side of every connection: each stream then ends with EOF.
  virtual void end_streams() {}
};

// Throws WorkloadError when the ops' files or sockets cannot be set up.
std::unique_ptr<OpSource> make_op_source(const WorkloadSpec& spec, const SourceContext& context);

const char* op_kind_name(OpKind kind);
// The kind named `name` ("file-read"), if there is one.
std::optional<OpKind> op_kind_from_name(std::string_view name);

}  // namespace iob
