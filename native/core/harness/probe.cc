// probe_kernel(): how each fact of probe.h is found. Setup flags, opcodes and register opcodes
// are asked of the kernel with raw system calls (liburing 2.3 cannot name or map what newer
// kernels offer); behaviour tests use liburing rings, each its own, torn down before the next.
// Nothing here interprets a result beyond "seen as documented" (BehaviourTest::works).
#include "harness/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <exception>
#include <string_view>

#include "clock.h"
#include "fd.h"
#include "harness/uring_compat.h"
#include "loop/ring_memory.h"
#include "uring_names.h"

namespace iob {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Small rings: the probe asks whether something is accepted, not how fast it is.
constexpr uint32_t kTrialEntries = 8;
// How long a behaviour test waits for a CQE the kernel should post at once. Generous, because
// qemu's TCG runs guests 20-30x slower; only a kernel that misbehaves ever waits this long.
constexpr auto kCqeDeadline = 2s;
// The bounded waits the behaviour tests ask the kernel for.
constexpr auto kExtArgTimeout = 5ms;
constexpr auto kLinkTimeout = 10ms;

// Each IORING_SETUP_* bit the name table knows, tried alone where the kernel allows it alone and
// otherwise with what it requires (SQ_AFF needs SQPOLL, TASKRUN_FLAG a task-run mode,
// DEFER_TASKRUN SINGLE_ISSUER, REGISTERED_FD_ONLY NO_MMAP, HYBRID_IOPOLL IOPOLL, SQ_REWIND
// NO_SQARRAY), plus CQSIZE|CLAMP. probe_test checks that every named bit is covered.
constexpr uint32_t kTrialFlagSets[] = {
    IORING_SETUP_IOPOLL,
    IORING_SETUP_SQPOLL,
    IORING_SETUP_SQPOLL | IORING_SETUP_SQ_AFF,
    IORING_SETUP_CQSIZE,
    IORING_SETUP_CLAMP,
    IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP,
    IORING_SETUP_ATTACH_WQ,
    IORING_SETUP_R_DISABLED,
    IORING_SETUP_SUBMIT_ALL,
    IORING_SETUP_COOP_TASKRUN,
    IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG,
    IORING_SETUP_SQE128,
    IORING_SETUP_CQE32,
    IORING_SETUP_SINGLE_ISSUER,
    IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
    IORING_SETUP_NO_MMAP,
    IORING_SETUP_NO_MMAP | IORING_SETUP_REGISTERED_FD_ONLY,
    IORING_SETUP_NO_SQARRAY,
    IORING_SETUP_IOPOLL | IORING_SETUP_HYBRID_IOPOLL,
    IORING_SETUP_CQE_MIXED,
    IORING_SETUP_SQE_MIXED,
    IORING_SETUP_NO_SQARRAY | IORING_SETUP_SQ_REWIND,
};

// The kernel's SQ size limit (IORING_MAX_ENTRIES, 32768 since 5.4): the largest power of two
// it should accept without CLAMP, and the next one, which it should refuse.
constexpr uint32_t kEntryLimitTrials[] = {32768, 65536};

// user_data of the behaviour tests' SQEs; the role names what each one was in the report.
enum : uint64_t { kPoll = 1, kPollRemove, kRecv, kLinkTimeoutSqe };

const char* role_of(uint64_t user_data) {
  switch (user_data) {
    case kPoll:
      return "poll";
    case kPollRemove:
      return "poll_remove";
    case kRecv:
      return "recv";
    case kLinkTimeoutSqe:
      return "link_timeout";
    default:
      return "unexpected";
  }
}

int64_t micros_since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

void sleep_briefly() {
  const timespec one_ms{0, 1'000'000};
  nanosleep(&one_ms, nullptr);
}

// Raw system calls: the probe needs the kernel's own answer for flags and opcodes liburing 2.3
// has never heard of, and rings it does not mmap.
int sys_io_uring_setup(uint32_t entries, io_uring_params* params) {
  return static_cast<int>(syscall(__NR_io_uring_setup, entries, params));
}

int sys_io_uring_register(int fd, unsigned opcode, void* arg, unsigned nr_args) {
  int ret = 0;
  do {
    // EINTR: older kernels (5.10 among them) quiesce the ring for most register opcodes, and
    // wait for that interruptibly.
    ret = static_cast<int>(syscall(__NR_io_uring_register, fd, opcode, arg, nr_args));
  } while (ret < 0 && errno == EINTR);
  return ret;
}

int sys_io_uring_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags, void* arg,
                       size_t arg_size) {
  return static_cast<int>(
      syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, arg, arg_size));
}

