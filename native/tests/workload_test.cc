// Workloads: the self-describing test data, and every kind of op through the loop (both designs)
// and the raw ring, closed and open loop.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <set>
#include <string>

#include "harness/bench.h"
#include "harness/ops.h"
#include "harness/test_file.h"
#include "helpers.h"

namespace iob {
namespace {

const std::atomic<bool> kNever{false};

// A test file laid out with the tool's pattern, removed at the end of the test.
class LaidOutFile {
 public:
  explicit LaidOutFile(uint64_t size, uint64_t seed = 7)
      : path_(
            (std::filesystem::temp_directory_path() /
             ("iob-workload-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++)))
                .string()) {
    auto error = lay_out_test_file(path_, size, seed);
    EXPECT_FALSE(error) << error->call << ": " << std::strerror(error->error);
  }
  ~LaidOutFile() { ::unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

  // Overwrites `length` bytes at `offset` with something that is no generation of the pattern.
  void scribble(uint64_t offset, size_t length) const {
    const std::string junk(length, 'x');
    const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    ASSERT_EQ(::pwrite(fd, junk.data(), length, static_cast<off_t>(offset)),
              static_cast<ssize_t>(length));
    ::close(fd);
  }

 private:
  static inline int counter_ = 0;
  std::string path_;
};

BenchSpec file_spec(OpKind op, const std::string& path, uint64_t size, uint64_t ops) {
  BenchSpec spec;
  spec.loop.size = 64;
  spec.workload.op = op;
  spec.workload.seed = 7;
  spec.workload.file = FileSpec{.path = path, .size = size, .block_size = 4096};
  spec.drive = DriveSpec{.submitters = 1, .depth = 8, .ops = ops};
  return spec;
}

TEST(Pattern, AnyRangeRoundTripsAndNamesItsPlace) {
  const Pattern pattern(42, kLaidOutGeneration);
  for (const auto& [offset, size] :
       {std::pair<uint64_t, size_t>{0, 4096}, {100, 1000}, {4096 * 3, 512}, {511, 2}}) {
    std::vector<std::byte> data(size);
    pattern.fill(offset, data.data(), size);
    EXPECT_TRUE(pattern.matches(offset, data.data(), size)) << offset;
    if (size >= kSectorSize) {  // a range that spans a whole sector header names its place
      EXPECT_FALSE(pattern.matches(offset + 512, data.data(), size))
          << "a block read from elsewhere";
    }
    EXPECT_FALSE(Pattern(42, kWrittenGeneration).matches(offset, data.data(), size))
        << "another generation";
    EXPECT_FALSE(Pattern(43, kLaidOutGeneration).matches(offset, data.data(), size))
        << "another seed";
    data[size / 2] ^= std::byte{1};
    EXPECT_FALSE(pattern.matches(offset, data.data(), size)) << "one flipped bit";
  }
}

TEST(TestFile, IsLaidOutWhole_InThePageCache_AndRefusesToOverwrite) {
  LaidOutFile file(1 << 20);
  uint64_t size = 0;
  ASSERT_FALSE(readable_size(file.path(), size));
  EXPECT_EQ(size, 1u << 20);
  double resident = 0;
  ASSERT_FALSE(page_cache_residency(file.path(), size, resident));
  EXPECT_GT(resident, 0.9);
  const auto again = lay_out_test_file(file.path(), 4096, 1);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->error, EEXIST);
  EXPECT_NE(filesystem_name(file.path()), "unknown");
}

TEST(TestFile, ACancelledLayoutStopsAndRemovesWhatItWrote) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("iob-workload-test-cancelled-" + std::to_string(::getpid())))
                               .string();
  const std::atomic<bool> cancelled{true};
  const auto error = lay_out_test_file(path, 8 << 20, 1, &cancelled);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error, ECANCELED);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(TestFile, AMissingFileIsAnError) {
  uint64_t size = 0;
  const auto error = readable_size("/nonexistent/iob", size);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error, ENOENT);
}

TEST(TestFile, AFifoIsRefusedAtOnce_NotWaitedOnForAWriter) {
  const std::string fifo =
      (std::filesystem::temp_directory_path() / ("iob-fifo-" + std::to_string(::getpid())))
          .string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  uint64_t size = 0;
  const auto error = readable_size(fifo, size);  // would block in open() without O_NONBLOCK
  ::unlink(fifo.c_str());
  ASSERT_TRUE(error);
  EXPECT_EQ(error->error, EINVAL);
}

TEST(FileRead, RandomAndSequentialReadsAreAllChecked) {
  LaidOutFile file(1 << 20);
  for (bool random : {false, true}) {
    BenchSpec spec = file_spec(OpKind::kFileRead, file.path(), 1 << 20, 3000);
    spec.workload.file.random = random;
    for (RunFn run : kEverySystem) {
      const BenchResult result = run(spec, nullptr, kNever);
      ASSERT_FALSE(result.error) << result.error->message();
      EXPECT_EQ(result.stats.ops, 3000u);
      EXPECT_EQ(result.stats.expected, 3000u) << "random " << random;
      EXPECT_EQ(result.stats.corrupt, 0u);
      EXPECT_EQ(result.stats.bytes, 3000u * 4096);
    }
  }
}

TEST(FileRead, ABlockThatDoesNotHoldItsPatternIsCountedCorrupt) {
  LaidOutFile file(64 * 4096);
  file.scribble(5 * 4096 + 700, 10);
  // Sequential over 64 blocks, 640 reads: the damaged block is read 10 times.
  const BenchSpec spec = file_spec(OpKind::kFileRead, file.path(), 64 * 4096, 640);
  for (RunFn run : kEverySystem) {
    const BenchResult result = run(spec, nullptr, kNever);
    ASSERT_FALSE(result.error);
    EXPECT_EQ(result.stats.corrupt, 10u);
    EXPECT_EQ(result.stats.expected, 630u);
  }
}

TEST(FileRead, AMissingFileStopsTheRunWithTheCall) {
  const BenchSpec spec = file_spec(OpKind::kFileRead, "/nonexistent/iob", 1 << 20, 10);
  for (RunFn run : kEverySystem) {
    const BenchResult result = run(spec, nullptr, kNever);
    ASSERT_TRUE(result.error);
    EXPECT_EQ(result.error->call, "open");
    EXPECT_EQ(result.error->error, ENOENT);
  }
}

TEST(FileWrite, WrittenBlocksAreReadBackAfterTheRun) {
  for (uint32_t buffers : {1u, 4u}) {
    LaidOutFile file(1 << 20);
    BenchSpec spec = file_spec(OpKind::kFileWrite, file.path(), 1 << 20, 2000);
    spec.workload.file.random = true;
    spec.workload.file.writev_buffers = buffers;
    for (RunFn run : kEverySystem) {
      const BenchResult result = run(spec, nullptr, kNever);
      ASSERT_FALSE(result.error);
      EXPECT_EQ(result.stats.expected, 2000u) << buffers << " buffers";
      EXPECT_GT(result.stats.read_back.blocks, 200u);  // random blocks of 256, 2000 writes
      EXPECT_EQ(result.stats.read_back.corrupt, 0u);
      EXPECT_EQ(result.stats.read_back.error, 0);
    }
  }
}

TEST(FileWrite, FsyncsAreTheirOwnKind) {
  LaidOutFile file(1 << 20);
  BenchSpec spec = file_spec(OpKind::kFileWrite, file.path(), 1 << 20, 600);
  spec.workload.file.fsync_every = 5;
  spec.drive.depth = 4;
  for (RunFn run : kEverySystem) {
    const BenchResult result = run(spec, nullptr, kNever);
    ASSERT_FALSE(result.error);
    ASSERT_EQ(result.stats.kind_names, (std::vector<std::string>{"file-write", "fsync"}));
    EXPECT_EQ(result.stats.kinds[0].ops + result.stats.kinds[1].ops, 600u);
    EXPECT_EQ(result.stats.kinds[1].ops, 100u);  // one after every 5 writes
    EXPECT_EQ(result.stats.kinds[1].expected, 100u);
    EXPECT_EQ(result.stats.kinds[0].bytes, 500u * 4096);
  }
}

// Drives one source by hand on a plain ring: prepare, submit, wait, judge.
int32_t run_one(OpSource& source, io_uring& ring, uint32_t slot, Resources& resources) {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring);
  const uint32_t kind = source.prepare(slot, *sqe, resources);
  io_uring_submit(&ring);
  io_uring_cqe* cqe = nullptr;
  EXPECT_EQ(io_uring_wait_cqe(&ring, &cqe), 0);
  const int32_t result = cqe->res;
  io_uring_cqe_seen(&ring, cqe);
  EXPECT_EQ(source.judge(slot, kind, result, resources.get()).verdict, Verdict::kExpected);
  return result;
}

