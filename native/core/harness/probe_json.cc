// probe_to_json(): the raw probe as JSON, rawProbeVersion 1. Every field is described in
// schemas/raw-probe.schema.json; a change here is a change there (and of kRawProbeVersion when
// a consumer could misread old or new output).
#include <liburing.h>

#include <cstdio>

#include "harness/json_writer.h"
#include "harness/probe.h"
#include "uring_names.h"

namespace iob {

namespace {

void write_outcome(JsonWriter& json, const Outcome& outcome) {
  json.field("ok", outcome.ok());
  if (outcome.ok()) {
    json.key("errno").null().key("error").null();
  } else {
    json.field("errno", outcome.error).field("error", errno_name(outcome.error));
  }
}

void write_numbered_names(JsonWriter& json, const NameTable& table,
                          const std::vector<uint32_t>& numbers) {
  json.begin_array();
  for (const uint32_t number : numbers) {
    json.begin_object().field("op", number).field("name", table.name(number)).end_object();
  }
  json.end_array();
}

void write_bit_names(JsonWriter& json, const NameTable& table, uint64_t mask) {
  json.begin_array();
  for (const std::string& name : table.bit_names(mask)) {
    json.value(name);
  }
  json.end_array();
}

void write_trial(JsonWriter& json, const SetupTrial& trial) {
  json.begin_object()
      .field("flags", trial.flags)
      .field("flagNames", describe_setup_flags(trial.flags))
      .field("entries", trial.entries)
      .field("cqEntries", trial.cq_entries);
  write_outcome(json, trial.outcome);
  json.key("granted");
  if (trial.outcome.ok()) {
    json.begin_object()
        .field("sqEntries", trial.sq_entries_granted)
        .field("cqEntries", trial.cq_entries_granted)
        .end_object();
  } else {
    json.null();
  }
  json.end_object();
}

void write_behaviour(JsonWriter& json, std::string_view name,
                     const std::optional<BehaviourTest>& test) {
  json.key(name);
  if (!test) {
    json.null();
    return;
  }
  json.begin_object()
      .field("ringFlags", test->ring_flags)
      .field("ringFlagNames", describe_setup_flags(test->ring_flags))
      .key("ring")
      .begin_object();
  write_outcome(json, test->ring);
  json.end_object().key("events").begin_array();
  for (const ProbeEvent& event : test->events) {
    json.begin_object().field("what", event.what).field("result", event.result);
    json.key("resultName");
    if (event.result < 0) {
      json.value(errno_name(static_cast<int>(-event.result)));
    } else {
      json.null();
    }
    json.field("flags", event.flags)
        .field("more", (event.flags & IORING_CQE_F_MORE) != 0)
        .end_object();
  }
  json.end_array()
      .field("works", test->works)
      .field("detail", test->detail)
      .field("elapsedUs", test->elapsed_us)
      .end_object();
}

void write_limit(JsonWriter& json, std::string_view name, const std::optional<uint64_t>& limit) {
  json.key(name);
  if (limit) {
    json.value(*limit);
  } else {
    json.value("unlimited");
  }
}

std::optional<bool> capability(const std::optional<uint64_t>& cap_effective, int bit) {
  if (!cap_effective) {
    return std::nullopt;
  }
  return ((*cap_effective >> bit) & 1) != 0;
}

}  // namespace

std::string probe_to_json(const ProbeReport& report) {
  JsonWriter json;
  json.begin_object()
      .field("rawProbeVersion", kRawProbeVersion)
      .field("elapsedUs", report.elapsed_us)
      .key("build")
      .begin_object()
      .field("headerOpLast", report.header_op_last)
      .field("namedSetupFlags", setup_flag_names().names().size())
      .field("namedFeatures", feature_names().names().size())
      .field("namedOpcodes", opcode_names().names().size())
      .field("namedRegisterOps", register_op_names().names().size())
      .end_object();

  const KernelIdentity& kernel = report.kernel;
  json.key("kernel")
      .begin_object()
      .field("sysname", kernel.sysname)
      .field("release", kernel.release)
      .field("version", kernel.version)
      .field("machine", kernel.machine)
      .field("versionSignature", kernel.version_signature)
      .end_object();

  const Environment& env = report.environment;
  json.key("environment")
      .begin_object()
      .field("ioUringDisabled", env.io_uring_disabled)
      .field("ioUringGroup", env.io_uring_group)
      .field("seccompMode", env.seccomp_mode)
      .field("seccompFilters", env.seccomp_filters)
      .field("noNewPrivs", env.no_new_privs)
      .key("capEff");
  if (env.cap_effective) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(*env.cap_effective));
    json.value(hex);
  } else {
    json.null();
  }
  json.field("capSysAdmin", capability(env.cap_effective, 21))
      .field("capSysNice", capability(env.cap_effective, 23))
      .field("capIpcLock", capability(env.cap_effective, 14))
      .field("uid", env.uid)
      .field("euid", env.euid)
      .field("gid", env.gid)
      .field("egid", env.egid)
      .key("groups")
      .begin_array();
  for (const gid_t group : env.groups) {
    json.value(group);
  }
  json.end_array().key("memlock").begin_object();
  write_limit(json, "soft", env.memlock_soft);
  write_limit(json, "hard", env.memlock_hard);
  json.end_object().end_object();

  json.key("setup");
  write_trial(json, report.setup);
  json.key("features");
  if (report.setup.outcome.ok()) {
    json.begin_object().field("mask", report.setup.features).key("names");
    write_bit_names(json, feature_names(), report.setup.features);
    json.end_object();
  } else {
    json.null();
  }

  json.key("query").begin_object();
  write_outcome(json, report.query.outcome);
  if (const auto& answer = report.query.answer) {
    json.field("nrRequestOpcodes", answer->nr_request_opcodes)
        .field("nrRegisterOpcodes", answer->nr_register_opcodes)
        .field("featureFlags", answer->feature_flags)
        .key("featureNames");
    write_bit_names(json, feature_names(), answer->feature_flags);
    json.field("ringSetupFlags", answer->ring_setup_flags).key("ringSetupFlagNames");
    write_bit_names(json, setup_flag_names(), answer->ring_setup_flags);
    json.field("enterFlags", answer->enter_flags).field("sqeFlags", answer->sqe_flags);
  }
  json.end_object();

  json.key("setupTrials").begin_array();
  for (const SetupTrial& trial : report.setup_trials) {
    write_trial(json, trial);
  }
  json.end_array();

  json.key("opcodes");
  if (const auto& opcodes = report.opcodes) {
    json.begin_object();
    write_outcome(json, opcodes->outcome);
    json.field("lastOp", opcodes->last_op).field("opsLen", opcodes->ops_len).key("supported");
    write_numbered_names(json, opcode_names(), opcodes->supported);
    json.end_object();
  } else {
    json.null();
  }

  const RegisterOpsProbe& register_ops = report.register_ops;
  json.key("registerOps")
      .begin_object()
      .field("byQuery", register_ops.by_query)
      .field("byRestrictions", register_ops.by_restrictions)
      .key("restrictions");
  if (register_ops.restrictions_outcome) {
    json.begin_object();
    write_outcome(json, *register_ops.restrictions_outcome);
    json.end_object();
  } else {
    json.null();
  }
  json.field("elapsedUs", register_ops.elapsed_us).key("known");
  std::vector<uint32_t> known;
  for (uint32_t op = 0;
       op < register_ops.by_query.value_or(register_ops.by_restrictions.value_or(0)); ++op) {
    known.push_back(op);
  }
  write_numbered_names(json, register_op_names(), known);
  json.end_object();

  json.key("behaviour").begin_object();
  write_behaviour(json, "multishotPoll", report.multishot_poll);
  write_behaviour(json, "multishotPollSingleIssuer", report.multishot_poll_single_issuer);
  write_behaviour(json, "extArgWait", report.ext_arg_wait);
  write_behaviour(json, "linkTimeout", report.link_timeout);
  write_behaviour(json, "iopollPollAdd", report.iopoll_poll_add);
  json.end_object();

  json.key("errors").begin_array();
  for (const std::string& message : report.errors) {
    json.value(message);
  }
  json.end_array().end_object();
  return json.take();
}

}  // namespace iob