// ---------------------------------------------------------------------------------------------
// Files under /proc

struct FileText {
  std::string text;
  int error = 0;
};

FileText read_small_file(const char* path) {
  FileText file;
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    file.error = errno;
    return file;
  }
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got > 0) {
      file.text.append(buffer, static_cast<size_t>(got));
    } else if (got == 0) {
      break;
    } else if (errno != EINTR) {
      file.error = errno;
      break;
    }
  }
  return file;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\n");
  if (first == std::string_view::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\n");
  return text.substr(first, last - first + 1);
}

template <typename Number>
std::optional<Number> parse_number(std::string_view text, int base = 10) {
  text = trim(text);
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// The value of `Key:` in a /proc status file.
std::optional<std::string_view> status_field(std::string_view status, std::string_view key) {
  size_t line_start = 0;
  while (line_start < status.size()) {
    size_t line_end = status.find('\n', line_start);
    if (line_end == std::string_view::npos) {
      line_end = status.size();
    }
    const std::string_view line = status.substr(line_start, line_end - line_start);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ':') {
      return trim(line.substr(key.size() + 1));
    }
    line_start = line_end + 1;
  }
  return std::nullopt;
}

std::optional<uint64_t> limit_value(rlim_t limit) {
  if (limit == RLIM_INFINITY) {
    return std::nullopt;
  }
  return static_cast<uint64_t>(limit);
}

// ---------------------------------------------------------------------------------------------
// Rings

// Anonymous page-aligned memory, unmapped when destroyed.
class Mapping {
 public:
  explicit Mapping(size_t bytes)
      : bytes_(bytes),
        address_(mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) {
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() {
    if (valid()) {
      munmap(address_, bytes_);
    }
  }
  bool valid() const { return address_ != MAP_FAILED; }
  uint64_t address(size_t offset = 0) const {
    return reinterpret_cast<uint64_t>(address_) + offset;
  }

 private:
  size_t bytes_;
  void* address_;
};

// A CQE copied out of the ring (io_uring_cqe itself ends in a flexible array).
struct Cqe {
  uint64_t user_data;
  int32_t res;
  uint32_t flags;
};

// A liburing ring for one behaviour test.
class TestRing {
 public:
  explicit TestRing(uint32_t flags) : flags_(flags) {
    io_uring_params params{};
    params.flags = flags;
    const int ret = io_uring_queue_init_params(kTrialEntries, &ring_, &params);
    outcome_.error = ret < 0 ? -ret : 0;
    if (ret == 0) {
      ring_mapped(ring_);
    }
    ext_arg_ = (params.features & IORING_FEAT_EXT_ARG) != 0;
  }
  TestRing(const TestRing&) = delete;
  TestRing& operator=(const TestRing&) = delete;
  ~TestRing() {
    if (outcome_.ok()) {
      exit_ring(ring_);
    }
  }

  Outcome outcome() const { return outcome_; }
  int fd() const { return ring_.ring_fd; }

  // Tests stage at most two SQEs between submits on a ring of eight, so one is always free.
  io_uring_sqe* sqe(uint64_t user_data) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    io_uring_sqe_set_data64(sqe, user_data);
    return sqe;
  }

  // Returns 0 or a negative errno.
  int submit() {
    const int ret = io_uring_submit(&ring_);
    return ret < 0 ? ret : 0;
  }