// A source of `op` over the first `blocks` 4 KiB blocks of `file` (seed 7, as laid out).
std::unique_ptr<OpSource> file_source(OpKind op, const LaidOutFile& file, uint64_t blocks) {
  WorkloadSpec spec;
  spec.op = op;
  spec.seed = 7;
  spec.file = FileSpec{.path = file.path(), .size = blocks * 4096, .block_size = 4096};
  return make_op_source(spec, SourceContext{});
}

TEST(FileRead, AReadTornBetweenTheLaidOutAndTheWrittenGenerationIsNotCorrupt) {
  // In a mix with writes, a read that runs while a write of its block is in flight may see words
  // of both generations (reads and writes of a page are not atomic to each other).
  LaidOutFile file(4 * 4096);
  auto source = file_source(OpKind::kFileRead, file, 4);
  io_uring ring{};
  ASSERT_EQ(io_uring_queue_init(4, &ring, 0), 0);
  Resources resources;
  ASSERT_EQ(run_one(*source, ring, 0, resources), 4096);  // block 0, as laid out
  io_uring_queue_exit(&ring);
  std::byte* data = resources->buffer.data();
  Pattern(7, kWrittenGeneration).fill(1000, data + 1000, 4096 - 1000);  // torn at byte 1000
  EXPECT_EQ(source->judge(0, /*kind: data*/ 0, 4096, resources.get()).verdict, Verdict::kExpected);
  Pattern(7, kLaidOutGeneration).fill(4096, data + 2000, 512);  // a sector of block 1
  EXPECT_EQ(source->judge(0, /*kind: data*/ 0, 4096, resources.get()).verdict, Verdict::kCorrupt);
}

