// The explanation layer on real raw probes (test/fixtures/raw-probe/: the host, Debian 5.10, 6.1
// and 6.12 under qemu, io_uring_disabled=2, a seccomp filter), and on copies of them with one
// environment fact changed, for the causes no real kernel here shows.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {describe, test} from 'node:test'

import {UsageError} from '../../src/errors.ts'
import type {RawProbe} from '../../src/model/native.ts'
import type {ProbeEvaluation} from '../../src/model/probe.ts'
import {explainSetupRefusal, ringLockedBytes} from '../../src/probe/causes.ts'
import {probeDocument} from '../../src/probe/document.ts'
import {evaluateProbe} from '../../src/probe/evaluate.ts'
import {explainNativeError, explainPinnedBuffers} from '../../src/probe/explain.ts'
import {identifyKernel} from '../../src/probe/kernel.ts'
import {checkRequirements, resolveRequirements} from '../../src/probe/requirements.ts'
import {schemaErrors, validateProbeDocument} from '../helpers/probe-schema.ts'

const FIXTURES = new URL('../fixtures/raw-probe/', import.meta.url)

function fixture(name: string): RawProbe {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as RawProbe
}

/** A real probe with some facts changed: the causes this machine cannot show for real. */
function variant(name: string, change: (raw: RawProbe) => void): RawProbe {
  const raw = fixture(name)
  change(raw)
  return raw
}

function requireAll(evaluation: ProbeEvaluation, ...names: string[]) {
  return checkRequirements(resolveRequirements(names), evaluation)
}

function benchFlag(evaluation: ProbeEvaluation, flag: string) {
  const found = evaluation.verdict.benchFlags.find((candidate) => candidate.flag === flag)
  assert.ok(found, flag)
  return found
}

const SI_ON_510 =
  'SINGLE_ISSUER|DEFER_TASKRUN refused (EINVAL): SINGLE_ISSUER appeared in Linux 6.0 and DEFER_TASKRUN in 6.1; this is 5.10.262 (Debian)'