  // The next CQE, consumed; std::nullopt once `deadline` has passed.
  std::optional<Cqe> next_cqe(Clock::time_point deadline) {
    for (;;) {
      io_uring_cqe* cqe = nullptr;
      if (io_uring_peek_cqe(&ring_, &cqe) == 0 && cqe != nullptr) {
        const Cqe copy{cqe->user_data, cqe->res, cqe->flags};
        io_uring_cqe_seen(&ring_, cqe);
        return copy;
      }
      const auto now = Clock::now();
      if (now >= deadline) {
        return std::nullopt;
      }
      int ret = 0;
      if (ext_arg_) {
        // A wait bounded by the kernel itself: no timeout SQE that could outlive the test.
        // Lifetime: the kernel reads `arg` and `ts` during this call only.
        __kernel_timespec ts = to_kernel_timespec(std::min<Clock::duration>(deadline - now, 50ms));
        io_uring_getevents_arg arg{};
        arg.ts = reinterpret_cast<uint64_t>(&ts);
        ret = sys_io_uring_enter(fd(), 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg,
                                 sizeof arg);
      } else {
        // Runs pending task work, which is what posts poll CQEs, without blocking.
        ret = sys_io_uring_enter(fd(), 0, 0, IORING_ENTER_GETEVENTS, nullptr, 0);
        sleep_briefly();
      }
      // An IOPOLL ring's wait returns at once when nothing is on its poll list.
      if (ret >= 0 && (flags_ & IORING_SETUP_IOPOLL) != 0) {
        sleep_briefly();
      }
    }
  }

 private:
  const uint32_t flags_;
  io_uring ring_{};
  Outcome outcome_;
  bool ext_arg_ = false;
};

bool has_more(const Cqe& cqe) { return (cqe.flags & IORING_CQE_F_MORE) != 0; }

std::string describe_result(int64_t result) {
  return result < 0 ? errno_name(static_cast<int>(-result)) : std::to_string(result);
}

// Collects one behaviour test's result.
class TestRecord {
 public:
  explicit TestRecord(uint32_t ring_flags) : started_(Clock::now()) {
    test_.ring_flags = ring_flags;
  }

  // Records the setup of the test's ring; returns whether the test can run.
  bool set_ring(Outcome ring) {
    test_.ring = ring;
    return ring.ok();
  }

  void event(ProbeEvent event) { test_.events.push_back(std::move(event)); }
  void event(const Cqe& cqe) { event(ProbeEvent{role_of(cqe.user_data), cqe.res, cqe.flags}); }

  // Ends the test: it works when there is nothing to report (`detail` empty).
  BehaviourTest finish(std::string detail) {
    test_.works = detail.empty();
    test_.detail = std::move(detail);
    test_.elapsed_us = micros_since(started_);
    return std::move(test_);
  }

 private:
  const Clock::time_point started_;
  BehaviourTest test_;
};

// ---------------------------------------------------------------------------------------------
// The probe

class KernelProber {
 public:
  ProbeReport run() {
    const auto started = Clock::now();
    report_.header_op_last = IORING_OP_LAST;
    read_kernel_identity();
    read_environment();
    query();
    report_.setup = try_setup(0, kTrialEntries);
    if (report_.setup.outcome.ok()) {
      probe_with_rings();
    }
    report_.elapsed_us = micros_since(started);
    return std::move(report_);
  }

 private:
  void error(std::string message) { report_.errors.push_back(std::move(message)); }

  // A /proc file that may legitimately be absent (older kernels); other failures are errors.
  std::optional<std::string> read_optional(const char* path) {
    FileText file = read_small_file(path);
    if (file.error == 0) {
      return std::string(trim(file.text));
    }
    if (file.error != ENOENT) {
      error(std::string(path) + ": " + errno_name(file.error));
    }
    return std::nullopt;
  }

  template <typename Number>
  std::optional<Number> read_optional_number(const char* path) {
    const auto text = read_optional(path);
    if (!text) {
      return std::nullopt;
    }
    const auto number = parse_number<Number>(*text);
    if (!number) {
      error(std::string(path) + ": not a number: " + *text);
    }
    return number;
  }

  void read_kernel_identity() {
    utsname names{};
    if (uname(&names) != 0) {
      error("uname: " + errno_name(errno));
      return;
    }
    KernelIdentity& kernel = report_.kernel;
    kernel.sysname = names.sysname;
    kernel.release = names.release;
    kernel.version = names.version;
    kernel.machine = names.machine;
    kernel.version_signature = read_optional("/proc/version_signature");
  }