TEST(FileWrite, ReadBackFindsABlockThatLostItsWrite) {
  LaidOutFile file(16 * 4096);
  auto source = file_source(OpKind::kFileWrite, file, 16);
  io_uring ring{};
  ASSERT_EQ(io_uring_queue_init(4, &ring, 0), 0);
  Resources resources;
  for (int i = 0; i < 16; ++i) {
    run_one(*source, ring, 0, resources);
  }
  io_uring_queue_exit(&ring);
  file.scribble(9 * 4096, 4096);
  const ReadBack found = source->read_back();
  EXPECT_EQ(found.blocks, 16u);
  EXPECT_EQ(found.corrupt, 1u);
  EXPECT_EQ(found.first_corrupt_offset, 9 * 4096);
}

BenchSpec socket_spec(Transport transport, uint64_t ops) {
  BenchSpec spec;
  spec.loop.size = 64;
  spec.workload.op = OpKind::kSocket;
  spec.workload.socket = SocketSpec{.transport = transport, .message_size = 1000};
  spec.drive = DriveSpec{.submitters = 2, .depth = 4, .ops = ops};
  return spec;
}

TEST(Socket, MessagesArriveWholeAndInOrderOverBothTransports) {
  for (Transport transport : {Transport::kUnix, Transport::kTcp}) {
    for (RunFn run : kEverySystem) {
      const BenchResult result = run(socket_spec(transport, 4000), nullptr, kNever);
      ASSERT_FALSE(result.error) << result.error->message();
      EXPECT_EQ(result.stats.expected, 4000u);
      EXPECT_EQ(result.stats.corrupt, 0u);
      EXPECT_EQ(result.stats.bytes, 4000u * 1000);
    }
  }
}

