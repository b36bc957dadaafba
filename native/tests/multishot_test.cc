// Multishot ops and receive streams: a multishot RECV's results reach its sink as they come and
// the op ends once; a provided buffer ring that runs dry ends it with ENOBUFS and loses nothing;
// and the socket workload over such streams checks every byte, on the loop and the raw ring.
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string_view>
#include <vector>

#include "harness/bench.h"
#include "harness/buffer_ring.h"
#include "helpers.h"
#include "loop/ring_memory.h"

namespace iob {
namespace {

using namespace std::chrono_literals;

const std::atomic<bool> kNever{false};

bool kernel_at_least(int major, int minor) {
  utsname name{};
  int found_major = 0, found_minor = 0;
  ::uname(&name);
  std::sscanf(name.release, "%d.%d", &found_major, &found_minor);
  return found_major > major || (found_major == major && found_minor >= minor);
}

// Multishot RECV needs 6.0; its buffer ring 5.19.
std::optional<std::string> multishot_recv_unsupported() {
  if (!kernel_at_least(6, 0)) {
    return "this kernel has no multishot RECV (Linux 6.0)";
  }
  return std::nullopt;
}

// Every completion the loop delivers, in order, for the test thread to wait on.
class Recorded final : public CompletionSink {
 public:
  void deliver(Completion&& completion) override {
    std::lock_guard lock(mutex_);
    completions_.push_back(std::move(completion));
  }
  void flush() override { cv_.notify_all(); }