  void read_environment() {
    Environment& env = report_.environment;
    env.io_uring_disabled = read_optional_number<int>("/proc/sys/kernel/io_uring_disabled");
    env.io_uring_group = read_optional_number<int64_t>("/proc/sys/kernel/io_uring_group");

    // This thread's view: seccomp filters and capabilities are per thread.
    FileText status = read_small_file("/proc/thread-self/status");
    if (status.error == ENOENT) {
      status = read_small_file("/proc/self/status");  // before 3.17
    }
    if (status.error != 0) {
      error("/proc/thread-self/status: " + errno_name(status.error));
    } else {
      const auto number_field = [&](std::string_view key, int base) -> std::optional<uint64_t> {
        const auto text = status_field(status.text, key);
        return text ? parse_number<uint64_t>(*text, base) : std::nullopt;
      };
      if (const auto mode = number_field("Seccomp", 10)) {
        env.seccomp_mode = static_cast<int>(*mode);
      }
      if (const auto filters = number_field("Seccomp_filters", 10)) {
        env.seccomp_filters = static_cast<int>(*filters);
      }
      if (const auto no_new_privs = number_field("NoNewPrivs", 10)) {
        env.no_new_privs = *no_new_privs != 0;
      }
      env.cap_effective = number_field("CapEff", 16);
    }

    env.uid = getuid();
    env.euid = geteuid();
    env.gid = getgid();
    env.egid = getegid();
    const int group_count = getgroups(0, nullptr);
    if (group_count > 0) {
      env.groups.resize(static_cast<size_t>(group_count));
      const int got = getgroups(group_count, env.groups.data());
      env.groups.resize(static_cast<size_t>(std::max(got, 0)));
    }
    rlimit memlock{};
    if (getrlimit(RLIMIT_MEMLOCK, &memlock) == 0) {
      env.memlock_soft = limit_value(memlock.rlim_cur);
      env.memlock_hard = limit_value(memlock.rlim_max);
    } else {
      error("getrlimit(RLIMIT_MEMLOCK): " + errno_name(errno));
    }
  }

  void query() {
    uring_compat::QueryOpcodes answer{};
    uring_compat::QueryHeader header{};
    // Lifetime: the kernel reads and writes `header` and `answer` during the call only.
    header.query_data = reinterpret_cast<uint64_t>(&answer);
    header.query_op = uring_compat::kQueryOpcodes;
    header.size = sizeof answer;
    // fd -1: the query needs no ring. Older kernels answer EBADF (no such fd) or EINVAL
    // (opcode past IORING_REGISTER_LAST).
    if (sys_io_uring_register(-1, uring_compat::kRegisterQuery, &header, 0) < 0) {
      report_.query.outcome.error = errno;
      return;
    }
    if (header.result < 0) {
      report_.query.outcome.error = -header.result;
      return;
    }
    report_.query.answer =
        QueryAnswer{answer.nr_request_opcodes, answer.nr_register_opcodes, answer.feature_flags,
                    answer.ring_setup_flags,   answer.enter_flags,         answer.sqe_flags};
    report_.register_ops.by_query = answer.nr_register_opcodes;
  }

  void probe_with_rings() {
    // The plain ring stays open as the ring ATTACH_WQ attaches to and PROBE asks.
    io_uring_params params{};
    UniqueFd anchor(sys_io_uring_setup(kTrialEntries, &params));
    if (!anchor.valid()) {
      error("io_uring_setup of the anchor ring: " + errno_name(errno));
      return;
    }
    probe_opcodes(anchor.get());
    for (const uint32_t flags : kTrialFlagSets) {
      report_.setup_trials.push_back(try_setup(flags, kTrialEntries, anchor.get()));
    }
    for (const uint32_t entries : kEntryLimitTrials) {
      report_.setup_trials.push_back(try_setup(0, entries));
    }
    count_register_ops_by_restrictions();
    report_.multishot_poll = multishot_poll_test(0);
    report_.multishot_poll_single_issuer =
        multishot_poll_test(IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN);
    report_.ext_arg_wait = ext_arg_wait_test();
    report_.link_timeout = link_timeout_test();
    report_.iopoll_poll_add = iopoll_poll_add_test();
  }