describe('probe explanations on real kernels', () => {
  for (const file of readdirSync(FIXTURES).filter((name) => name.endsWith('.json'))) {
    test(`${file}: the document validates against schemas/probe.schema.json`, () => {
      const raw = fixture(file.replace(/\.json$/, ''))
      const document = probeDocument(raw, evaluateProbe(raw), {
        toolVersion: '0.0.0',
        file,
        requirements: requireAll(evaluateProbe(raw), 'loop', 'single-issuer', 'EXT_ARG'),
      })
      assert.ok(validateProbeDocument(document), schemaErrors(validateProbeDocument))
    })
  }

  test('the schema refuses a document that strays from it', () => {
    const raw = fixture('debian-6.1')
    const document = probeDocument(raw, evaluateProbe(raw), {toolVersion: '0.0.0', file: null, requirements: null}) as unknown as Record<
      string,
      any
    >
    document.features.extra = true
    assert.equal(validateProbeDocument(document), false)
    delete document.features.extra
    document.raw.setup.ok = 'yes'
    assert.equal(validateProbeDocument(document), false)
    document.raw.setup.ok = true
    assert.ok(validateProbeDocument(document), schemaErrors(validateProbeDocument))
  })

  for (const name of ['debian-5.10', 'debian-5.10-unprivileged']) {
    test(`${name}: the baseline is met (a backport), single-issuer is not, by EINVAL and the release`, () => {
      const evaluation = evaluateProbe(fixture(name))
      assert.equal(evaluation.kernel.label, '5.10.262 (Debian)')
      assert.deepEqual(evaluation.kernel.distribution, {name: 'Debian', version: '5.10.262-1'})
      assert.equal(evaluation.kernel.release, '5.10.0-46-cloud-amd64')
      assert.equal(evaluation.usability.usable, true)
      assert.equal(evaluation.verdict.loop.met, true)
      assert.match(
        evaluation.verdict.loop.reason,
        /multishot POLL_ADD appeared in Linux 5\.13; this 5\.10\.262 \(Debian\) has it all the same, a backport/,
      )
      assert.deepEqual(evaluation.verdict.singleIssuer, {met: false, reason: SI_ON_510})
      assert.deepEqual(
        evaluation.verdict.benchFlags.filter((flag) => !flag.works).map((flag) => flag.flag),
        [
          '--wake msg-ring',
          '--wake futex-op',
          '--single-issuer',
          '--defer-taskrun',
          '--coop-taskrun',
          '--taskrun-flag',
          '--submit-all',
          '--no-sqarray',
          '--ring-fd',
          '--io-poll',
          '--send-zc',
          '--multishot-recv',
        ],
      )
    })
  }

  test('debian-5.10: each refused setup flag is explained by the release that brought it', () => {
    const evaluation = evaluateProbe(fixture('debian-5.10'))
    const row = (name: string) => evaluation.setupFlags.find((candidate) => candidate.name === name)
    assert.deepEqual(row('SINGLE_ISSUER'), {
      bit: 12,
      name: 'SINGLE_ISSUER',
      firstKernel: '6.0',
      status: 'refused',
      triedAs: null,
      errno: 22,
      error: 'EINVAL',
      explanation: 'SINGLE_ISSUER appeared in Linux 6.0; this is 5.10.262 (Debian)',
      listedByKernel: null,
    })
    assert.equal(row('SQ_AFF')?.status, 'accepted')
    assert.equal(row('SQ_AFF')?.triedAs, 'SQPOLL|SQ_AFF')
    assert.equal(row('TASKRUN_FLAG')?.explanation, 'COOP_TASKRUN and TASKRUN_FLAG appeared in Linux 5.19; this is 5.10.262 (Debian)')
    const sizes = evaluation.ringSizes.map((size) => [size.what, size.ok, size.explanation])
    assert.deepEqual(sizes, [
      ['a CQ of 16777216 entries with CQSIZE|CLAMP', true, 'clamped to 65536'],
      ['a ring of 32768 SQ entries', true, null],
      ['a ring of 65536 SQ entries', false, "above the kernel's limit of 32768 SQ entries (IORING_MAX_ENTRIES)"],
    ])
  })

  test('debian-5.10: opcodes, features and register ops by name, each with its first release', () => {
    const evaluation = evaluateProbe(fixture('debian-5.10'))
    assert.equal(evaluation.opcodes.source, 'IORING_REGISTER_PROBE')
    assert.equal(evaluation.opcodes.rows.filter((row) => row.has).length, 37)
    assert.deepEqual(
      evaluation.opcodes.rows.find((row) => row.name === 'READ_MULTISHOT'),
      {number: 49, name: 'READ_MULTISHOT', firstKernel: '6.7', has: false},
    )
    assert.deepEqual(
      evaluation.features.rows.find((row) => row.name === 'EXT_ARG'),
      {number: 8, name: 'EXT_ARG', firstKernel: '5.11', has: true},
    )
    assert.equal(evaluation.registerOps.count, 20)
    assert.equal(evaluation.registerOps.source, 'IORING_REGISTER_RESTRICTIONS search')
    const [multishot, ext, pbuf] = requireAll(evaluation, 'read_multishot', 'IORING_FEAT_EXT_ARG', 'REGISTER_PBUF_RING')
    assert.deepEqual(
      [multishot.met, multishot.reason],
      [false, 'not supported: READ_MULTISHOT appeared in Linux 6.7; this is 5.10.262 (Debian)'],
    )
    assert.deepEqual([ext.met, ext.reason], [true, 'present'])
    assert.deepEqual(
      [pbuf.met, pbuf.reason],
      [false, 'unknown to the kernel: REGISTER_PBUF_RING appeared in Linux 5.19; this is 5.10.262 (Debian)'],
    )
  })

  // What each kernel lacks of the bench's flags, besides --io-poll: what came after it.
  const later: Record<string, string[]> = {'debian-6.1': ['--wake futex-op', '--no-sqarray'], 'debian-6.12': [], 'host-6.18': []}
  for (const [name, unmetLater] of Object.entries(later)) {
    test(`${name}: the baseline and single-issuer are both met; --io-poll fails, and what came after the kernel`, () => {
      const evaluation = evaluateProbe(fixture(name))
      assert.equal(evaluation.verdict.loop.met, true, evaluation.verdict.loop.reason)
      assert.doesNotMatch(evaluation.verdict.loop.reason, /backport/)
      assert.deepEqual(evaluation.verdict.singleIssuer, {
        met: true,
        reason: 'SINGLE_ISSUER|DEFER_TASKRUN accepted and multishot POLL_ADD works on that ring',
      })
      assert.deepEqual(
        evaluation.verdict.benchFlags.filter((flag) => !flag.works).map((flag) => flag.flag),
        [...unmetLater, '--io-poll'],
      )
      assert.equal(
        benchFlag(evaluation, '--io-poll').reason,
        'an IOPOLL ring refuses POLL_ADD (EINVAL): it takes only polled read/write ops, and the loop wakes through a POLL_ADD on an eventfd',
      )
      assert.ok(requireAll(evaluation, 'single-issuer', 'loop', 'SINGLE_ISSUER', 'defer_taskrun').every((result) => result.met))
    })
  }

  test('debian-6.12: what 6.12 refuses is what came after it', () => {
    const evaluation = evaluateProbe(fixture('debian-6.12'))
    const refused = evaluation.setupFlags.filter((row) => row.status === 'refused').map((row) => `${row.name}: ${row.explanation}`)
    assert.deepEqual(refused, [
      'HYBRID_IOPOLL: HYBRID_IOPOLL appeared in Linux 6.13; this is 6.12.118 (Debian)',
      'CQE_MIXED: CQE_MIXED appeared in Linux 6.18; this is 6.12.118 (Debian)',
      'SQE_MIXED: SQE_MIXED appeared in Linux 6.19; this is 6.12.118 (Debian)',
      'SQ_REWIND: SQ_REWIND appeared in Linux 7.0; this is 6.12.118 (Debian)',
    ])
  })

  test('host-6.18: IORING_REGISTER_QUERY lists setup flags; the register ops are counted by it', () => {
    const evaluation = evaluateProbe(fixture('host-6.18'))
    assert.equal(evaluation.kernel.label, '6.18.44')
    assert.equal(evaluation.kernel.distribution, null)
    assert.equal(evaluation.setupFlags.find((row) => row.name === 'CQE_MIXED')?.listedByKernel, true)
    assert.equal(evaluation.setupFlags.find((row) => row.name === 'SQE_MIXED')?.listedByKernel, false)
    assert.equal(evaluation.registerOps.source, 'IORING_REGISTER_QUERY')
    assert.equal(evaluation.registerOps.count, 36)
  })

  test('debian-6.12-io_uring_disabled-2: the cause is the sysctl, with the fix', () => {
    const evaluation = evaluateProbe(fixture('debian-6.12-io_uring_disabled-2'))
    assert.equal(evaluation.usability.usable, false)
    assert.deepEqual(evaluation.usability.setup, {ok: false, errno: 1, error: 'EPERM'})
    assert.equal(evaluation.usability.cause?.id, 'io_uring_disabled')
    assert.equal(evaluation.usability.cause?.summary, 'kernel.io_uring_disabled=2: io_uring is disabled for every process, root included')
    assert.match(evaluation.usability.cause?.fix ?? '', /sysctl -w kernel\.io_uring_disabled=0/)
    const reason = 'io_uring cannot be used here: kernel.io_uring_disabled=2: io_uring is disabled for every process, root included'
    assert.deepEqual(evaluation.verdict.loop, {met: false, reason})
    assert.deepEqual(evaluation.verdict.singleIssuer, {met: false, reason})
    assert.ok(evaluation.verdict.benchFlags.every((flag) => !flag.works && flag.reason === reason))
    for (const result of requireAll(evaluation, 'NOP', 'EXT_ARG', 'SQPOLL', 'op-timeout'))
      assert.deepEqual([result.met, result.reason], [false, reason])
    assert.equal(evaluation.opcodes.unavailable, 'not tested: io_uring_setup refused (EPERM)')
  })

  test('host-6.18-seccomp-eperm: the cause is the seccomp filter; the kernel itself has io_uring', () => {
    const evaluation = evaluateProbe(fixture('host-6.18-seccomp-eperm'))
    assert.equal(evaluation.usability.cause?.id, 'seccomp')
    assert.match(
      evaluation.usability.cause?.summary ?? '',
      /^a seccomp filter \(1 on this thread\) makes io_uring_setup fail with EPERM, as a container runtime's default profile does/,
    )
    assert.match(evaluation.usability.cause?.fix ?? '', /allows io_uring_setup, io_uring_enter and io_uring_register/)
    assert.deepEqual(evaluation.usability.notes, [
      'IORING_REGISTER_QUERY answered, so this kernel has io_uring: something refuses io_uring_setup for this process',
    ])
    assert.equal(evaluation.verdict.loop.met, false)
  })
})

