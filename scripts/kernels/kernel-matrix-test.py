#!/usr/bin/env python3
"""The kernel-matrix test: what the probe and the loop tests find on real kernels.

Runs scripts/kernels/run-kernels.sh (Debian 5.10, 6.1 and 6.12 under qemu TCG, and 6.12 again
with kernel.io_uring_disabled=2), runs the same static probe on this host, then checks each
kernel's raw probe JSON, loop-test output and ring-knob runs:

  every probe      valid against schemas/raw-probe.schema.json (test/fixtures/raw-probe/ too);
                   no probe errors
  host             io_uring usable; SINGLE_ISSUER|DEFER_TASKRUN accepted; multishot poll on both
                   rings, EXT_ARG wait, LINK_TIMEOUT all work
  5.10             SINGLE_ISSUER and SINGLE_ISSUER|DEFER_TASKRUN refused with EINVAL, yet
                   multishot poll works on a plain ring (a stable backport): the loop's
                   baseline is met, single_issuer is not
  6.1, 6.12        SINGLE_ISSUER|DEFER_TASKRUN accepted; multishot poll works on both rings
  6.12-disabled    io_uring_setup refused with EPERM, io_uring_disabled reads 2, no seccomp
  unprivileged     (each guest's probe as uid 65534 with a 64 KiB memlock limit) runs
                   unprivileged; from 5.13 SQPOLL needs no privilege and from 5.12 ring memory
                   is not charged to memlock, and every guest, 5.10 included (its io_uring is the
                   5.15 stable backport), accepts both
  loop tests       passed in each guest; skipped only where that guest's probe says the kernel
                   refuses what the test needs (a wake mechanism's opcode among it), or where a
                   test does not apply to a wake mechanism on any kernel
  the CLI          `probe-kernel --input <guest probe> --require defer-taskrun --json` on each
                   guest's probe (root and unprivileged): exit 3 on 5.10 and on 6.12-disabled (the
                   cause named io_uring_disabled), 0 on 6.1 and 6.12; on the host, exit 0, and
                   exit 3 naming seccomp under a filter that refuses io_uring_setup (seccomp-exec);
                   without --require, exit 3 too on 6.12-disabled and under that filter (io_uring
                   not usable: the whole document, then the status);
                   every document valid against schemas/probe.schema.json. Each verdict is printed.
                   Skipped, with the reason, when dist/ (or the addon, for the host) is not built.
  wake needs       from the same CLI on each guest's probe: the --wake values the settings table
                   says need more of the kernel, each available exactly where the kernel has it
                   (msg-ring: IORING_OP_MSG_RING, 5.18; futex-op: IORING_OP_FUTEX_WAIT, 6.7), an
                   unavailable one naming its constant and release; and --require
                   REGISTER_SEND_MSG_RING (6.13, which msg-ring uses where it is) unmet on every
                   guest, naming 6.13. Skipped, with the reason, by a CLI without those rows.
  ring knobs       (KNOBS) each ring knob of `bench` in each guest: loop-bench (ring size 256,
                   depth 8, 200 nops) with single-issuer, defer-taskrun, coop-taskrun,
                   coop-taskrun+taskrun-flag, sqpoll with a 10 ms idle, cq-size 512, submit-all,
                   no-sqarray, ring-fd, and none (the control); and multishot-recv (socket
                   messages received through a multishot RECV from a ring of one 512-byte
                   buffer, so it runs dry), on the loop and on the raw ring:
                   each ran its 200 ops or was refused by the kernel (exit 3), the two rings
                   alike, and the guest refused exactly the knobs newer than its io_uring (5.10's
                   is 5.15's: single-issuer 6.0, defer-taskrun 6.1, coop-taskrun and taskrun-flag
                   5.19, submit-all and ring-fd 5.18, no-sqarray 6.6, multishot-recv 6.0 refused;
                   sqpoll and cq-size run; 6.1 refuses no-sqarray only; 6.12 runs all). Then the
                   CLI as a user runs it, with the guest's probe standing in for the kernel
                   (IOURING_BENCH_PROBE_INPUT): `bench` with the same sizes and one --config
                   per knob (one run per op), --json: exit 0; a configuration skipped exactly where the guest
                   refused the knob (on the loop and the raw ring), its reason naming one of the
                   knob's IORING_ constants and a Linux release; the others ran their 200 ops on
                   this host. One line per guest and knob says what each did. Then `advise` on the
                   guest's probe (a 3 s budget): exit 0, one advised configuration, the knobs the
                   guest lacks (of defer-taskrun, coop-taskrun, no-sqarray, ring-fd, sqpoll)
                   skipped naming the release that has them and in no candidate, the others raced.
                   Skipped, with the reason, when dist/ or the addon is not built.

Prints each kernel's facts, its verdict as probe-kernel gives it, a PASS/FAIL line per check
and `kernel-matrix: N passed, N failed, N skipped`. Exit 1 if a check failed. A kernel that
cannot be had (no qemu, mirror down after a retry) is an explicit `SKIP: <reason>` line, never a
silent pass.

    scripts/kernels/kernel-matrix-test.py [run-kernels.sh options, e.g. -k "5.10 6.1"]
    scripts/kernels/kernel-matrix-test.py --no-run   # check the outputs of the last run
"""
import json
import os
import re
import subprocess
import sys
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.environ.get("IOB_KERNEL_MATRIX_OUT", os.path.join(REPO, "test-results", "kernel-matrix"))
STATIC_BUILD = os.path.join(REPO, "native", "build-static")
STATIC_PROBE = os.path.join(STATIC_BUILD, "iouring-probe")
CLI = os.path.join(REPO, "bin", "run.js")
CLI_COMMAND = os.path.join(REPO, "dist", "commands", "probe-kernel.js")
ADDON = os.path.join(REPO, "native", "build", "Release", "iouring_bench.node")
COOP_TASKRUN = 1 << 8
SINGLE_ISSUER = 1 << 12
DEFER_TASKRUN = 1 << 13
# The --wake values that need more of the kernel (src/settings/table.ts), with the opcode each
# needs and the release that brought it (src/probe/kernel-table.json).
WAKE_NEEDS = {"msg-ring": ("IORING_OP_MSG_RING", "5.18"), "futex-op": ("IORING_OP_FUTEX_WAIT", "6.7")}
REGISTER_SEND_MSG_RING_SINCE = "6.13"
BENCH_COMMAND = os.path.join(REPO, "dist", "commands", "bench.js")
# The ring knobs of `bench`, each run in the guests by run-kernels.sh (labels knob-NAME-loop and
# knob-NAME-raw: loop-bench with the knob, ring size 256, depth 8, 200 ops) and priced by the CLI
# with --config on the guest's probe: name, the CLI's --config (None: the configuration as given,
# the control), the IORING_ constants the knob asks the kernel for, and the release that brought
# the newest of them.
KNOBS = (
    ("plain", None, (), None),
    ("single-issuer", "single-issuer=on", ("IORING_SETUP_SINGLE_ISSUER",), "6.0"),
    ("defer-taskrun", "defer-taskrun=on", ("IORING_SETUP_SINGLE_ISSUER", "IORING_SETUP_DEFER_TASKRUN"), "6.1"),
    ("coop-taskrun", "coop-taskrun=on", ("IORING_SETUP_COOP_TASKRUN",), "5.19"),
    ("taskrun-flag", "coop-taskrun=on taskrun-flag=on",
     ("IORING_SETUP_COOP_TASKRUN", "IORING_SETUP_TASKRUN_FLAG"), "5.19"),
    ("sqpoll", "sqpoll=on sqpoll-idle=10ms", ("IORING_SETUP_SQPOLL",), "5.1"),
    ("cq-size", "cq-size=512", ("IORING_SETUP_CQSIZE",), "5.5"),
    ("submit-all", "submit-all=on", ("IORING_SETUP_SUBMIT_ALL",), "5.18"),
    ("no-sqarray", "no-sqarray=on", ("IORING_SETUP_NO_SQARRAY",), "6.6"),
    ("ring-fd", "ring-fd=on", ("IORING_REGISTER_RING_FDS",), "5.18"),
    # Multishot RECV is 6.0, its buffer ring (what the probe can see) 5.19.
    ("multishot-recv", "multishot-recv=on recv-buffers=1 recv-buffer-size=512",
     ("IORING_REGISTER_PBUF_RING",), "6.0"),
)
KNOB_OPS = 200
KNOB_BENCH_ARGS = ["--op", "nop", "--depth", "8", "--ops", str(KNOB_OPS), "--warmup", "0ms", "--trials", "1",
                   "--ring-size", "256"]