  // io_uring_setup with `flags` on a real ring, given what each flag needs, then torn down.
  SetupTrial try_setup(uint32_t flags, uint32_t entries, int attach_to = -1) {
    SetupTrial trial{.flags = flags, .entries = entries};
    io_uring_params params{};
    params.flags = flags;
    if ((flags & IORING_SETUP_CQSIZE) != 0) {
      // With CLAMP, a CQ far beyond the kernel's maximum must be clamped, not refused.
      params.cq_entries = (flags & IORING_SETUP_CLAMP) != 0 ? 1u << 24 : entries * 4;
      trial.cq_entries = params.cq_entries;
    }
    if ((flags & IORING_SETUP_SQ_AFF) != 0) {
      params.sq_thread_cpu = static_cast<uint32_t>(std::max(sched_getcpu(), 0));
    }
    if ((flags & IORING_SETUP_ATTACH_WQ) != 0) {
      params.wq_fd = static_cast<uint32_t>(attach_to);
    }
    // NO_MMAP rings live in memory the caller provides: one page for the SQ/CQ rings, one for
    // the SQEs, ample for 8 entries.
    // Lifetime: the kernel pins these pages for as long as the ring exists. `memory` is
    // unmapped only after the ring's fd is gone; pages the kernel still pins stay its own
    // until it drops them, so it can never write into memory this process reuses.
    std::optional<Mapping> memory;
    if ((flags & IORING_SETUP_NO_MMAP) != 0) {
      const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
      memory.emplace(2 * page);
      if (!memory->valid()) {
        error("mmap for a NO_MMAP ring: " + errno_name(errno));
        trial.outcome.error = ENOMEM;
        return trial;
      }
      uring_compat::set_user_addr(params.cq_off, memory->address());
      uring_compat::set_user_addr(params.sq_off, memory->address(page));
    }

    const int fd = sys_io_uring_setup(entries, &params);
    if (fd < 0) {
      trial.outcome.error = errno;
      return trial;
    }
    trial.sq_entries_granted = params.sq_entries;
    trial.cq_entries_granted = params.cq_entries;
    trial.features = params.features;
    if ((flags & IORING_SETUP_REGISTERED_FD_ONLY) != 0) {
      // The kernel returned an index into this task's registered rings, not an fd: dropping
      // that registration drops the ring.
      io_uring_rsrc_update update{};
      update.offset = static_cast<uint32_t>(fd);
      if (sys_io_uring_register(fd, IORING_UNREGISTER_RING_FDS | uring_compat::kUseRegisteredRing,
                                &update, 1) != 1) {
        error("unregistering a REGISTERED_FD_ONLY ring: " + errno_name(errno));
      }
    } else {
      ::close(fd);
    }
    return trial;
  }

  void probe_opcodes(int ring_fd) {
    // io_uring_probe ends in a flexible array; the kernel fills at most 256 entries and refuses
    // a buffer that is not all zero.
    constexpr unsigned kMaxOps = 256;
    std::vector<uint64_t> storage(
        (sizeof(io_uring_probe) + kMaxOps * sizeof(io_uring_probe_op)) / sizeof(uint64_t) + 1);
    auto* probe = reinterpret_cast<io_uring_probe*>(storage.data());
    OpcodeProbe& result = report_.opcodes.emplace();
    // Lifetime: the kernel writes `probe` during the call only.
    if (sys_io_uring_register(ring_fd, IORING_REGISTER_PROBE, probe, kMaxOps) < 0) {
      result.outcome.error = errno;
      return;
    }
    result.last_op = probe->last_op;
    result.ops_len = probe->ops_len;
    for (uint32_t i = 0; i < probe->ops_len; ++i) {
      if ((probe->ops[i].flags & IO_URING_OP_SUPPORTED) != 0) {
        result.supported.push_back(probe->ops[i].op);
      }
    }
  }

  // See RegisterOpsProbe in probe.h for why this finds IORING_REGISTER_LAST.
  void count_register_ops_by_restrictions() {
    RegisterOpsProbe& result = report_.register_ops;
    Outcome& outcome = result.restrictions_outcome.emplace();
    const auto started = Clock::now();
    UniqueFd ring;
    // Whether a restriction naming register opcode `op` is accepted; std::nullopt (with the
    // errno in restrictions_outcome) when the question cannot be asked.
    const auto accepted = [&](uint32_t op) -> std::optional<bool> {
      if (!ring.valid()) {
        io_uring_params params{};
        params.flags = IORING_SETUP_R_DISABLED;
        ring.reset(sys_io_uring_setup(1, &params));
        if (!ring.valid()) {
          outcome.error = errno;
          return std::nullopt;
        }
      }
      io_uring_restriction restriction{};
      restriction.opcode = IORING_RESTRICTION_REGISTER_OP;
      restriction.register_op = static_cast<uint8_t>(op);
      // Lifetime: the kernel copies `restriction` during the call.
      if (sys_io_uring_register(ring.get(), IORING_REGISTER_RESTRICTIONS, &restriction, 1) == 0) {
        // A ring takes one restriction set; the next question needs a fresh ring.
        ring.reset();
        return true;
      }
      if (errno == EINVAL) {
        return false;  // a refused set is forgotten, so this ring can be asked again
      }
      outcome.error = errno;
      return std::nullopt;
    };

    // Any kernel with restrictions knows the restrictions opcode itself.
    uint32_t known = IORING_REGISTER_RESTRICTIONS;
    const auto baseline = accepted(known);
    if (!baseline || !*baseline) {
      if (baseline) {
        outcome.error = EINVAL;
      }
      result.elapsed_us = micros_since(started);
      return;
    }
    uint32_t unknown = 256;  // register_op is a __u8: 256 is never a known opcode
    while (unknown - known > 1) {
      const uint32_t middle = known + (unknown - known) / 2;
      const auto answer = accepted(middle);
      if (!answer) {
        result.elapsed_us = micros_since(started);
        return;
      }
      (*answer ? known : unknown) = middle;
    }
    result.by_restrictions = unknown;
    result.elapsed_us = micros_since(started);
  }