describe('probe explanations of causes no kernel here shows', () => {
  test('io_uring_disabled=1 without the group or CAP_SYS_ADMIN: the group is the cause', () => {
    const raw = variant('debian-6.12-io_uring_disabled-2', (probe) => {
      Object.assign(probe.environment, {
        ioUringDisabled: 1,
        ioUringGroup: 1001,
        capSysAdmin: false,
        euid: 1000,
        egid: 1000,
        groups: [1000, 27],
      })
    })
    const cause = evaluateProbe(raw).usability.cause
    assert.equal(cause?.id, 'io_uring_group')
    assert.equal(
      cause?.summary,
      'kernel.io_uring_disabled=1: only CAP_SYS_ADMIN and members of group 1001 (kernel.io_uring_group) may use io_uring, and this process (uid 1000, gid 1000, groups 1000,27) is neither',
    )
    assert.match(cause?.fix ?? '', /add this user to group 1001/)
  })

  test('io_uring_disabled=1 and io_uring_group=-1: only CAP_SYS_ADMIN may', () => {
    const raw = variant('debian-6.12-io_uring_disabled-2', (probe) => {
      Object.assign(probe.environment, {ioUringDisabled: 1, ioUringGroup: -1, capSysAdmin: false, euid: 1000, egid: 1000, groups: []})
    })
    assert.match(
      evaluateProbe(raw).usability.cause?.summary ?? '',
      /kernel\.io_uring_group=-1: only CAP_SYS_ADMIN may use io_uring, and this process \(uid 1000, gid 1000\) lacks it/,
    )
  })

  test('io_uring_disabled=1 that lets this process through is a note, not a cause', () => {
    const raw = variant('debian-6.12', (probe) => Object.assign(probe.environment, {ioUringDisabled: 1}))
    const {usability} = evaluateProbe(raw)
    assert.equal(usability.cause, null)
    assert.deepEqual(usability.notes, [
      'kernel.io_uring_disabled=1: this process may use io_uring because it has CAP_SYS_ADMIN; other processes may not',
    ])
  })

  test('EPERM with nothing in the way names the candidates left, not a guess', () => {
    const raw = variant('debian-6.12-io_uring_disabled-2', (probe) => Object.assign(probe.environment, {ioUringDisabled: 0}))
    const cause = evaluateProbe(raw).usability.cause
    assert.equal(cause?.id, 'unknown')
    assert.match(
      cause?.summary ?? '',
      /kernel\.io_uring_disabled=0 allows this process and no seccomp filter is installed; a Linux security module/,
    )
  })

  test('ENOMEM before 5.12 is the memlock limit', () => {
    const raw = variant('debian-5.10-unprivileged', (probe) =>
      Object.assign(probe.setup, {ok: false, errno: 12, error: 'ENOMEM', granted: null}),
    )
    const cause = evaluateProbe(raw).usability.cause
    assert.equal(cause?.id, 'memlock')
    assert.equal(
      cause?.summary,
      "before Linux 5.12 ring memory counts against RLIMIT_MEMLOCK, summed over this user's rings; this is 5.10.262 (Debian), and of its 64 KiB the user's other rings leave less than the 8 KiB a ring of 8 entries needs",
    )
    assert.match(cause?.fix ?? '', /ulimit -l/)
  })

  test('ENOMEM before 5.12 under a memlock limit below the ring: the limit, what the ring needs and the ulimit line', () => {
    const raw = variant('debian-5.10-unprivileged', (probe) => {
      Object.assign(probe.setup, {ok: false, errno: 12, error: 'ENOMEM', granted: null})
      probe.environment.memlock = {soft: 0, hard: 'unlimited'}
    })
    assert.equal(
      evaluateProbe(raw).usability.cause?.summary,
      "RLIMIT_MEMLOCK is 0 B, a ring of 8 entries needs about 8 KiB: ulimit -l 1000; before Linux 5.12 ring memory counts against it, summed over this user's rings; this is 5.10.262 (Debian)",
    )
  })

  test("a ring above the kernel's maximum (4096 entries before 5.4) names the maximum", () => {
    const kernel = identifyKernel({release: '5.3.0-1-amd64', version: '#1 SMP Debian 5.3.9-1', machine: 'x86_64', versionSignature: null})
    assert.equal(
      explainSetupRefusal({flags: 0, entries: 8192, error: 'EINVAL'}, {kernel, environment: null, registerAnswered: null}),
      'rings of up to 32768 SQ entries (IORING_MAX_ENTRIES; 4096 before) appeared in Linux 5.4; this is 5.3.9 (Debian): a ring of at most 4096 entries here',
    )
  })

  test("a benchmark ring of 32768 refused with ENOMEM before 5.12 names what it needs of this process's memlock limit", () => {
    const kernel = evaluateProbe(variant('debian-5.10-unprivileged', () => {})).kernel
    const text = explainSetupRefusal(
      {flags: 0, entries: 32768, error: 'ENOMEM'},
      {kernel, environment: null, registerAnswered: null, memlock: {soft: 64 * 1024, hard: 64 * 1024}},
    )
    assert.match(
      text,
      /^RLIMIT_MEMLOCK is 64 KiB, a ring of 32768 entries needs about 4 MiB: ulimit -l 5000 \(the hard limit is 64 KiB too; raising that needs root\); before Linux 5\.12/,
    )
    assert.equal(ringLockedBytes(32768), 4 * 1024 ** 2)
  })

  test('ENOMEM from 5.12 on is memory, not memlock', () => {
    const raw = variant('debian-6.1', (probe) => Object.assign(probe.setup, {ok: false, errno: 12, error: 'ENOMEM', granted: null}))
    assert.equal(evaluateProbe(raw).usability.cause?.id, 'out_of_memory')
  })

  test('ENOSYS: built without io_uring, unless io_uring_register answered under a seccomp filter', () => {
    const notBuilt = variant('debian-6.1', (probe) => {
      Object.assign(probe.setup, {ok: false, errno: 38, error: 'ENOSYS', granted: null})
      Object.assign(probe.query, {ok: false, errno: 38, error: 'ENOSYS'})
    })
    assert.equal(evaluateProbe(notBuilt).usability.cause?.id, 'not_built')
    const filtered = variant('host-6.18-seccomp-eperm', (probe) => Object.assign(probe.setup, {errno: 38, error: 'ENOSYS'}))
    assert.match(
      evaluateProbe(filtered).usability.cause?.summary ?? '',
      /^a seccomp filter \(1 on this thread\) makes io_uring_setup fail with ENOSYS: a policy denial that looks like a missing syscall$/,
    )
  })

  test('SQPOLL refused with EPERM before 5.13 is the privilege it needed then', () => {
    const raw = variant('debian-5.10-unprivileged', (probe) => {
      const sqpoll = probe.setupTrials.find((trial) => trial.flags === 2)
      assert.ok(sqpoll)
      Object.assign(sqpoll, {ok: false, errno: 1, error: 'EPERM', granted: null})
    })
    const row = evaluateProbe(raw).setupFlags.find((candidate) => candidate.name === 'SQPOLL')
    assert.equal(
      row?.explanation,
      'SQPOLL without privilege (root before 5.11, CAP_SYS_NICE in 5.11 and 5.12) appeared in Linux 5.13; this is 5.10.262 (Debian)',
    )
  })

  test('a baseline that fails names what failed and the release that brought it', () => {
    const raw = variant('debian-5.10', (probe) => {
      Object.assign(probe.behaviour.multishotPoll ?? {}, {
        works: false,
        detail: 'eventfd write 1: CQE without IORING_CQE_F_MORE, the poll was not multishot',
      })
    })
    const {verdict} = evaluateProbe(raw)
    assert.deepEqual(verdict.loop, {
      met: false,
      reason:
        'multishot POLL_ADD on an eventfd failed: eventfd write 1: CQE without IORING_CQE_F_MORE, the poll was not multishot; multishot POLL_ADD appeared in Linux 5.13; this is 5.10.262 (Debian)',
    })
    assert.match(benchFlag(evaluateProbe(raw), '--op-timeout').reason, /^the loop itself cannot run here: multishot POLL_ADD/)
  })

  test('numbers newer than this tool are named by number', () => {
    const raw = variant('host-6.18', (probe) => {
      probe.features = {mask: 2 ** 18 - 1 + 2 ** 20, names: []}
      probe.opcodes?.supported.push({op: 70, name: 'op70'})
      Object.assign(probe.query, {ringSetupFlags: 2 ** 19 - 1 + 2 ** 23})
    })
    const evaluation = evaluateProbe(raw)
    assert.deepEqual(evaluation.features.rows.at(-1), {number: 20, name: 'bit20', firstKernel: null, has: true})
    assert.deepEqual(evaluation.opcodes.rows.at(-1), {number: 70, name: 'op70', firstKernel: null, has: true})
    const unknownFlag = evaluation.setupFlags.at(-1)
    assert.deepEqual([unknownFlag?.name, unknownFlag?.status, unknownFlag?.listedByKernel], ['bit23', 'not tried', true])
  })
})

