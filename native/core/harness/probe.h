// The kernel probe behind `iouring-bench probe-kernel`: raw facts about this kernel and this
// process's environment, each from a real test here, never inferred from a version number.
//
// It only gathers. What a fact means (the cause of a refusal, the fix, the first kernel that
// had a feature, the verdict against the loop) is decided later, in TypeScript, from the JSON
// of probe_to_json() and src/probe/kernel-table.json. The same JSON comes from the static
// `iouring-probe` tool, so hosts without Node and qemu guests report the same thing.
//
// Invariants:
// - probe_kernel() never throws and never leaves a ring, fd or mapping behind; a failure of the
//   probe itself lands in ProbeReport::errors.
// - Every ring it makes is torn down before it returns; memory a ring's kernel side may still
//   touch (NO_MMAP ring memory, recv buffers) outlives that ring.
// - When the plain io_uring_setup is refused, nothing that needs a ring runs: those parts are
//   absent (std::nullopt / empty), not guessed.
// - The format of probe_to_json() is versioned by kRawProbeVersion and described by
//   schemas/raw-probe.schema.json; change both together.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace iob {

inline constexpr int kRawProbeVersion = 1;

// The outcome of one system call: accepted (error 0) or refused with an errno.
struct Outcome {
  int error = 0;
  bool ok() const { return error == 0; }
};

// Who this kernel is. `version` is `uname -v`, where Debian puts its package version.
struct KernelIdentity {
  std::string sysname;
  std::string release;
  std::string version;
  std::string machine;
  // /proc/version_signature (Ubuntu: the mainline version behind `uname -r`), when present.
  std::optional<std::string> version_signature;
};

// What, besides the kernel's age, can keep io_uring from this process.
struct Environment {
  // /proc/sys/kernel/io_uring_disabled and io_uring_group; absent before 6.6.
  std::optional<int> io_uring_disabled;
  std::optional<int64_t> io_uring_group;
  // From /proc/thread-self/status: Seccomp (0 off, 1 strict, 2 filter), Seccomp_filters (the
  // number of filters, 5.9+), NoNewPrivs and CapEff.
  std::optional<int> seccomp_mode;
  std::optional<int> seccomp_filters;
  std::optional<bool> no_new_privs;
  std::optional<uint64_t> cap_effective;
  uid_t uid = 0;
  uid_t euid = 0;
  gid_t gid = 0;
  gid_t egid = 0;
  std::vector<gid_t> groups;
  // RLIMIT_MEMLOCK; std::nullopt is RLIM_INFINITY. Ring memory counts against it before 5.12.
  std::optional<uint64_t> memlock_soft;
  std::optional<uint64_t> memlock_hard;
};

// One io_uring_setup on a real ring, torn down again at once.
struct SetupTrial {
  uint32_t flags = 0;
  uint32_t entries = 0;
  // The CQ size asked for, with IORING_SETUP_CQSIZE.
  std::optional<uint32_t> cq_entries;
  Outcome outcome;
  // What the kernel made, when it accepted.
  uint32_t sq_entries_granted = 0;
  uint32_t cq_entries_granted = 0;
  uint32_t features = 0;
};

// IORING_REGISTER_QUERY with IO_URING_QUERY_OPCODES: no ring needed, new kernels only.
struct QueryAnswer {
  uint32_t nr_request_opcodes = 0;
  uint32_t nr_register_opcodes = 0;
  uint64_t feature_flags = 0;
  uint64_t ring_setup_flags = 0;
  uint64_t enter_flags = 0;
  uint64_t sqe_flags = 0;
};
struct QueryResult {
  Outcome outcome;  // of the syscall, or of the query entry when the syscall succeeded
  std::optional<QueryAnswer> answer;
};

// IORING_REGISTER_PROBE on the plain ring.
struct OpcodeProbe {
  Outcome outcome;
  uint32_t last_op = 0;
  uint32_t ops_len = 0;
  std::vector<uint32_t> supported;
};

// How many io_uring_register opcodes the kernel knows (it knows 0 .. count-1).
//
// Two independent ways, both reported:
// - by_query: IORING_REGISTER_QUERY's nr_register_opcodes (6.18+).
// - by_restrictions: IORING_REGISTER_RESTRICTIONS (5.10+) on a ring created with R_DISABLED
//   refuses a restriction naming register opcode >= IORING_REGISTER_LAST with EINVAL, and
//   accepts every smaller one (io_parse_restrictions, io_uring/register.c, unchanged since
//   5.10). A binary search over one restriction per call finds IORING_REGISTER_LAST. The
//   switch in __io_uring_register has a case for every number below it, so that is the count
//   of known opcodes. Caveat: 6.13-6.14 reserve 32 (ZCRX_IFQ, 6.15) below LAST without
//   implementing it.
struct RegisterOpsProbe {
  std::optional<uint32_t> by_query;
  std::optional<uint32_t> by_restrictions;
  // The restrictions search's own outcome (why by_restrictions is absent); std::nullopt when it
  // was not tried because no ring could be made.
  std::optional<Outcome> restrictions_outcome;
  int64_t elapsed_us = 0;
};

// Something seen while a behaviour test ran: a CQE (res, flags) tagged with the role of its
// SQE, or a system call's return (negative errno) such as "io_uring_enter".
struct ProbeEvent {
  std::string what;
  int64_t result = 0;
  uint32_t flags = 0;
};

// A behaviour tried for real on a ring made for it.
struct BehaviourTest {
  uint32_t ring_flags = 0;
  // The setup of that ring; when refused, the test did not run.
  Outcome ring;
  std::vector<ProbeEvent> events;
  // The behaviour was seen as the kernel documents it.
  bool works = false;
  // Why not, in a few words (empty when it works).
  std::string detail;
  int64_t elapsed_us = 0;
};

struct ProbeReport {
  KernelIdentity kernel;
  Environment environment;
  // IORING_OP_LAST of the headers this was built with: what the build could name natively.
  uint32_t header_op_last = 0;

  // The plain ring (8 entries, no flags): whether io_uring can be used at all.
  SetupTrial setup;
  QueryResult query;
  // Each needs a ring; empty / absent when the plain setup was refused.
  std::vector<SetupTrial> setup_trials;
  std::optional<OpcodeProbe> opcodes;
  RegisterOpsProbe register_ops;
  // Multishot POLL_ADD on an eventfd: two writes give two CQEs with F_MORE, POLL_REMOVE ends it
  // with -ECANCELED without F_MORE.
  std::optional<BehaviourTest> multishot_poll;
  // The same on a SINGLE_ISSUER|DEFER_TASKRUN ring.
  std::optional<BehaviourTest> multishot_poll_single_issuer;
  // io_uring_enter(GETEVENTS|EXT_ARG) with a short timeout and nothing to wait for ends -ETIME.
  std::optional<BehaviourTest> ext_arg_wait;
  // A recv on an idle socket linked to a short LINK_TIMEOUT: -ECANCELED and -ETIME.
  std::optional<BehaviourTest> link_timeout;
  // A POLL_ADD on an IOPOLL ring; `works` means the kernel accepted it.
  std::optional<BehaviourTest> iopoll_poll_add;

  // Failures of the probe itself (not of the kernel), e.g. an unreadable /proc file.
  std::vector<std::string> errors;
  int64_t elapsed_us = 0;
};

// Runs every test; takes a few milliseconds natively. Never throws.
ProbeReport probe_kernel() noexcept;

// The report as compact JSON, {"rawProbeVersion":1,...}; see schemas/raw-probe.schema.json.
std::string probe_to_json(const ProbeReport& report);

}  // namespace iob