// SEND_ZC gives two CQEs: the result (F_MORE) and, once the kernel is done with the buffer, the
// notification (F_NOTIF). A send that ended at the first would leave the second to a waiter slot
// already reused (the loop's invariant check would stop it); one that ended at the second with
// its result (0) would be judged short. So every op ending as expected, each send with one
// notification, shows both were awaited and the result kept.
TEST(SendZc, EachSendEndsWithItsNotificationKeepingItsResult) {
  io_uring_probe* probe = io_uring_get_probe();
  const bool supported = probe != nullptr && io_uring_opcode_supported(probe, IORING_OP_SEND_ZC);
  io_uring_free_probe(probe);
  if (!supported) {
    GTEST_SKIP() << "this kernel has no IORING_OP_SEND_ZC (Linux 6.0)";
  }
  // Few ops: a notification waits for the peer's ACK, which TCP delays (up to 40 ms) when no
  // data goes back, and each connection sends its next message only after receiving the last.
  BenchSpec spec = socket_spec(Transport::kTcp, 200);
  spec.workload.socket.send_zc = true;
  for (RunFn run : kEverySystem) {
    const BenchResult result = run(spec, nullptr, kNever);
    ASSERT_FALSE(result.error) << result.error->message();
    EXPECT_EQ(result.stats.expected, 200u);
    EXPECT_EQ(result.stats.corrupt, 0u);
    // Sends and receives alternate on each connection: about half the ops are sends.
    const double sends = 200.0 / 2;
    EXPECT_NEAR(static_cast<double>(result.counters.zc_notifications), sends,
                spec.drive.submitters * spec.drive.depth);
    // The receiver is on this host: the kernel copies every zero-copy send over loopback, and
    // says so where it can (6.2+).
    EXPECT_EQ(result.counters.zc_copied,
              send_zc_reports_usage() ? result.counters.zc_notifications : 0u);
  }
}

TEST(Socket, AReceivedMessageIsCheckedAgainstTheOneSent) {
  WorkloadSpec spec;
  spec.op = OpKind::kSocket;
  spec.socket.message_size = 600;
  auto source = make_op_source(spec, SourceContext{});
  io_uring ring{};
  ASSERT_EQ(io_uring_queue_init(4, &ring, 0), 0);
  Resources resources;
  EXPECT_EQ(run_one(*source, ring, 0, resources), 600);  // send of message 0
  io_uring_sqe* sqe = io_uring_get_sqe(&ring);
  const uint32_t kind = source->prepare(0, *sqe, resources);  // its receive
  io_uring_submit(&ring);
  io_uring_cqe* cqe = nullptr;
  ASSERT_EQ(io_uring_wait_cqe(&ring, &cqe), 0);
  ASSERT_EQ(cqe->res, 600);
  io_uring_cqe_seen(&ring, cqe);
  resources->buffer.data()[300] ^= std::byte{0x10};  // as if the buffer were reused too early
  EXPECT_EQ(source->judge(0, kind, 600, resources.get()).verdict, Verdict::kCorrupt);
  io_uring_queue_exit(&ring);
}

TEST(Stall, OpsEndOnlyByTheirTimeout) {
  BenchSpec spec;
  spec.loop.size = 16;
  spec.loop.op_timeout = 2ms;
  spec.workload.op = OpKind::kStall;
  spec.drive = DriveSpec{.submitters = 1, .depth = 4, .ops = 20};
  for (RunFn run : kEverySystem) {
    const BenchResult result = run(spec, nullptr, kNever);
    ASSERT_FALSE(result.error);
    EXPECT_EQ(result.stats.expected, 20u);
    EXPECT_EQ(result.counters.timeouts_fired, 20u);
    EXPECT_GE(result.stats.latency.min(), 2'000'000u);
    // Each timeout's lateness past its deadline (submitted + 2 ms) is recorded; none is early.
    EXPECT_EQ(result.stats.timeout_lateness.total_count(), 20u);
    EXPECT_EQ(result.stats.timeouts_early, 0u);
    EXPECT_LT(result.stats.timeout_lateness.max(), result.stats.latency.max());
    EXPECT_EQ(result.stats.issued, result.stats.all_ops);
  }
}