describe('kernel identity', () => {
  test('Debian hides its version in uname -v, Ubuntu in /proc/version_signature', () => {
    assert.deepEqual(
      identifyKernel({
        release: '5.15.0-91-generic',
        version: '#101-Ubuntu SMP',
        machine: 'x86_64',
        versionSignature: 'Ubuntu 5.15.0-91.101-generic 5.15.131',
      }),
      {
        release: '5.15.0-91-generic',
        version: '#101-Ubuntu SMP',
        machine: 'x86_64',
        versionSignature: 'Ubuntu 5.15.0-91.101-generic 5.15.131',
        mainline: '5.15.131',
        distribution: {name: 'Ubuntu', version: '5.15.0-91.101-generic'},
        label: '5.15.131 (Ubuntu)',
      },
    )
    const backport = identifyKernel({
      release: '6.1.0-0.deb11.13-amd64',
      version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1~bpo11+1 (2023-10-08)',
      machine: 'x86_64',
      versionSignature: null,
    })
    assert.deepEqual([backport.mainline, backport.distribution?.version, backport.label], ['6.1.55', '6.1.55-1~bpo11+1', '6.1.55 (Debian)'])
    const plain = identifyKernel({
      release: '6.18.44-fc-v657',
      version: '#1 SMP PREEMPT_DYNAMIC @0',
      machine: 'x86_64',
      versionSignature: null,
    })
    assert.deepEqual([plain.mainline, plain.distribution, plain.label], ['6.18.44', null, '6.18.44'])
  })
})