  // ---------------------------------------------------------------------------------------
  // Behaviour tests. Each returns with its ring torn down and nothing of its own in flight.

  BehaviourTest multishot_poll_test(uint32_t ring_flags) {
    TestRecord record(ring_flags);
    TestRing ring(ring_flags);
    if (!record.set_ring(ring.outcome())) {
      return record.finish("ring refused: " + errno_name(ring.outcome().error));
    }
    UniqueFd event_fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!event_fd.valid()) {
      return record.finish("eventfd: " + errno_name(errno));
    }

    io_uring_prep_poll_multishot(ring.sqe(kPoll), event_fd.get(), POLLIN);
    if (const int ret = ring.submit(); ret < 0) {
      return record.finish("submit POLL_ADD: " + errno_name(-ret));
    }
    for (int write_number = 1; write_number <= 2; ++write_number) {
      const std::string which = "eventfd write " + std::to_string(write_number);
      const uint64_t one = 1;
      if (::write(event_fd.get(), &one, sizeof one) != sizeof one) {
        return record.finish(which + ": " + errno_name(errno));
      }
      const auto cqe = ring.next_cqe(Clock::now() + kCqeDeadline);
      if (!cqe) {
        return record.finish("no CQE for " + which);
      }
      record.event(*cqe);
      uint64_t drained = 0;
      (void)::read(event_fd.get(), &drained, sizeof drained);
      if (cqe->user_data != kPoll || cqe->res < 0 || (cqe->res & POLLIN) == 0) {
        return record.finish(which + " gave " + role_of(cqe->user_data) + " " +
                             describe_result(cqe->res));
      }
      if (!has_more(*cqe)) {
        return record.finish(which + ": CQE without IORING_CQE_F_MORE, the poll was not multishot");
      }
    }