# Knobs of another workload than the nops (the guest's loop-bench runs the same), priced by a CLI
# run of their own with these args in place of KNOB_BENCH_ARGS.
KNOB_OPS_OF = {"multishot-recv": "socket"}
# The io_uring a series carries where it is not its own: Debian's 5.10 has the 5.15 stable backport.
IO_URING_OF_SERIES = {"5.10": "5.15"}

# Loop tests that skip themselves when the kernel refuses what they need, keyed by the probe
# fact that predicts it. A test run once per wake mechanism is named Wake/<Suite>.<Test>/<wake>;
# these hold for every mechanism.
SKIPS_IF_SINGLE_ISSUER_REFUSED = {"Wake/LoopEachWake.NopOnASingleIssuerRing"}
# Its first ring is COOP_TASKRUN (5.19): a kernel that refuses it skips the test.
SKIPS_IF_COOP_TASKRUN_REFUSED = {"Wake/LoopEachWake.ATimerEndsOnRingsWhoseCompletionWorkWaitsForAnEnter"}
SKIPS_IF_IOPOLL_ACCEPTS_POLL_ADD = {
    "Loop.IoPollRingStopsWithTheWakePollReason",
    "LoopShutdownOnIoPoll.SendAfterTheLoopStoppedOnAnErrorIsRefused",
}
# Tests of an op the kernel may lack: each skips where the probe's opcode list has no such op
# (SEND_ZC came in 6.0; Debian's 5.10 carries 5.15's io_uring).
SKIPS_IF_OPCODE_MISSING = {"SendZc.EachSendEndsWithItsNotificationKeepingItsResult": "SEND_ZC"}
# Records what the 6.18 development host gave; skips on every other kernel.
SKIPS_UNLESS_618 = {"Probe.FindsWhatTheResearchSawOnThe618Host"}
# Each mechanism's tests skip on a kernel without the opcode it needs (the probe's opcode list).
WAKE_OPCODES = {"msg_ring": "MSG_RING", "futex_op": "FUTEX_WAIT"}
# Tests that do not apply to a mechanism, on any kernel: only the eventfd poll is multishot, and
# a busy-polling loop never sleeps, so it has no wake to lose and no blocking enter to interrupt.
SKIPS_BY_DESIGN = {
    "Wake/LoopEachWake.AWakeCqeWithoutMoreReArmsThePollOnTheNextFill": {"msg_ring", "futex_op", "busy_poll"},
    "Wake/LoopRaces.SignalsInterruptingTheWaitAreSurvived": {"busy_poll"},
}
SUITES_WITHOUT_BUSY_POLL = ("Wake/LoopLostWake.",)