describe('--require names', () => {
  test('case does not matter and IORING_ prefixes are accepted; each name counts once', () => {
    const resolved = resolveRequirements([
      'LOOP',
      'Single-Issuer',
      'IORING_SETUP_SQPOLL',
      'sqpoll',
      'ioring_op_read_multishot',
      'feat_ext_arg',
      'IORING_REGISTER_PBUF_RING',
      'io-poll',
    ])
    assert.deepEqual(
      resolved.map(({name, kind}) => `${kind}:${name}`),
      [
        'tool:loop',
        'tool:single-issuer',
        'setupFlag:SQPOLL',
        // bench's --sqpoll, a name of its own (it needs SQPOLL too)
        'tool:sqpoll',
        'opcode:READ_MULTISHOT',
        'feature:EXT_ARG',
        'registerOp:REGISTER_PBUF_RING',
        'tool:io-poll',
      ],
    )
  })

  test('an unknown name is a usage error listing every known one', () => {
    assert.throws(
      () => resolveRequirements(['loop', 'warp-drive']),
      (error: unknown) => {
        assert.ok(error instanceof UsageError)
        assert.equal(error.exitCode, 2)
        assert.match(
          error.message,
          /^--require: 'warp-drive' is not allowed; use loop, op-timeout, wake=msg-ring, wake=futex-op, single-issuer, defer-taskrun, coop-taskrun, taskrun-flag, sqpoll, sqpoll-cpu, cq-size, submit-all, no-sqarray, ring-fd, io-poll, fixed-files, fixed-buffers, send-zc, multishot-recv, a setup flag \(IOPOLL, .*SINGLE_ISSUER.*\), a feature \(.*EXT_ARG.*\), an opcode \(.*READ_MULTISHOT.*\) or a register op \(.*REGISTER_PBUF_RING.*\); case does not matter/,
        )
        return true
      },
    )
  })
})