// Under load: stalls hold every waiter until they time out, and the normal ops of the mix get
// the freed slots. Every op handed to the loop ends exactly once, and the counts add up.
TEST(Stall, TimeoutsFreeWaitersForTheNormalOpsOfAMix) {
  BenchSpec spec;
  spec.loop.size = 8;
  spec.loop.op_timeout = 2ms;
  spec.workload.mix = {{OpKind::kStall, 1}, {OpKind::kNop, 3}};
  // A count of ops, not a duration: on a loaded machine under TSan 100 ms once ended no op.
  spec.drive = DriveSpec{.submitters = 2, .depth = 16, .ops = 400};
  const BenchResult result = run_loop_bench(spec, nullptr, kNever);
  ASSERT_FALSE(result.error);
  const OpStats& stalls = result.stats.kinds[0];
  const OpStats& nops = result.stats.kinds[1];
  // A stall's normal end is -ETIMEDOUT, so it counts as expected.
  EXPECT_GT(stalls.expected, 8u);  // more than the loop holds: their slots were reused
  EXPECT_EQ(stalls.expected, stalls.ops);
  EXPECT_EQ(stalls.timeout_lateness.total_count(), stalls.ops);
  EXPECT_EQ(nops.timeout_lateness.total_count(), 0u);
  EXPECT_GT(nops.expected, stalls.ops);
  EXPECT_GE(result.counters.capacity_stalls_waiter_bound, 1u);
  EXPECT_EQ(result.stats.issued, result.stats.all_ops);
  EXPECT_EQ(result.counters.ops_accepted, result.stats.issued);  // no warm-up: the whole run
  EXPECT_EQ(result.counters.ops_completed + result.counters.ops_abandoned,
            result.counters.ops_accepted);
  EXPECT_EQ(result.counters.timeouts_fired, stalls.ops);
}

TEST(Mix, EachKindIsReportedAndTheKindsAddUp) {
  LaidOutFile file(1 << 20);
  BenchSpec spec = file_spec(OpKind::kNop, file.path(), 1 << 20, 6000);
  spec.workload.mix = {
      {OpKind::kFileRead, 3}, {OpKind::kSocket, 1}, {OpKind::kNop, 2}, {OpKind::kFileWrite, 1}};
  for (RunFn run : kEverySystem) {
    const BenchResult result = run(spec, nullptr, kNever);
    ASSERT_FALSE(result.error) << result.error->message();
    ASSERT_EQ(result.stats.kind_names,
              (std::vector<std::string>{"file-read", "socket", "nop", "file-write"}));
    uint64_t total = 0;
    for (const OpStats& kind : result.stats.kinds) {
      EXPECT_GT(kind.ops, 300u);
      EXPECT_EQ(kind.expected, kind.ops);
      EXPECT_EQ(kind.latency.total_count(), kind.ops);
      total += kind.ops;
    }
    EXPECT_EQ(total, 6000u);
    EXPECT_EQ(result.stats.expected, 6000u);
    // About 3 in 7 ops are reads.
    EXPECT_NEAR(static_cast<double>(result.stats.kinds[0].ops) / 6000, 3.0 / 7, 0.05);
    EXPECT_EQ(result.stats.read_back.corrupt, 0u);
    EXPECT_GT(result.stats.read_back.blocks, 0u);
  }
}