def expected_skips(ran, probe):
    """The loop tests of `ran` that should skip on the kernel this probe describes."""
    si = trial(probe, SINGLE_ISSUER | DEFER_TASKRUN)
    whole = set()
    if not probe["kernel"]["release"].startswith("6.18."):
        whole |= SKIPS_UNLESS_618
    if not (si and si["ok"]):
        whole |= SKIPS_IF_SINGLE_ISSUER_REFUSED
    coop = trial(probe, COOP_TASKRUN)
    if not (coop and coop["ok"]):
        whole |= SKIPS_IF_COOP_TASKRUN_REFUSED
    if behaviour_works(probe, "iopollPollAdd"):
        whole |= SKIPS_IF_IOPOLL_ACCEPTS_POLL_ADD
    opcodes = {op["name"] for op in (probe.get("opcodes") or {}).get("supported", [])}
    expected = set()
    for test in ran:
        base, _, wake = test.rpartition("/") if test.startswith("Wake/") else (test, "", "")
        if (base in whole
                or (base in SKIPS_IF_OPCODE_MISSING and SKIPS_IF_OPCODE_MISSING[base] not in opcodes)
                or (wake in WAKE_OPCODES and WAKE_OPCODES[wake] not in opcodes)
                or wake in SKIPS_BY_DESIGN.get(base, ())
                or (wake == "busy_poll" and base.startswith(SUITES_WITHOUT_BUSY_POLL))):
            expected.add(test)
    return expected


class Checks:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS: {name}")
        else:
            self.failed += 1
            print(f"FAIL: {name}{': ' + detail if detail else ''}")

    def skip(self, name, reason):
        self.skipped += 1
        print(f"SKIP: {name}: {reason}")


def schema_validator():
    """A validator for the raw probe schema, or the reason there is none."""
    try:
        import jsonschema
    except ImportError:
        return None, "python jsonschema is not installed"
    with open(os.path.join(REPO, "schemas", "raw-probe.schema.json")) as file:
        schema = json.load(file)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema), None


def trial(probe, flags, entries=8):
    for candidate in probe["setupTrials"]:
        if candidate["flags"] == flags and candidate["entries"] == entries:
            return candidate
    return None


def outcome_text(item):
    return "accepted" if item and item["ok"] else (item["error"] if item else "not tried")


def debian_version(probe):
    match = re.search(r"Debian (\S+)", probe["kernel"]["version"])
    return match.group(1) if match else "-"


def behaviour_works(probe, name):
    test = probe["behaviour"][name]
    return bool(test and test["works"])


def behaviour_text(probe, name):
    test = probe["behaviour"][name]
    if test is None:
        return "not tested"
    if test["works"]:
        return "yes"
    return "no (" + test["detail"] + ")"


def print_facts(name, probe):
    print(f"----- {name}: facts")
    kernel = probe["kernel"]
    env = probe["environment"]
    print(f"  release            {kernel['release']} (Debian {debian_version(probe)})")
    print(f"  io_uring_setup     {outcome_text(probe['setup'])}; io_uring_disabled="
          f"{env['ioUringDisabled']} seccomp={env['seccompMode']}")
    if probe["setup"]["ok"]:
        accepted = [t["flagNames"] for t in probe["setupTrials"] if t["ok"] and t["entries"] == 8]
        refused = [f"{t['flagNames']}={t['error']}" for t in probe["setupTrials"]
                   if not t["ok"] and t["entries"] == 8]
        features = probe["features"]
        opcodes = probe["opcodes"]
        register = probe["registerOps"]
        print(f"  flags accepted     {', '.join(accepted)}")
        print(f"  flags refused      {', '.join(refused) or '-'}")
        print(f"  features           {hex(features['mask'])} ({len(features['names'])}: "
              f"... {', '.join(features['names'][-3:])})")
        print(f"  opcodes            {len(opcodes['supported'])} (last {opcodes['supported'][-1]['name']})")
        count = register["byQuery"] if register["byQuery"] is not None else register["byRestrictions"]
        print(f"  register opcodes   {count} (query: {register['byQuery']}, restrictions: "
              f"{register['byRestrictions']})")
        max_entries = [t["entries"] for t in probe["setupTrials"] if t["ok"] and t["flags"] == 0]
        print(f"  max ring entries   {max(max_entries) if max_entries else '?'}")
        for label, test in (("multishot poll", "multishotPoll"),
                            ("  on SI|DT ring", "multishotPollSingleIssuer"),
                            ("EXT_ARG wait", "extArgWait"), ("LINK_TIMEOUT", "linkTimeout"),
                            ("POLL_ADD on IOPOLL", "iopollPollAdd")):
            print(f"  {label:<18} {behaviour_text(probe, test)}")
    print(f"  probe time         {probe['elapsedUs'] / 1000:.1f} ms")