describe('errors of a benchmark run are explained from the same table', () => {
  test('a refused SINGLE_ISSUER|DEFER_TASKRUN ring names the releases of both flags', () => {
    const text = explainNativeError({
      call: 'io_uring_setup',
      errno: 22,
      code: 'EINVAL',
      detail: 'entries=256 flags=SINGLE_ISSUER|DEFER_TASKRUN',
      message: 'io_uring_setup: Invalid argument (EINVAL): entries=256 flags=SINGLE_ISSUER|DEFER_TASKRUN',
    })
    assert.match(
      text,
      /^the kernel refused the ring \(io_uring_setup: Invalid argument \(EINVAL\): entries=256 flags=SINGLE_ISSUER\|DEFER_TASKRUN\): .*SINGLE_ISSUER appeared in Linux 6\.0 and DEFER_TASKRUN in 6\.1/,
    )
    assert.match(text, /run 'iouring-bench probe-kernel'/)
  })

  test('registered buffers refused with ENOMEM name RLIMIT_MEMLOCK, its value and how to raise it', () => {
    const error = {
      call: 'io_uring_register',
      errno: 12,
      code: 'ENOMEM',
      detail: 'raw ring REGISTER_BUFFERS of 256 buffers',
      message: 'io_uring_register: Cannot allocate memory (ENOMEM): raw ring REGISTER_BUFFERS of 256 buffers',
    }
    const text = explainPinnedBuffers(error, {soft: 8 << 20, hard: 8 << 20})
    assert.match(text, /^the kernel could not pin the registered buffers \(io_uring_register: Cannot allocate memory/)
    assert.match(
      text,
      /count against RLIMIT_MEMLOCK \(8 MiB here\); raise it \(`ulimit -l unlimited`, LimitMEMLOCK=infinity in a systemd unit, `docker run --ulimit memlock=-1`\)/,
    )
    assert.match(explainNativeError(error), /count against RLIMIT_MEMLOCK/)
  })

  test('EPERM lists the candidate causes and points at probe-kernel to tell which', () => {
    const text = explainNativeError({
      call: 'io_uring_setup',
      errno: 1,
      code: 'EPERM',
      detail: 'entries=128 flags=none',
      message: 'io_uring_setup: Operation not permitted (EPERM): entries=128 flags=none',
    })
    assert.match(
      text,
      /kernel\.io_uring_disabled, kernel\.io_uring_group or a seccomp filter .*; run 'iouring-bench probe-kernel' to see which$/,
    )
  })
})