TEST(OpenLoop, OpsAreIssuedAtTheRateAsked) {
  BenchSpec spec;
  spec.loop.size = 64;
  spec.drive = DriveSpec{.submitters = 2, .depth = 16, .ops = 3000, .rate = 10'000};
  for (RunFn run : kEverySystem) {
    const BenchResult result = run(spec, nullptr, kNever);
    ASSERT_FALSE(result.error);
    EXPECT_EQ(result.stats.ops, 3000u);
    EXPECT_EQ(result.stats.missed, 0u);
    // No op is issued before it is due: the last of 3000 at 10 k/s is due 299.9 ms in. (Only a
    // lower bound: a busy machine may take longer, never shorter.)
    EXPECT_GE(result.stats.elapsed_ns, 299'900'000);
    EXPECT_EQ(result.stats.service.total_count(), result.stats.ops);
    EXPECT_LE(result.stats.service.value_at_percentile(50),
              result.stats.latency.value_at_percentile(50));
  }
}

TEST(OpenLoop, PoissonArrivalsAverageTheRate) {
  BenchSpec spec;
  spec.loop.size = 64;
  spec.drive = DriveSpec{
      .submitters = 1, .depth = 16, .ops = 2000, .rate = 20'000, .arrivals = Arrivals::kPoisson};
  for (RunFn run : kEverySystem) {
    const BenchResult result = run(spec, nullptr, kNever);
    ASSERT_FALSE(result.error);
    EXPECT_EQ(result.stats.ops, 2000u);
    // 2000 arrivals at 20 k/s are due over 100 ms on average (sd 2.2 ms), and none is issued
    // early. Only a lower bound: a busy machine may take longer.
    EXPECT_GT(result.stats.elapsed_ns, 80'000'000);
  }
}

TEST(OpenLoop, AnOpDueBeforeTheEndIsIssuedEvenIfTheThreadWakesAfterIt) {
  // A sustainable rate with 512 slots: no op waits for one unless the thread stalls for 100 ms
  // (64 slots were not enough under TSan on a loaded machine), so none may be missed. Each
  // short run ends between two arrivals; a timed wait oversleeps by tens of microseconds here,
  // so over 30 runs some arrival falls due just before the end and is reached just after it.
  BenchSpec spec;
  spec.loop.size = 512;
  spec.drive = DriveSpec{.submitters = 1,
                         .depth = 512,
                         .duration = 20ms,
                         .rate = 5000,
                         .arrivals = Arrivals::kPoisson};
  for (RunFn run : kEverySystem) {
    for (int i = 0; i < 30; ++i) {
      spec.workload.seed = 1000 + i;
      const BenchResult result = run(spec, nullptr, kNever);
      ASSERT_FALSE(result.error);
      EXPECT_EQ(result.stats.missed, 0u) << "seed " << spec.workload.seed;
      EXPECT_GT(result.stats.ops, 0u);
    }
  }
}

// 2 ms timers driven by `drive`: each op takes a known time, whatever the machine.
BenchSpec two_ms_timers(DriveSpec drive) {
  BenchSpec spec;
  spec.loop.size = 16;
  spec.workload.op = OpKind::kTimer;
  spec.workload.timer = 2ms;
  spec.drive = drive;
  return spec;
}

TEST(OpenLoop, AnOverloadShowsInResponseTimeNotServiceTime) {
  // 2 ms timers, at most 2 in flight: 1000 ops/s at best, asked for 5000 ops/s. Every op waits
  // for a slot, so response time grows through the run while service time stays ~2 ms.
  const BenchSpec spec =
      two_ms_timers(DriveSpec{.submitters = 1, .depth = 2, .duration = 300ms, .rate = 5000});
  for (RunFn run : kEverySystem) {
    const BenchResult result = run(spec, nullptr, kNever);
    ASSERT_FALSE(result.error);
    const RunStats& stats = result.stats;
    EXPECT_GT(stats.late, stats.ops / 2);
    // Service time stays near the 2 ms timer (a busy machine adds scheduling delays to it).
    EXPECT_LT(stats.service.value_at_percentile(99) * 4, stats.latency.value_at_percentile(99));
    EXPECT_GT(stats.latency.value_at_percentile(99), 100'000'000u);  // > 100 ms behind by the end
    EXPECT_GT(stats.missed, 500u);                                   // 1500 due, ~300 issued
    EXPECT_GT(stats.missed + stats.ops, 1400u);
  }
}

TEST(OpenLoop, AnOpDueWhileTheThreadWaitsForItsOnlySlotIsLate) {
  // 2 ms timers, one slot, an op due every 1.67 ms: each op after the first falls due while the
  // one before it still runs, also those due while the thread sleeps until that one ends.
  const BenchSpec spec =
      two_ms_timers(DriveSpec{.submitters = 1, .depth = 1, .ops = 60, .rate = 600});
  for (RunFn run : kEverySystem) {
    const BenchResult result = run(spec, nullptr, kNever);
    ASSERT_FALSE(result.error);
    EXPECT_EQ(result.stats.ops, 60u);
    EXPECT_EQ(result.stats.late, 59u);
  }
}

TEST(OpenLoop, AnOverloadAfterTheWarmUpIsMeasuredAtTheRateTheLoopKeepsUp) {
  // Overloaded 5x from the start (2 ms timers, 2 slots, 5000 ops/s asked): by the end of a
  // 100 ms warm-up the thread is 80 ms behind its schedule and it never catches up, so every op
  // it issues after the warm-up was due in it. Those are the measured ones: the loop is seen
  // doing as much as a closed loop does, not only the ops due after the warm-up (none here).
  const BenchSpec spec = two_ms_timers(
      DriveSpec{.submitters = 1, .depth = 2, .duration = 300ms, .warmup = 100ms, .rate = 5000});
  BenchSpec closed = spec;
  closed.drive.rate = 0;
  for (RunFn run : kEverySystem) {
    const BenchResult open_result = run(spec, nullptr, kNever);
    const BenchResult closed_result = run(closed, nullptr, kNever);
    ASSERT_FALSE(open_result.error);
    ASSERT_FALSE(closed_result.error);
    const RunStats& stats = open_result.stats;
    EXPECT_GT(stats.ops * 2, closed_result.stats.ops)
        << stats.ops << " vs closed " << closed_result.stats.ops;
    EXPECT_EQ(stats.late, stats.ops);
    // Each measured op waited since its due time in the warm-up.
    EXPECT_GT(stats.latency.min(), 50'000'000u);
  }
}

// Fixed files (FileSpec::fixed_files): a source names its files by their index in the ring's
// table, and the harness registers every source's files on the loop's ring and the raw ring.
TEST(FixedFiles, ASourceNamesItsFilesByTheirIndexOnceTold) {
  LaidOutFile file(4 * 4096);
  auto source = file_source(OpKind::kFileRead, file, 4);
  ASSERT_EQ(source->files().size(), 1u);
  Resources resources;
  io_uring_sqe sqe{};
  source->prepare(0, sqe, resources);
  EXPECT_EQ(sqe.flags & IOSQE_FIXED_FILE, 0);
  EXPECT_EQ(sqe.fd, source->files().front());
  source->use_fixed_files(3);
  sqe = io_uring_sqe{};
  source->prepare(0, sqe, resources);
  EXPECT_NE(sqe.flags & IOSQE_FIXED_FILE, 0);
  EXPECT_EQ(sqe.fd, 3);

  // A mix: each part's files in turn, the indexes following on.
  WorkloadSpec mixed;
  mixed.seed = 7;
  mixed.file = FileSpec{.path = file.path(), .size = 4 * 4096, .block_size = 4096};
  mixed.mix = {{OpKind::kFileRead, 1}, {OpKind::kNop, 1}, {OpKind::kFileWrite, 1}};
  auto mix = make_op_source(mixed, SourceContext{});
  ASSERT_EQ(mix->files().size(), 2u);
  mix->use_fixed_files(5);
  std::set<int> indexes;
  for (uint32_t i = 0; i < 64; ++i) {
    sqe = io_uring_sqe{};
    mix->prepare(0, sqe, resources);
    if (sqe.opcode != IORING_OP_NOP) {
      EXPECT_NE(sqe.flags & IOSQE_FIXED_FILE, 0);
      indexes.insert(sqe.fd);
    }
  }
  EXPECT_EQ(indexes, (std::set<int>{5, 6}));
}

// An op that names an index the ring has no file at fails with EBADF, so every op ending as
// expected shows the table was registered and used, on every system.
TEST(FixedFiles, ReadsAndWritesThroughTheRingsTableAreChecked) {
  LaidOutFile file(1 << 20);
  for (OpKind op : {OpKind::kFileRead, OpKind::kFileWrite}) {
    BenchSpec spec = file_spec(op, file.path(), 1 << 20, 2000);
    spec.workload.file.random = true;
    spec.workload.file.fixed_files = true;
    spec.drive.submitters = 2;  // two sources, two files in the table
    for (RunFn run : kEverySystem) {
      const BenchResult result = run(spec, nullptr, kNever);
      ASSERT_FALSE(result.error) << result.error->message();
      EXPECT_EQ(result.stats.expected, 2000u) << op_kind_name(op);
      EXPECT_EQ(result.stats.corrupt, 0u);
      EXPECT_EQ(result.stats.read_back.corrupt, 0u);
      // Each source's file: one per submitter, and the raw ring's one source.
      EXPECT_EQ(result.ring.registered_files, run == &run_raw_bench ? 1u : 2u);
    }
  }
}

TEST(FixedFiles, AFileTheKernelCannotTakeFailsTheRingWithTheRegistration) {
  LoopConfig config;
  config.fixed_files = {1 << 20};  // no such descriptor
  io_uring ring{};
  io_uring_params params{};
  const std::optional<LoopError> error = init_ring(ring, params, 8, config, "raw ring");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->call, "io_uring_register");
  EXPECT_EQ(error->error, EBADF);
  // Before 5.19 (no sparse tables) the files are registered at once.
  EXPECT_TRUE(error->detail == "raw ring: REGISTER_FILES_UPDATE of 1 file(s)" ||
              error->detail == "raw ring: REGISTER_FILES of 1 file(s)")
      << error->detail;
}

// Fixed buffers (FileSpec::fixed_buffers): each slot reads into and writes from a buffer of its
// own that the harness registers with the ring; the op names it by index (READ_FIXED,
// WRITE_FIXED) and the read is judged from it.
TEST(FixedBuffers, ASlotUsesItsOwnBufferByItsIndexOnceTold) {
  LaidOutFile file(4 * 4096);
  WorkloadSpec spec;
  spec.op = OpKind::kFileRead;
  spec.seed = 7;
  spec.file = FileSpec{.path = file.path(), .size = 4 * 4096, .block_size = 4096};
  spec.file.fixed_buffers = true;
  auto source = make_op_source(spec, SourceContext{.index = 0, .count = 1, .slots = 4});
  const std::vector<iovec> buffers = source->buffers();
  ASSERT_EQ(buffers.size(), 4u);
  EXPECT_EQ(buffers[1].iov_len, 4096u);
  source->use_fixed_buffers(2);
  Resources resources;
  io_uring_sqe sqe{};
  source->prepare(1, sqe, resources);
  EXPECT_EQ(sqe.opcode, IORING_OP_READ_FIXED);
  EXPECT_EQ(sqe.buf_index, 3);
  EXPECT_EQ(sqe.addr, reinterpret_cast<uint64_t>(buffers[1].iov_base));
}

TEST(FixedBuffers, ReadsAndWritesThroughRegisteredBuffersAreChecked) {
  LaidOutFile file(1 << 20);
  for (OpKind op : {OpKind::kFileRead, OpKind::kFileWrite}) {
    BenchSpec spec = file_spec(op, file.path(), 1 << 20, 2000);
    spec.workload.file.random = true;
    spec.workload.file.fixed_buffers = true;
    spec.workload.file.fixed_files = op == OpKind::kFileWrite;  // the two together too
    spec.drive.submitters = 2;
    for (RunFn run : kEverySystem) {
      const BenchResult result = run(spec, nullptr, kNever);
      ASSERT_FALSE(result.error) << result.error->message();
      EXPECT_EQ(result.stats.expected, 2000u) << op_kind_name(op);
      EXPECT_EQ(result.stats.corrupt, 0u);
      EXPECT_EQ(result.stats.read_back.corrupt, 0u);
      // A buffer per slot: 2 submitters x depth 8, or the raw ring's 16 in flight.
      EXPECT_EQ(result.ring.registered_buffers, 16u);
    }
  }
}

// Judged from the slot's registered buffer: a damaged block is found there as anywhere.
TEST(FixedBuffers, ABlockThatDoesNotHoldItsPatternIsCountedCorrupt) {
  LaidOutFile file(64 * 4096);
  file.scribble(5 * 4096 + 700, 10);
  BenchSpec spec = file_spec(OpKind::kFileRead, file.path(), 64 * 4096, 640);
  spec.workload.file.fixed_buffers = true;
  for (RunFn run : kEverySystem) {
    const BenchResult result = run(spec, nullptr, kNever);
    ASSERT_FALSE(result.error);
    EXPECT_EQ(result.stats.corrupt, 10u);
    EXPECT_EQ(result.stats.expected, 630u);
  }
}

}  // namespace
}  // namespace iob