  // Waits until `count` completions came (false after 2 s) and hands over the `index`th.
  bool wait_for(size_t count) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, 2s, [&] { return completions_.size() >= count; });
  }
  Completion& operator[](size_t index) {
    std::lock_guard lock(mutex_);
    return completions_[index];
  }
  size_t size() {
    std::lock_guard lock(mutex_);
    return completions_.size();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Completion> completions_;
};

Op multishot_recv(const SharedFd& fd, uint16_t group) {
  Op op;
  resources_of(op.resources).fd = fd;
  io_uring_prep_recv_multishot(&op.sqe, fd->get(), nullptr, 0, 0);
  op.sqe.flags |= IOSQE_BUFFER_SELECT;
  op.sqe.buf_group = group;
  op.multishot = true;
  return op;
}

uint16_t buffer_of(const Completion& completion) {
  EXPECT_NE(completion.flags & IORING_CQE_F_BUFFER, 0u);
  return static_cast<uint16_t>(completion.flags >> IORING_CQE_BUFFER_SHIFT);
}

// Each chunk of data is a result of its own, not the op's end; the end comes once, with the
// op's resources, when the peer shuts down. An op timeout shorter than the op's life does not
// end it: a multishot op gets no linked timeout.
TEST(MultishotOp, EachResultComesAsItArrivesAndTheOpEndsOnce) {
  if (auto missing = multishot_recv_unsupported()) {
    GTEST_SKIP() << *missing;
  }
  BufferRing buffers(4, 8);
  LoopThread running(LoopConfig{.op_timeout = 20ms, .buffer_rings = {buffers.registration(3)}});
  auto [left, right] = socket_pair();
  Recorded recorded;
  send(running, multishot_recv(left, 3), recorded, /*cookie=*/9);

  for (const std::string_view chunk : {"abcdefgh", "12345678"}) {
    std::this_thread::sleep_for(40ms);  // past the op timeout
    const size_t before = recorded.size();
    ASSERT_EQ(::write(right->get(), chunk.data(), chunk.size()), 8);
    ASSERT_TRUE(recorded.wait_for(before + 1));
    Completion& more = recorded[before];
    EXPECT_EQ(more.end, OpEnd::kMore);
    EXPECT_EQ(more.cookie, 9u);
    ASSERT_EQ(more.result, 8);
    EXPECT_FALSE(more.resources);
    const uint16_t id = buffer_of(more);
    EXPECT_EQ(std::memcmp(buffers.data(id), chunk.data(), 8), 0);
    buffers.give_back(id);
  }
  ::shutdown(right->get(), SHUT_WR);
  ASSERT_TRUE(recorded.wait_for(3));
  Completion& end = recorded[2];
  EXPECT_EQ(end.end, OpEnd::kCompleted);
  EXPECT_EQ(end.result, 0);  // EOF
  EXPECT_TRUE(end.resources && end.resources->fd);
  EXPECT_FALSE(running.stop());
  EXPECT_EQ(recorded.size(), 3u);
  const auto counters = running.loop().counters().snapshot();
  EXPECT_EQ(counters.multishot_results, 2u);
  EXPECT_EQ(counters.ops_completed, 1u);
  EXPECT_EQ(counters.timeouts_fired, 0u);
}

// One buffer of 4 bytes and 8 bytes sent: the first 4 arrive, then the ring is dry and the op
// ends with ENOBUFS, counted. The other 4 wait in the socket for the next receive.
TEST(MultishotOp, ADryBufferRingEndsItWithEnobufsAndTheDataWaits) {
  if (auto missing = multishot_recv_unsupported()) {
    GTEST_SKIP() << *missing;
  }
  BufferRing buffers(1, 4);
  LoopThread running(LoopConfig{.buffer_rings = {buffers.registration(0)}});
  auto [left, right] = socket_pair();
  ASSERT_EQ(::write(right->get(), "abcdefgh", 8), 8);
  Recorded recorded;
  send(running, multishot_recv(left, 0), recorded);
  ASSERT_TRUE(recorded.wait_for(2));
  ASSERT_EQ(recorded[0].end, OpEnd::kMore);
  ASSERT_EQ(recorded[0].result, 4);
  EXPECT_EQ(std::memcmp(buffers.data(buffer_of(recorded[0])), "abcd", 4), 0);
  buffers.give_back(buffer_of(recorded[0]));
  EXPECT_EQ(recorded[1].end, OpEnd::kCompleted);
  EXPECT_EQ(recorded[1].result, -ENOBUFS);
  EXPECT_EQ(running.loop().counters().snapshot().multishot_no_buffers, 1u);

  send(running, multishot_recv(left, 0), recorded);  // armed again: the rest is there
  ASSERT_TRUE(recorded.wait_for(3));
  ASSERT_EQ(recorded[2].result, 4);
  EXPECT_EQ(std::memcmp(buffers.data(buffer_of(recorded[2])), "efgh", 4), 0);
  buffers.give_back(buffer_of(recorded[2]));
  ::shutdown(right->get(), SHUT_WR);
  ASSERT_TRUE(recorded.wait_for(4));
  EXPECT_EQ(recorded[3].result, 0);
  EXPECT_FALSE(running.stop());
}

BenchSpec stream_spec(uint32_t buffers, uint32_t buffer_size, uint64_t ops) {
  BenchSpec spec;
  spec.loop.size = 16;  // room for each connection's receive besides its op
  spec.workload.op = OpKind::kSocket;
  spec.workload.socket =
      SocketSpec{.message_size = 1000, .recv_buffers = buffers, .recv_buffer_size = buffer_size};
  spec.drive = DriveSpec{.submitters = 2, .depth = 4, .ops = ops};
  return spec;
}

// A ring of one 300-byte buffer carries 1000-byte messages: each comes in four chunks, and the
// ring runs dry after each of the first three. Every message still arrives whole and checked,
// over a multishot receive re-armed each time, on the loop (both designs) and the raw ring.
TEST(ReceiveStreams, ATinyBufferRingRunsDryAndNoMessageIsLost) {
  if (auto missing = multishot_recv_unsupported()) {
    GTEST_SKIP() << *missing;
  }
  for (RunFn run : kEverySystem) {
    for (Transport transport : {Transport::kUnix, Transport::kTcp}) {
      BenchSpec spec = stream_spec(1, 300, 2000);
      spec.workload.socket.transport = transport;
      const BenchResult result = run(spec, nullptr, kNever);
      ASSERT_FALSE(result.error) << result.error->message();
      EXPECT_EQ(result.stats.expected, 2000u);
      EXPECT_EQ(result.stats.corrupt, 0u);
      EXPECT_EQ(result.stats.bytes, 2000u * 1000);
      EXPECT_GT(result.counters.multishot_no_buffers, 0u);
      // Half the ops are receipts of 1000 bytes, each in at least four results of 300 or less.
      EXPECT_GE(result.counters.multishot_results + result.counters.multishot_no_buffers,
                1000u * 4 / 2);
    }
  }
}

// With buffers as large as a message and enough of them, a message is one result and the ring
// never runs dry.
TEST(ReceiveStreams, AmpleBuffersTakeAMessageInOneResult) {
  if (auto missing = multishot_recv_unsupported()) {
    GTEST_SKIP() << *missing;
  }
  for (RunFn run : kEverySystem) {
    const BenchResult result = run(stream_spec(8, 1000, 2000), nullptr, kNever);
    ASSERT_FALSE(result.error) << result.error->message();
    EXPECT_EQ(result.stats.expected, 2000u);
    EXPECT_EQ(result.stats.corrupt, 0u);
    EXPECT_EQ(result.counters.multishot_no_buffers, 0u);
  }
}

// A byte changed on its way (here: in the sender's buffer after the message was filled) is
// found in the chunk that carried it, and the receipt is judged corrupt.
TEST(ReceiveStreams, AChunkThatIsNotWhatWasSentMakesTheReceiptCorrupt) {
  if (auto missing = multishot_recv_unsupported()) {
    GTEST_SKIP() << *missing;
  }
  WorkloadSpec spec;
  spec.op = OpKind::kSocket;
  spec.socket = SocketSpec{.message_size = 600, .recv_buffers = 2, .recv_buffer_size = 256};
  auto source = make_op_source(spec, SourceContext{});
  ASSERT_TRUE(source->has_streams());
  LoopConfig config;
  config.buffer_rings = source->buffer_rings();
  io_uring ring{};
  io_uring_params params{};
  ASSERT_FALSE(init_ring(ring, params, 8, config, ""));

  constexpr uint64_t kStream = 1;
  Resources stream;
  auto arm = [&] {
    io_uring_sqe* arming = io_uring_get_sqe(&ring);
    source->prepare_stream(0, *arming, stream);
    io_uring_sqe_set_data64(arming, kStream);
  };
  arm();
  Resources message;
  io_uring_sqe* sqe = io_uring_get_sqe(&ring);
  const uint32_t kind = source->prepare(0, *sqe, message);  // the send of message 0
  message->buffer.data()[400] ^= std::byte{0x10};
  io_uring_submit(&ring);

  bool sent = false;
  while (!sent || !source->receipt(0)) {
    io_uring_cqe* cqe = nullptr;
    ASSERT_EQ(io_uring_wait_cqe(&ring, &cqe), 0);
    if (cqe->user_data == kStream) {
      const StreamNext next =
          source->stream_result(0, cqe->res, cqe->flags, (cqe->flags & IORING_CQE_F_MORE) != 0);
      if (next == StreamNext::kRearm) {
        arm();
        io_uring_submit(&ring);
      }
    } else {
      EXPECT_EQ(source->judge(0, kind, cqe->res, message.get()).verdict, Verdict::kExpected);
      sent = true;
    }
    io_uring_cqe_seen(&ring, cqe);
  }
  EXPECT_TRUE(source->awaits_stream(0));
  EXPECT_EQ(source->receipt(0), 600);
  EXPECT_EQ(source->judge(0, kind, 600, nullptr).verdict, Verdict::kCorrupt);
  exit_ring(ring);
}

// A receive that ends with EOF while the run goes on means the peer went away: the stream has
// failed, and the slot's receipt ends with it. After end_streams() EOF is the expected end.
TEST(ReceiveStreams, EofMidRunFailsTheStreamAndEndsTheReceipt) {
  WorkloadSpec spec;
  spec.op = OpKind::kSocket;
  spec.socket = SocketSpec{.message_size = 600, .recv_buffers = 2, .recv_buffer_size = 256};
  auto source = make_op_source(spec, SourceContext{.slots = 2});
  EXPECT_EQ(source->stream_result(0, -ENOBUFS, 0, false), StreamNext::kRearm);
  EXPECT_FALSE(source->receipt(0));
  EXPECT_EQ(source->stream_result(0, 0, 0, false), StreamNext::kFailed);
  EXPECT_EQ(source->receipt(0), 0);
  source->end_streams();
  EXPECT_EQ(source->stream_result(1, 0, 0, false), StreamNext::kEnded);
  EXPECT_FALSE(source->receipt(1));
}

}  // namespace
}  // namespace iob