def check_probe_common(checks, name, probe, validator):
    if validator is not None:
        errors = sorted(validator.iter_errors(probe), key=lambda e: list(e.absolute_path))
        checks.check(f"{name}: probe JSON matches schemas/raw-probe.schema.json", not errors,
                     "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:3]))
    checks.check(f"{name}: probe reported no errors of its own", not probe["errors"],
                 "; ".join(probe["errors"]))


def check_loop_capable(checks, name, probe, single_issuer):
    checks.check(f"{name}: io_uring_setup accepted", probe["setup"]["ok"], outcome_text(probe["setup"]))
    if not probe["setup"]["ok"]:
        return
    si = trial(probe, SINGLE_ISSUER | DEFER_TASKRUN)
    si_alone = trial(probe, SINGLE_ISSUER)
    if single_issuer:
        checks.check(f"{name}: SINGLE_ISSUER|DEFER_TASKRUN accepted", bool(si and si["ok"]), outcome_text(si))
        checks.check(f"{name}: multishot poll works on the SINGLE_ISSUER|DEFER_TASKRUN ring",
                     behaviour_works(probe, "multishotPollSingleIssuer"),
                     behaviour_text(probe, "multishotPollSingleIssuer"))
    else:
        for label, item in (("SINGLE_ISSUER", si_alone), ("SINGLE_ISSUER|DEFER_TASKRUN", si)):
            checks.check(f"{name}: {label} refused with EINVAL",
                         bool(item) and not item["ok"] and item["error"] == "EINVAL", outcome_text(item))
        test = probe["behaviour"]["multishotPollSingleIssuer"]
        checks.check(f"{name}: no SINGLE_ISSUER|DEFER_TASKRUN ring for the multishot test (EINVAL)",
                     bool(test) and test["ring"]["error"] == "EINVAL", behaviour_text(probe, "multishotPollSingleIssuer"))
    for label, test in (("multishot poll works on a plain ring", "multishotPoll"),
                        ("EXT_ARG bounded wait works", "extArgWait"),
                        ("LINK_TIMEOUT fires", "linkTimeout")):
        checks.check(f"{name}: {label}", behaviour_works(probe, test), behaviour_text(probe, test))


def probe_document_validator():
    """A validator for probe-kernel --json documents (which refer to the raw schema), or None."""
    try:
        import jsonschema
        from referencing import Registry, Resource
    except ImportError:
        return None
    schemas = {}
    for name in ("raw-probe.schema.json", "probe.schema.json"):
        with open(os.path.join(REPO, "schemas", name)) as file:
            schemas[name] = json.load(file)
    registry = Registry().with_resource(schemas["raw-probe.schema.json"]["$id"],
                                        Resource.from_contents(schemas["raw-probe.schema.json"]))
    return jsonschema.Draft202012Validator(schemas["probe.schema.json"], registry=registry)


class CliChecks:
    """`iouring-bench probe-kernel` as a user runs it, on each kernel's probe."""

    def __init__(self, checks):
        self.checks = checks
        self.validator = probe_document_validator()
        if self.validator is None:
            checks.skip("CLI: probe documents against schemas/probe.schema.json",
                        "python jsonschema with referencing is not installed")

    def run(self, name, args, wrapper=()):
        """Runs the CLI with --json (args may add --require); returns (exit status, document)."""
        command = [*wrapper, "node", CLI, "probe-kernel", *args, "--json"]
        output = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
        try:
            document = json.loads(output.stdout)
        except ValueError as error:
            self.checks.check(f"{name} CLI: --json prints one JSON document", False,
                              f"{error}; stderr: {output.stderr.strip()[:300]}")
            return output.returncode, None
        if self.validator is not None:
            errors = list(self.validator.iter_errors(document))
            self.checks.check(f"{name} CLI: the document matches schemas/probe.schema.json", not errors,
                              "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:3]))
        verdict = document.get("verdict", {})
        usability = document.get("usability", {})
        cause = usability.get("cause") or {}
        print(f"----- {name}: probe-kernel verdict ({document.get('kernel', {}).get('label')})")
        if not usability.get("usable", True):
            print(f"  cause              {cause.get('id')}: {cause.get('summary')}")
        for label, key in (("loop baseline", "loop"), ("single-issuer", "singleIssuer")):
            item = verdict.get(key, {})
            print(f"  {label:<18} {'met' if item.get('met') else 'NOT MET'}: {item.get('reason')}")
        print(f"  {' '.join(args[-2:]) if '--require' in args else 'the report'}: exit {output.returncode}")
        return output.returncode, document

    def expect(self, name, args, want_status, want_cause=None, wrapper=()):
        # defer-taskrun: the requirement the probe tests on a real SINGLE_ISSUER|DEFER_TASKRUN ring.
        status, document = self.run(name, [*args, "--require", "defer-taskrun"], wrapper)
        self.checks.check(f"{name} CLI: --require defer-taskrun exits {want_status}", status == want_status,
                          f"exit {status}")
        if document is None:
            return
        requirement = (document.get("requirements") or [{}])[0]
        self.checks.check(f"{name} CLI: the requirement says {'met' if want_status == 0 else 'not met'}",
                          requirement.get("met") == (want_status == 0), json.dumps(requirement))
        if want_cause is not None:
            cause = (document.get("usability") or {}).get("cause") or {}
            self.checks.check(f"{name} CLI: the cause is named {want_cause}", cause.get("id") == want_cause,
                              json.dumps(cause))

    def expect_unusable(self, name, args, wrapper=()):
        """Without --require: the whole document, and exit 3 because io_uring cannot be used there."""
        status, document = self.run(name, args, wrapper)
        self.checks.check(f"{name} CLI: without --require exits 3 (io_uring not usable)", status == 3, f"exit {status}")
        if document is not None:
            usable = (document.get("usability") or {}).get("usable")
            self.checks.check(f"{name} CLI: the document says io_uring is not usable", usable is False, f"usable={usable}")


def release_tuple(text):
    return tuple(int(part) for part in text.split("."))


def check_wake_needs(cli, name, probe_path, series):
    """Which --wake values the CLI finds available on a guest's probe, and REGISTER_SEND_MSG_RING."""
    status, document = cli.run(f"{name} wake needs", ["--input", probe_path, "--require", "REGISTER_SEND_MSG_RING"])
    if document is None:
        return
    # Every guest is older than 6.13; the host is not one of these.
    requirement = (document.get("requirements") or [{}])[0]
    reason = requirement.get("reason") or ""
    cli.checks.check(f"{name} CLI: --require REGISTER_SEND_MSG_RING exits 3, not met, naming "
                     f"{REGISTER_SEND_MSG_RING_SINCE}",
                     status == 3 and requirement.get("met") is False
                     and f"Linux {REGISTER_SEND_MSG_RING_SINCE}" in reason, f"exit {status}: {reason}")
    flags = {flag["flag"]: flag for flag in document.get("verdict", {}).get("benchFlags", [])}
    for value, (constant, since) in WAKE_NEEDS.items():
        flag = flags.get(f"--wake {value}")
        if flag is None:
            cli.checks.skip(f"{name} CLI: --wake {value}", "this CLI's settings table has no --wake row needing it")
            continue
        available = release_tuple(series) >= release_tuple(since)
        print(f"  --wake {value:<15} {'available' if flag['works'] else 'unavailable'}: {flag['reason']}")
        if available:
            cli.checks.check(f"{name} CLI: --wake {value} available ({constant}, {since})", flag["works"] is True,
                             flag["reason"])
        else:
            cli.checks.check(f"{name} CLI: --wake {value} unavailable, naming {constant} (Linux {since})",
                             flag["works"] is False and f"{constant} (Linux {since})" in flag["reason"],
                             flag["reason"])


def check_cli_on_host(cli):
    if not os.path.exists(ADDON):
        cli.checks.skip("host CLI: probe-kernel on this host", f"the addon is not built ({ADDON}): npm run build:native")
        return
    cli.expect("host", [], 0)
    # A filter like a container's default profile, installed around the CLI by seccomp-exec.
    build = subprocess.run(["cmake", "--build", STATIC_BUILD, "--target", "seccomp-exec"],
                           capture_output=True, text=True)
    tool = os.path.join(STATIC_BUILD, "seccomp-exec")
    if build.returncode != 0 or not os.path.exists(tool):
        cli.checks.check("host CLI: seccomp-exec built", False, (build.stdout + build.stderr).strip()[-300:])
        return
    cli.expect("host under seccomp", [], 3, want_cause="seccomp", wrapper=(tool, "io_uring_setup", "--"))
    cli.expect_unusable("host under seccomp", [], wrapper=(tool, "io_uring_setup", "--"))


def knob_run(boot_dir, knob, system):
    """What loop-bench did with a knob in a guest: ("ran", ops), ("refused", message) or ("failed", why)."""
    label = f"knob-{knob}-{system}"
    rc = read_text(os.path.join(boot_dir, f"{label}.rc"))
    text = read_text(os.path.join(boot_dir, f"{label}.out")) or ""
    if rc is None:
        return "failed", f"{label} did not run (see console.log)"
    if rc == "3":
        message = next((l for l in text.splitlines() if l.startswith("loop-bench: ")), None)
        return ("refused", message[len("loop-bench: "):]) if message else ("failed", f"exit 3 without a message: {text[:200]}")
    line = next((l for l in text.splitlines() if l.startswith("{")), None)
    try:
        ops = json.loads(line)["ops"] if rc == "0" else None
    except (TypeError, ValueError, KeyError) as error:
        return "failed", f"exit 0 without its JSON line ({error})"
    if ops is None:
        return "failed", f"exit {rc}: {text[-200:]}"
    return ("ran", ops) if ops == KNOB_OPS else ("failed", f"ran {ops} ops, not {KNOB_OPS}")


def knob_text(outcome, detail):
    return {"ran": f"ran {detail} ops", "refused": f"refused: {detail}"}.get(outcome, f"FAILED: {detail}")


def knob_configurations(checks, name, probe_path):
    """`bench --config` per knob on a guest's probe (one run per op the knobs use): {knob: its
    comparison configuration}, or None."""
    by_knob = {}
    for op in ("nop", *sorted(set(KNOB_OPS_OF.values()))):
        knobs = [knob for knob in KNOBS if KNOB_OPS_OF.get(knob[0], "nop") == op]
        found = op_knob_configurations(checks, f"{name} CLI ({op})", probe_path, op, knobs)
        if found is None:
            return None
        by_knob.update(found)
    return by_knob


def op_knob_configurations(checks, name, probe_path, op, knobs):
    """`bench --op OP --config` per knob of `knobs` on a guest's probe, or None."""
    configs = [arg for _, config, _, _ in knobs if config for arg in ("--config", config)]
    base = [op if arg == "nop" else arg for arg in KNOB_BENCH_ARGS]
    command = ["node", CLI, "bench", *base, *configs, "--json"]
    env = dict(os.environ, IOURING_BENCH_PROBE_INPUT=probe_path)
    output = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=env)
    try:
        document = json.loads(output.stdout)
    except ValueError as error:
        document = {}
        checks.check(f"{name}: bench --config prints one JSON document", False,
                     f"{error}; stderr: {output.stderr.strip()[:300]}")
    checks.check(f"{name}: bench --config ... on the guest's probe exits 0", output.returncode == 0,
                 f"exit {output.returncode}: {json.dumps(document.get('error'))}")
    configurations = (document.get("comparison") or {}).get("configurations")
    if configurations is None:
        return None
    # A workload per configuration that ran (on this host), named as the configuration.
    ran = {workload["name"]: workload for workload in document.get("workloads", [])}
    by_knob = {}
    for knob, config, _, _ in knobs:
        found = next((c for c in configurations if (c["name"] == config if config else not c["knobs"])), None)
        if found is not None:
            found = dict(found, workload=ran.get(found["name"]))
        by_knob[knob] = found
    return by_knob


# The ring knobs advise races, by their entry in KNOBS (its release in `since`).
ADVISE_KNOBS = ("defer-taskrun", "coop-taskrun", "no-sqarray", "ring-fd", "sqpoll")
ADVISE_ARGS = ["--op", "nop", "--depth", "8", "--duration", "50ms", "--warmup", "10ms", "--budget", "3s", "--json"]


def check_advise(checks, name, probe_path, series):
    """advise on a guest's probe (on this host): an answer from the knobs the guest has, each
    knob it lacks skipped with the release that has it, and no candidate using one."""
    env = dict(os.environ, IOURING_BENCH_PROBE_INPUT=probe_path)
    output = subprocess.run(["node", CLI, "advise", *ADVISE_ARGS], capture_output=True, text=True, cwd=REPO, env=env)
    try:
        document = json.loads(output.stdout)
    except ValueError as error:
        checks.check(f"{name} CLI: advise prints one JSON document", False, f"{error}; stderr: {output.stderr.strip()[:300]}")
        return
    checks.check(f"{name} CLI: advise on the guest's probe exits 0", output.returncode == 0,
                 f"exit {output.returncode}: {json.dumps(document.get('error'))}")
    if output.returncode != 0:
        return
    level = IO_URING_OF_SERIES.get(series, series)
    skipped = {"=".join(next(iter(entry["knobs"].items()))): entry["reason"] for entry in document["skipped"]}
    flags = " ".join(candidate["flags"] for candidate in document["candidates"])
    winners = [candidate["flags"] for candidate in document["candidates"] if candidate["outcome"] == "winner"]
    print(f"----- {name}: advise (CLI on its probe): {len(document['candidates'])} raced, advised {winners}")
    checks.check(f"{name} CLI: advise names one advised configuration", len(winners) == 1, str(winners))
    for knob in ADVISE_KNOBS:
        since = next(entry[3] for entry in KNOBS if entry[0] == knob)
        reason = skipped.get(f"{knob}=on")
        if release_tuple(level) >= release_tuple(since):
            checks.check(f"{name} CLI: advise races --{knob} (io_uring of {level}, needs Linux {since})",
                         reason is None, reason or "raced")
        else:
            checks.check(f"{name} CLI: advise skips --{knob}, naming the release that has it, and no candidate uses it",
                         reason is not None and "(Linux " in reason and f"--{knob}" not in flags, str(reason))


def check_knobs(checks, name, boot_dir, series, cli_problem):
    """Each ring knob in the guest (loop and raw ring) against the CLI's verdict on the guest's probe."""
    configurations = None
    if cli_problem is None:
        configurations = knob_configurations(checks, name, os.path.join(boot_dir, "probe.out"))
    level = IO_URING_OF_SERIES.get(series, series)
    print(f"----- {name}: ring knobs (guest: loop-bench, loop and raw ring; CLI: bench --config on its probe)")
    for knob, config, constants, since in KNOBS:
        runs = {system: knob_run(boot_dir, knob, system) for system in ("loop", "raw")}
        config_of = (configurations or {}).get(knob)
        cli_text = ("CLI " + ("skipped: " + config_of["skipped"] if config_of.get("skipped") else "ran")
                    if config_of else "CLI -")
        print(f"  {knob:<14} loop {knob_text(*runs['loop'])}; raw {knob_text(*runs['raw'])}; {cli_text}")
        checks.check(f"{name}: knob {knob}: ran {KNOB_OPS} ops or refused (exit 3), on the loop and the raw ring",
                     all(outcome in ("ran", "refused") for outcome, _ in runs.values()),
                     "; ".join(f"{system} {knob_text(*run)}" for system, run in runs.items()))
        outcomes = {outcome for outcome, _ in runs.values()}
        checks.check(f"{name}: knob {knob}: the loop and the raw ring agree", len(outcomes) == 1,
                     f"loop {runs['loop'][0]}, raw {runs['raw'][0]}")
        want_run = since is None or release_tuple(level) >= release_tuple(since)
        checks.check(f"{name}: knob {knob} {'runs' if want_run else 'refused'} (io_uring of {level}"
                     f"{'' if since is None else ', needs Linux ' + since})",
                     outcomes == {"ran" if want_run else "refused"}, f"loop {runs['loop'][0]}, raw {runs['raw'][0]}")
        if configurations is None:
            continue  # no CLI part (cli_problem), or the run failed: a failed check says so
        label = f"{name} CLI: knob {knob}"
        if config_of is None:
            checks.check(f"{label}: a configuration in comparison.configurations", False,
                         f"no configuration {config or 'as given'}")
            continue
        skipped = config_of.get("skipped")
        refused = {system for system, (outcome, _) in runs.items() if outcome == "refused"}
        checks.check(f"{label}: skipped exactly where the guest refused it (loop and raw ring)",
                     all((system in refused) == bool(skipped) for system in runs),
                     f"CLI {'skipped: ' + skipped if skipped else 'ran it'}; guest refused on "
                     f"{', '.join(sorted(refused)) or 'neither'}")
        if skipped:
            match = re.search(r"(IORING_\w+) \(Linux (\d+\.\d+)\)", skipped)
            checks.check(f"{label}: the skip names an IORING_ constant of the knob and a Linux release",
                         bool(match) and match.group(1) in constants, skipped)
        else:
            systems = (config_of.get("workload") or {}).get("systems") or []
            checks.check(f"{label}: ran {KNOB_OPS} ops on this host",
                         bool(systems) and all(s.get("ops") == KNOB_OPS and not s.get("error") for s in systems),
                         json.dumps([{k: s.get(k) for k in ("system", "ops", "error")} for s in systems]))


def gtest_results(text):
    """(ran, passed, failed and skipped test names) from gtest's output."""
    ran = set(re.findall(r"^\[ RUN      \] (\S+)", text, re.M))
    passed = set(re.findall(r"^\[       OK \] (\S+)", text, re.M))
    failed = set(re.findall(r"^\[  FAILED  \] (\S+) \(", text, re.M))
    skipped = set(re.findall(r"^\[  SKIPPED \] (\S+) \(", text, re.M))
    return ran, passed, failed, skipped


def check_unprivileged(checks, name, boot_dir, series, validator):
    probe, problem = load_probe(os.path.join(boot_dir, "probe-nobody.out"))
    if probe is None:
        checks.check(f"{name} unprivileged: probe output", False, problem)
        return
    env = probe["environment"]
    sqpoll = trial(probe, 1 << 1)
    largest = trial(probe, 0, 32768)
    print(f"----- {name} unprivileged (uid {env['euid']}, memlock {env['memlock']['soft']}): "
          f"io_uring_setup {outcome_text(probe['setup'])}, SQPOLL {outcome_text(sqpoll)}, "
          f"32768-entry ring {outcome_text(largest)}")
    check_probe_common(checks, f"{name} unprivileged", probe, validator)
    checks.check(f"{name} unprivileged: runs as uid 65534 without CAP_SYS_ADMIN, memlock 64 KiB",
                 env["euid"] == 65534 and env["capSysAdmin"] is False and env["memlock"]["soft"] == 65536,
                 f"euid={env['euid']} capSysAdmin={env['capSysAdmin']} memlock={env['memlock']['soft']}")
    # Debian's 5.10 behaves like 5.15 here too: its io_uring is the 5.15 stable backport.
    for label, item in (("io_uring_setup", probe["setup"]), ("SQPOLL (no privilege from 5.13)", sqpoll),
                        ("a 32768-entry ring (no memlock charge from 5.12)", largest)):
        checks.check(f"{name} unprivileged: {label} accepted", bool(item) and item["ok"], outcome_text(item))


def check_loop_tests(checks, name, boot_dir, probe):
    path = os.path.join(boot_dir, "tests.out")
    if not os.path.exists(path):
        checks.check(f"{name}: native loop tests ran", False, "no output (see console.log)")
        return
    with open(path) as file:
        text = file.read()
    ran, passed, failed, skipped = gtest_results(text)
    rc = read_text(os.path.join(boot_dir, "tests.rc"))
    checks.check(f"{name}: native loop tests passed ({len(passed)} passed, {len(skipped)} skipped)",
                 rc == "0" and not failed and ran and ran == passed | skipped,
                 f"rc={rc}, failed: {', '.join(sorted(failed)) or '-'}, "
                 f"unfinished: {', '.join(sorted(ran - passed - skipped - failed)) or '-'}")
    expected = expected_skips(ran, probe)
    checks.check(f"{name}: loop tests skipped only where the probe says the kernel refuses",
                 skipped == expected,
                 f"skipped {sorted(skipped)}, expected {sorted(expected)}")


def read_text(path):
    try:
        with open(path) as file:
            return file.read().strip()
    except OSError:
        return None


def load_probe(path):
    text = read_text(path)
    if not text:
        return None, "no probe output"
    line = next((l for l in text.splitlines() if l.startswith("{")), None)
    try:
        return json.loads(line), None
    except (TypeError, ValueError) as error:
        return None, f"probe output is not JSON: {error}"


def read_summary():
    rows = {}
    path = os.path.join(OUT_DIR, "summary.tsv")
    with open(path) as file:
        header = file.readline().rstrip("\n").split("\t")
        for line in file:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            rows[row["name"]] = row
    return rows


def main(argv):
    started = time.monotonic()
    if argv[:1] == ["--no-run"]:
        runner_rc = None
    else:
        print(f"kernel-matrix: scripts/kernels/run-kernels.sh {' '.join(argv)}", flush=True)
        runner_rc = subprocess.call([os.path.join(REPO, "scripts", "kernels", "run-kernels.sh"),
                                     "-o", OUT_DIR, *argv])
    checks = Checks()
    validator, no_validator = schema_validator()
    if validator is None:
        checks.skip("schema validation of every probe", no_validator)

    print("===== kernel matrix: facts and checks =====")
    fixtures = os.path.join(REPO, "test", "fixtures", "raw-probe")
    if validator is not None:
        for fixture in sorted(f for f in os.listdir(fixtures) if f.endswith(".json")):
            with open(os.path.join(fixtures, fixture)) as file:
                errors = list(validator.iter_errors(json.load(file)))
            checks.check(f"fixture {fixture} matches the schema", not errors,
                         "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:3]))
    # The host: the same static probe, natively.
    if os.path.exists(STATIC_PROBE):
        output = subprocess.run([STATIC_PROBE], capture_output=True, text=True)
        checks.check("host: static iouring-probe exits 0", output.returncode == 0, output.stderr.strip())
        try:
            host = json.loads(output.stdout)
        except ValueError as error:
            host = None
            checks.check("host: probe output is JSON", False, str(error))
        if host:
            print_facts("host", host)
            check_probe_common(checks, "host", host, validator)
            if host["setup"]["ok"]:
                check_loop_capable(checks, "host", host, single_issuer=True)
            else:
                checks.skip("host: loop checks", f"io_uring_setup refused here: {host['setup']['error']}")
    else:
        checks.check("host: static iouring-probe was built", False, STATIC_PROBE)

    if os.path.exists(CLI_COMMAND):
        cli = CliChecks(checks)
        check_cli_on_host(cli)
    else:
        cli = None
        checks.skip("CLI: probe-kernel verdicts", f"dist/ is not built ({CLI_COMMAND}): npm run build:ts")
    # The knobs' configurations the guest's probe allows run on this host, through the addon.
    knob_cli_problem = (f"dist/ is not built ({BENCH_COMMAND}): npm run build:ts" if not os.path.exists(BENCH_COMMAND)
                        else f"the addon is not built ({ADDON}): npm run build:native" if not os.path.exists(ADDON)
                        else None)
    if knob_cli_problem is not None:
        checks.skip("CLI: bench --config per ring knob on each guest's probe", knob_cli_problem)

    try:
        summary = read_summary()
    except OSError as error:
        summary = {}
        checks.check("run-kernels.sh wrote its summary", False, str(error))

    for name, row in summary.items():
        boot_dir = os.path.join(OUT_DIR, name)
        if row["status"] == "skip":
            checks.skip(f"kernel {name}", row["detail"])
            continue
        checks.check(f"{name}: guest booted, ran its commands and powered off ({row['seconds']} s)",
                     row["status"] == "ok", f"{row['status']}: {row['detail']}")
        probe, problem = load_probe(os.path.join(boot_dir, "probe.out"))
        if probe is None:
            checks.check(f"{name}: probe output", False, problem)
            continue
        print_facts(name, probe)
        check_probe_common(checks, name, probe, validator)
        series = row["series"]
        checks.check(f"{name}: runs a {series} kernel", probe["kernel"]["release"].startswith(series + "."),
                     probe["kernel"]["release"])
        if cli is not None:
            if name == "6.12-disabled":
                cli.expect(name, ["--input", os.path.join(boot_dir, "probe.out")], 3, want_cause="io_uring_disabled")
                cli.expect_unusable(name, ["--input", os.path.join(boot_dir, "probe.out")])
            else:
                want = 3 if series == "5.10" else 0
                cli.expect(name, ["--input", os.path.join(boot_dir, "probe.out")], want)
                cli.expect(f"{name} unprivileged", ["--input", os.path.join(boot_dir, "probe-nobody.out")], want)
                check_wake_needs(cli, name, os.path.join(boot_dir, "probe.out"), series)
        if name == "6.12-disabled":
            env = probe["environment"]
            checks.check(f"{name}: io_uring_setup refused with EPERM",
                         not probe["setup"]["ok"] and probe["setup"]["error"] == "EPERM",
                         outcome_text(probe["setup"]))
            checks.check(f"{name}: kernel.io_uring_disabled reads 2", env["ioUringDisabled"] == 2,
                         str(env["ioUringDisabled"]))
            checks.check(f"{name}: no seccomp filter (the sysctl is the cause)", env["seccompMode"] == 0,
                         str(env["seccompMode"]))
            continue
        check_loop_capable(checks, name, probe, single_issuer=series != "5.10")
        check_unprivileged(checks, name, boot_dir, series, validator)
        if series in ("5.10", "6.1"):
            checks.check(f"{name}: no kernel.io_uring_disabled sysctl before 6.6",
                         probe["environment"]["ioUringDisabled"] is None,
                         str(probe["environment"]["ioUringDisabled"]))
        check_loop_tests(checks, name, boot_dir, probe)
        check_knobs(checks, name, boot_dir, series, knob_cli_problem)
        if knob_cli_problem is None:
            check_advise(checks, name, os.path.join(boot_dir, "probe.out"), series)

    if runner_rc not in (None, 0):
        checks.check("run-kernels.sh exit status", False, f"rc={runner_rc}")
    print(f"kernel-matrix wall time {time.monotonic() - started:.1f} s")
    print(f"kernel-matrix: {checks.passed} passed, {checks.failed} failed, {checks.skipped} skipped")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
