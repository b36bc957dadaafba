// The kernel probe: that its JSON is valid and says what the report holds, that it finds what
// each release introduced (both on any kernel, including the qemu guests of the kernel matrix),
// the exact counts of the 6.18 development host, and that a seccomp filter refusing io_uring_setup
// shows up as the facts that name it.
#include <errno.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <utility>

#include "harness/probe.h"
#include "harness/uring_compat.h"
#include "helpers.h"
#include "json_lite.h"
#include "seccomp_filter.h"
#include "uring_names.h"

namespace iob {
namespace {

using json_lite::Value;

const Value* find_trial(const Value& probe, uint32_t flags, uint32_t entries = 8) {
  for (const Value& trial : probe["setupTrials"].array()) {
    if (trial["flags"].integer() == flags && trial["entries"].integer() == entries) {
      return &trial;
    }
  }
  return nullptr;
}

bool trial_accepted(const Value& probe, uint32_t flags, uint32_t entries = 8) {
  const Value* trial = find_trial(probe, flags, entries);
  return trial != nullptr && (*trial)["ok"].boolean();
}

TEST(Probe, ItsJsonIsValidAndSaysWhatTheReportHolds) {
  const ProbeReport report = probe_kernel();
  EXPECT_TRUE(report.errors.empty()) << report.errors.front();
  EXPECT_FALSE(report.kernel.release.empty());

  const std::string text = probe_to_json(report);
  Value probe;
  ASSERT_NO_THROW(probe = json_lite::parse(text)) << text;
  EXPECT_EQ(probe["rawProbeVersion"].integer(), kRawProbeVersion);
  EXPECT_EQ(probe["kernel"]["release"].string(), report.kernel.release);
  EXPECT_EQ(probe["kernel"]["version"].string(), report.kernel.version);
  EXPECT_EQ(probe["setup"]["ok"].boolean(), report.setup.outcome.ok());
  EXPECT_EQ(probe["setupTrials"].array().size(), report.setup_trials.size());
  EXPECT_EQ(probe["errors"].array().size(), report.errors.size());
  if (report.setup.outcome.ok()) {
    EXPECT_EQ(probe["features"]["mask"].integer(), report.setup.features);
    EXPECT_EQ(probe["opcodes"]["supported"].array().size(), report.opcodes->supported.size());
    EXPECT_EQ(probe["behaviour"]["multishotPoll"]["works"].boolean(), report.multishot_poll->works);
  } else {
    EXPECT_TRUE(probe["features"].is_null());
    EXPECT_TRUE(probe["opcodes"].is_null());
  }
}

// Every IORING_SETUP_* bit the name table knows is tried on a real ring, alone or with what it
// requires, so a kernel newer than the headers is still asked about each one.
TEST(Probe, TriesEveryNamedSetupFlagOnARealRing) {
  const ProbeReport report = probe_kernel();
  if (!report.setup.outcome.ok()) {
    GTEST_SKIP() << "io_uring_setup refused: " << errno_name(report.setup.outcome.error);
  }
  for (uint32_t bit = 0; bit < setup_flag_names().names().size(); ++bit) {
    const bool tried =
        std::any_of(report.setup_trials.begin(), report.setup_trials.end(),
                    [&](const SetupTrial& trial) { return (trial.flags & (1u << bit)) != 0; });
    EXPECT_TRUE(tried) << setup_flag_names().name(bit) << " is never tried";
  }
}

// The two ways of counting register opcodes must agree where a kernel offers both; where it
// lacks IORING_REGISTER_QUERY, the restrictions search still answers (5.10+).
TEST(Probe, RegisterOpcodeCountsAgree) {
  const ProbeReport report = probe_kernel();
  if (!report.setup.outcome.ok()) {
    GTEST_SKIP() << "io_uring_setup refused: " << errno_name(report.setup.outcome.error);
  }
  const RegisterOpsProbe& ops = report.register_ops;
  ASSERT_TRUE(ops.by_restrictions.has_value())
      << "restrictions search failed: " << errno_name(ops.restrictions_outcome->error);
  // Every kernel with restrictions also has ENABLE_RINGS, the opcode after it.
  EXPECT_GT(*ops.by_restrictions, uint32_t{IORING_REGISTER_ENABLE_RINGS});
  if (ops.by_query) {
    EXPECT_EQ(*ops.by_query, *ops.by_restrictions);
  }
}

// The running kernel's release as major * 100 + minor (6.18 -> 618), from uname.
int running_kernel() {
  utsname names{};
  int major = 0, minor = 0;
  if (uname(&names) != 0 || std::sscanf(names.release, "%d.%d", &major, &minor) != 2) {
    return 0;
  }
  return major * 100 + minor;
}

// What any kernel has from the release that introduced it: checked on every kernel the tests
// run on (the host and the kernel matrix's guests), each expectation from its first release on.
TEST(Probe, FindsWhatEachReleaseIntroducedOnAnyKernel) {
  const int kernel = running_kernel();
  ASSERT_GT(kernel, 0);
  const Value probe = json_lite::parse(probe_to_json(probe_kernel()));
  if (!probe["setup"]["ok"].boolean()) {
    GTEST_SKIP() << "io_uring_setup refused: " << probe["setup"]["error"].string();
  }
  const Value& opcodes = probe["opcodes"];
  EXPECT_EQ(opcodes["opsLen"].integer(), opcodes["lastOp"].integer() + 1);
  EXPECT_LE(opcodes["supported"].array().size(), static_cast<size_t>(opcodes["opsLen"].integer()));
  EXPECT_EQ(opcodes["supported"].array().front()["name"].string(), "NOP");
  // IORING_MAX_ENTRIES is 32768 from 5.4 on.
  EXPECT_EQ((*find_trial(probe, 0, 65536))["error"].string(), "EINVAL");
  // SINGLE_MMAP (5.4) up to POLL_32BITS (5.9): every kernel the tool supports (5.10+) has them.
  constexpr int64_t kFeaturesOf59 = 0x7f;
  EXPECT_EQ(probe["features"]["mask"].integer() & kFeaturesOf59, kFeaturesOf59);

  struct Since {
    int kernel;
    uint32_t flags;
  };
  for (const Since flag :
       {Since{506, IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP},
        Since{513, IORING_SETUP_SQPOLL},  // unprivileged from 5.13
        Since{518, IORING_SETUP_SUBMIT_ALL}, Since{519, IORING_SETUP_COOP_TASKRUN},
        Since{519, IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG},
        Since{600, IORING_SETUP_SINGLE_ISSUER},
        Since{601, IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN},
        Since{605, IORING_SETUP_NO_MMAP | IORING_SETUP_REGISTERED_FD_ONLY},
        Since{606, IORING_SETUP_NO_SQARRAY}, Since{618, IORING_SETUP_CQE_MIXED}}) {
    if (kernel >= flag.kernel) {
      EXPECT_TRUE(trial_accepted(probe, flag.flags)) << describe_setup_flags(flag.flags);
    }
  }
  if (trial_accepted(probe, IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP)) {
    // CLAMP grants the most CQ entries there are (2 * IORING_MAX_ENTRIES).
    const Value* clamped = find_trial(probe, IORING_SETUP_CQSIZE | IORING_SETUP_CLAMP);
    EXPECT_EQ((*clamped)["granted"]["cqEntries"].integer(), 65536);
  }
  if (kernel >= 512) {  // rings stopped counting against RLIMIT_MEMLOCK
    EXPECT_TRUE(trial_accepted(probe, 0, 32768));
  }

  const Value& behaviour = probe["behaviour"];
  for (const auto& [since, test] :
       {std::pair{505, "linkTimeout"}, std::pair{511, "extArgWait"},
        std::pair{513, "multishotPoll"}, std::pair{601, "multishotPollSingleIssuer"}}) {
    if (kernel >= since) {
      EXPECT_TRUE(behaviour[test]["works"].boolean())
          << test << ": " << behaviour[test]["detail"].string();
    }
  }
  if (behaviour["multishotPoll"]["works"].boolean()) {
    // Two F_MORE CQEs, then the remove and the final -ECANCELED (in either order).
    EXPECT_EQ(behaviour["multishotPoll"]["events"].array().size(), 4u);
  }
}

// What qemu-probe-output.txt recorded for this development host (6.18), plus what this probe
// adds: the exact counts and refusals of that one release. FindsWhatEachReleaseIntroduced...
// checks the rest everywhere.
TEST(Probe, FindsWhatTheResearchSawOnThe618Host) {
  if (running_kernel() != 618) {
    GTEST_SKIP() << "expectations recorded for 6.18 only";
  }
  const Value probe = json_lite::parse(probe_to_json(probe_kernel()));
  ASSERT_TRUE(probe["setup"]["ok"].boolean());
  EXPECT_EQ(probe["features"]["mask"].integer(), 0x3ffff);
  EXPECT_EQ(probe["opcodes"]["lastOp"].integer(), 62);
  EXPECT_EQ(probe["opcodes"]["supported"].array().size(), 63u);
  EXPECT_EQ(probe["opcodes"]["supported"].array().back()["name"].string(), "PIPE");
  // Newer than 6.18.
  for (const uint32_t flags :
       {IORING_SETUP_SQE_MIXED, IORING_SETUP_NO_SQARRAY | IORING_SETUP_SQ_REWIND}) {
    const Value* trial = find_trial(probe, flags);
    ASSERT_NE(trial, nullptr);
    EXPECT_EQ((*trial)["error"].string(), "EINVAL") << describe_setup_flags(flags);
  }
  EXPECT_TRUE(probe["query"]["ok"].boolean());
  EXPECT_EQ(probe["query"]["nrRequestOpcodes"].integer(), 63);
  EXPECT_EQ(probe["registerOps"]["byQuery"].integer(), 36);  // up to REGISTER_QUERY
  EXPECT_EQ(probe["registerOps"]["byRestrictions"].integer(), 36);
  EXPECT_EQ(probe["registerOps"]["known"].array().back()["name"].string(), "REGISTER_QUERY");
  // The loop's io_poll mode depends on this, and this kernel refuses it.
  const Value& iopoll_poll_add = probe["behaviour"]["iopollPollAdd"];
  EXPECT_FALSE(iopoll_poll_add["works"].boolean());
  EXPECT_EQ(iopoll_poll_add["events"].array().at(0)["resultName"].string(), "EINVAL");
}

#if defined(__x86_64__)
// Runs the probe in a forked child under a filter like a container runtime's default profile
// (io_uring_setup fails with EPERM, everything else is allowed) and returns its JSON. The filter
// never touches this process.
std::string probe_json_under_seccomp_filter() {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    return {};
  }
  const pid_t child = fork();
  if (child == 0) {
    close(pipe_fds[0]);
    const int io_uring_setup = __NR_io_uring_setup;
    const int refused = refuse_syscalls_with_seccomp({&io_uring_setup, 1}, EPERM);
    std::string json = refused == 0 ? probe_to_json(probe_kernel())
                                    : "seccomp filter not installed: " + errno_name(refused);
    for (size_t written = 0; written < json.size();) {
      const ssize_t n = write(pipe_fds[1], json.data() + written, json.size() - written);
      if (n <= 0) {
        break;
      }
      written += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string json;
  char buffer[4096];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) != 0;) {
    if (n > 0) {
      json.append(buffer, static_cast<size_t>(n));
    } else if (errno != EINTR) {
      break;
    }
  }
  close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  return json;
}

// The probe must report the facts that let the explanation layer name seccomp as the cause:
// setup refused with EPERM, seccomp in filter mode, and nothing else in the way.
TEST(ProbeSeccomp, AFilterRefusingIoUringSetupIsReportedAsEpermInFilterMode) {
  const std::string text = probe_json_under_seccomp_filter();
  Value probe;
  ASSERT_NO_THROW(probe = json_lite::parse(text)) << text;
  const Value& setup = probe["setup"];
  EXPECT_FALSE(setup["ok"].boolean());
  EXPECT_EQ(setup["errno"].integer(), EPERM);
  EXPECT_EQ(setup["error"].string(), "EPERM");
  const Value& env = probe["environment"];
  EXPECT_EQ(env["seccompMode"].integer(), 2);
  if (!env["seccompFilters"].is_null()) {  // the field exists from 5.9 on
    EXPECT_GE(env["seccompFilters"].integer(), 1);
  }
  EXPECT_TRUE(env["noNewPrivs"].boolean());
  // Not the sysctl: io_uring is enabled for everyone.
  if (!env["ioUringDisabled"].is_null()) {
    EXPECT_EQ(env["ioUringDisabled"].integer(), 0);
  }
  // Nothing that needs a ring was guessed.
  EXPECT_TRUE(probe["features"].is_null());
  EXPECT_TRUE(probe["opcodes"].is_null());
  EXPECT_TRUE(probe["setupTrials"].array().empty());
  EXPECT_TRUE(probe["behaviour"]["multishotPoll"].is_null());
  EXPECT_TRUE(probe["registerOps"]["restrictions"].is_null());
  EXPECT_TRUE(probe["errors"].array().empty());
}
#endif

}  // namespace
}  // namespace iob