    io_uring_prep_poll_remove(ring.sqe(kPollRemove), kPoll);
    if (const int ret = ring.submit(); ret < 0) {
      return record.finish("submit POLL_REMOVE: " + errno_name(-ret));
    }
    // The remove's own CQE and the poll's last one come in either order: 5.10 and 6.1 post the
    // cancelled poll first, 6.12 and later the remove.
    bool poll_ended = false;
    bool removed = false;
    while (!(poll_ended && removed)) {
      const auto cqe = ring.next_cqe(Clock::now() + kCqeDeadline);
      if (!cqe) {
        return record.finish(poll_ended ? "no CQE for the POLL_REMOVE"
                                        : "no final CQE for the cancelled poll");
      }
      record.event(*cqe);
      if (cqe->user_data == kPoll) {
        if (cqe->res != -ECANCELED || has_more(*cqe)) {
          return record.finish("cancelled poll ended with " + describe_result(cqe->res) +
                               (has_more(*cqe) ? " and IORING_CQE_F_MORE" : ""));
        }
        poll_ended = true;
      } else {
        if (cqe->res != 0) {
          return record.finish("POLL_REMOVE gave " + describe_result(cqe->res));
        }
        removed = true;
      }
    }
    return record.finish("");
  }

  BehaviourTest ext_arg_wait_test() {
    TestRecord record(0);
    TestRing ring(0);
    if (!record.set_ring(ring.outcome())) {
      return record.finish("ring refused: " + errno_name(ring.outcome().error));
    }
    // Nothing in flight, nothing to submit: only the timeout can end this wait.
    // Lifetime: the kernel reads `arg` and `ts` during the call only.
    __kernel_timespec ts = to_kernel_timespec(kExtArgTimeout);
    io_uring_getevents_arg arg{};
    arg.ts = reinterpret_cast<uint64_t>(&ts);
    const auto started = Clock::now();
    int ret = 0;
    do {
      ret = sys_io_uring_enter(ring.fd(), 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg,
                               sizeof arg);
    } while (ret < 0 && errno == EINTR);
    const int64_t result = ret < 0 ? -errno : ret;
    const auto waited = Clock::now() - started;
    record.event(ProbeEvent{"io_uring_enter", result, 0});
    if (result != -ETIME) {
      return record.finish("io_uring_enter returned " + describe_result(result) + ", not ETIME");
    }
    if (waited < kExtArgTimeout) {
      return record.finish("ETIME before the timeout had passed");
    }
    return record.finish("");
  }

  BehaviourTest link_timeout_test() {
    TestRecord record(0);
    // Declared before the ring, so it outlives the ring's teardown. Lifetime: nothing is ever
    // sent to the peer socket, so the kernel never writes `buffer`; a recv still pending when
    // the sockets close ends with 0 bytes.
    char buffer[16];
    TestRing ring(0);
    if (!record.set_ring(ring.outcome())) {
      return record.finish("ring refused: " + errno_name(ring.outcome().error));
    }
    int sockets[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
      return record.finish("socketpair: " + errno_name(errno));
    }
    UniqueFd idle(sockets[0]);
    UniqueFd peer(sockets[1]);

    io_uring_sqe* recv = ring.sqe(kRecv);
    io_uring_prep_recv(recv, idle.get(), buffer, sizeof buffer, 0);
    recv->flags |= IOSQE_IO_LINK;
    // Lifetime: the kernel copies the timespec when it takes the SQE, during submit().
    __kernel_timespec timeout = to_kernel_timespec(kLinkTimeout);
    io_uring_prep_link_timeout(ring.sqe(kLinkTimeoutSqe), &timeout, 0);
    if (const int ret = ring.submit(); ret < 0) {
      return record.finish("submit: " + errno_name(-ret));
    }
    std::optional<int32_t> recv_result;
    std::optional<int32_t> timeout_result;
    while (!recv_result || !timeout_result) {
      const auto cqe = ring.next_cqe(Clock::now() + kCqeDeadline);
      if (!cqe) {
        return record.finish(recv_result ? "no CQE for the LINK_TIMEOUT" : "the recv never ended");
      }
      record.event(*cqe);
      (cqe->user_data == kRecv ? recv_result : timeout_result) = cqe->res;
    }
    if (*recv_result != -ECANCELED || *timeout_result != -ETIME) {
      return record.finish("recv ended " + describe_result(*recv_result) + " and the timeout " +
                           describe_result(*timeout_result) + ", not ECANCELED and ETIME");
    }
    return record.finish("");
  }

  BehaviourTest iopoll_poll_add_test() {
    TestRecord record(IORING_SETUP_IOPOLL);
    TestRing ring(IORING_SETUP_IOPOLL);
    if (!record.set_ring(ring.outcome())) {
      return record.finish("ring refused: " + errno_name(ring.outcome().error));
    }
    // Already readable, so a poll the kernel accepts completes at once.
    UniqueFd event_fd(eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!event_fd.valid()) {
      return record.finish("eventfd: " + errno_name(errno));
    }
    io_uring_prep_poll_add(ring.sqe(kPoll), event_fd.get(), POLLIN);
    if (const int ret = ring.submit(); ret < 0) {
      return record.finish("submit: " + errno_name(-ret));
    }
    const auto cqe = ring.next_cqe(Clock::now() + kCqeDeadline);
    if (!cqe) {
      return record.finish("no CQE");
    }
    record.event(*cqe);
    if (cqe->res <= 0 || (cqe->res & POLLIN) == 0) {
      return record.finish("POLL_ADD refused: " + describe_result(cqe->res));
    }
    return record.finish("");
  }

  ProbeReport report_;
};

}  // namespace

ProbeReport probe_kernel() noexcept {
  try {
    return KernelProber().run();
  } catch (const std::exception& e) {
    ProbeReport report;
    report.errors.push_back(std::string("probe aborted: ") + e.what());
    return report;
  }
}

}  // namespace iob
