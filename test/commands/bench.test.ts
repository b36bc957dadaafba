import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'

import {PROBE_INPUT_VARIABLE} from '../../src/bench/kernel-needs.ts'
import {lines, runCli} from '../helpers/cli.ts'
import {assertValidJunit} from '../helpers/junit.ts'
import {parseResult} from '../helpers/schema.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'iob-bench-'))
const FIXTURES = fileURLToPath(new URL('../fixtures/raw-probe/', import.meta.url))

describe('bench', () => {
  test('--json prints one result document with the loop, the raw ring and their ratio', async () => {
    const {status, stdout, stderr} = await runCli(['bench', '--op', 'nop', '--depth', '16', '--ops', '20000', '--json'])
    assert.equal(status, 0, stderr)
    const document = parseResult(stdout)
    assert.equal(document.schemaVersion, 1)
    assert.equal(document.kind, 'iouring-bench/result')
    assert.match(document.kernel.release, /\d+\.\d+/)
    const [workload] = document.workloads
    assert.deepEqual(
      workload.systems.map((s: {system: string}) => s.system),
      ['loop', 'raw'],
    )
    for (const system of workload.systems) {
      assert.equal(system.error, null)
      assert.equal(system.ops, 20000)
      assert.equal(system.outcomes.expected, 20000)
      assert.ok(system.opsPerSec > 0)
      for (const key of ['p50', 'p90', 'p99', 'p999', 'p9999', 'max']) assert.ok(system.latency[key] > 0, key)
      assert.ok(system.latency.p50 <= system.latency.p99)
      assert.match(system.latency.histogram, /^HISTF/)
    }
    const loop = workload.systems[0]
    // Counters cover the measured phase: only ops in flight as the warm-up ended fall either side.
    assert.ok(Math.abs(loop.counters.opsCompleted - 20000) <= 16, String(loop.counters.opsCompleted))
    for (const name of [
      'capacityStalls',
      'stallNsMax',
      'wakesSent',
      'wakesReceived',
      'lateWakes',
      'futexParks',
      'wakeRearms',
      'sleeps',
      'skippedSleeps',
      'transientEnterErrors',
      'timeoutsFired',
      'opsAbandoned',
      'backpressureNs',
      'pendingOperations',
    ]) {
      assert.equal(typeof loop.counters[name], 'number', name)
    }
    assert.equal(workload.ratios[0].baseline, 'raw')
    assert.ok(workload.ratios[0].opsPerSec > 0)
    assert.equal(stderr, '', 'no progress or noise on stderr with --json')
  })

  test('--design same-thread runs each submitter as the driver of its own loop: nothing is handed over or woken', async () => {
    const {status, stdout, stderr} = await runCli([
      'bench',
      '--design',
      'same-thread',
      '--op',
      'nop',
      '--depth',
      '32',
      '--duration',
      '200ms',
      '--json',
    ])
    assert.equal(status, 0, stderr)
    const [workload] = parseResult(stdout).workloads
    assert.equal(workload.spec.drive.design, 'same-thread')
    assert.deepEqual(
      workload.systems.map((s: {system: string}) => s.system),
      ['loop', 'raw'],
    )
    const loop = workload.systems[0]
    assert.equal(loop.error, null)
    assert.ok(loop.ops > 0)
    assert.equal(loop.outcomes.expected, loop.ops)
    assert.ok(loop.counters.opsCompleted > 0)
    for (const name of ['wakesReceived', 'wakeRearms', 'wakesSent', 'backpressureWaits']) assert.equal(loop.counters[name], 0, name)
    assert.equal(workload.ratios[0].baseline, 'raw')
    assert.ok(workload.ratios[0].opsPerSec > 0)
  })

  test('the terminal report has the summary table, counters, ratio and kernel line', async () => {
    const {status, stdout} = await runCli([
      'bench',
      '--op',
      'timer',
      '--timer',
      '200us',
      '--depth',
      '4',
      '--duration',
      '300ms',
      '--warmup',
      '0',
    ])
    assert.equal(status, 0)
    assert.match(stdout, /^kernel \S+/)
    for (const text of ['ops/s', 'p99.99', 'CPU/op', 'loop vs raw:', 'capacity stalls', 'loop latency distribution:']) {
      assert.ok(stdout.includes(text), text)
    }
    assert.doesNotMatch(stdout, /\x1b\[/, 'no colour when not a TTY')
  })

  test('op timeouts are reported as such, with how late each was handled', async () => {
    const args = [
      'bench',
      '--op',
      'timer',
      '--timer',
      '50ms',
      '--op-timeout',
      '1ms',
      '--ops',
      '10',
      '--warmup',
      '0',
      '--depth',
      '2',
      '--vs',
      'raw',
    ]
    const {status, stdout} = await runCli([...args, '--json'])
    assert.equal(status, 0)
    const systems = parseResult(stdout).workloads[0].systems
    for (const system of systems) {
      assert.equal(system.outcomes.timedOut, 10, system.system)
      assert.equal(system.counters.timeoutsFired, 10, system.system)
      assert.equal(system.opTimeouts.lateness.count + system.opTimeouts.early, 10, system.system)
      assert.equal(system.opTimeouts.early, 0, system.system)
    }
    const text = await runCli(args)
    assert.match(text.stdout, /^loop: 10 op timeouts handled after their deadline by p50 [\d.]+ \S+ · p99 [\d.]+ \S+ · max [\d.]+ \S+$/m)
    assert.match(text.stdout, /^raw: 10 op timeouts handled after/m)
    // Without an op timeout firing there is nothing to report.
    const untimed = parseResult((await runCli(['bench', '--op', 'nop', '--ops', '100', '--vs', 'none', '--json'])).stdout)
    assert.equal(untimed.workloads[0].systems[0].opTimeouts, undefined)
  })

  test('--op-timeout none and --shutdown-timeout none, as shutdown-drill takes them, mean leaving them out', async () => {
    const args = ['bench', '--op', 'nop', '--ops', '100', '--warmup', '0', '--vs', 'none', '--json']
    const [given, left] = await Promise.all([runCli([...args, '--op-timeout', 'none', '--shutdown-timeout', 'none']), runCli(args)])
    assert.equal(given.status, 0, given.stdout)
    const spec = parseResult(given.stdout).workloads[0].spec
    assert.deepEqual(spec, parseResult(left.stdout).workloads[0].spec)
    assert.equal(spec.loop.opTimeoutNs, undefined)
  })

  const badInputs: Array<[string, string[], RegExp]> = [
    [
      'an unknown op',
      ['--op', 'teleport'],
      /^Error: --op: 'teleport' is not allowed; use one of: nop, timer, file-read, file-write, socket, stall, mix$/,
    ],
    [
      'ring size 0',
      ['--ring-size', '0'],
      /^Error: --ring-size: 0 is not allowed; use a whole number from 1 to 32768 \(the kernel maximum is 32768 entries\)$/,
    ],
    [
      'a ring above the kernel maximum',
      ['--ring-size', '40000'],
      /^Error: --ring-size: 40000 is not allowed; use a whole number from 1 to 32768/,
    ],
    [
      'a ring too big for op timeouts',
      ['--ring-size', '32768', '--op-timeout', '1s'],
      /^Error: --ring-size: 32768 is not allowed; use a whole number from 1 to 16384 \(with an op timeout/,
    ],
    ['a negative duration', ['--duration', '-1s'], /^Error: --duration: '-1s' is not allowed; durations cannot be negative$/],
    ['a zero duration', ['--duration', '0s'], /^Error: --duration: '0' is not allowed; the measured phase must last longer than 0/],
    [
      'zero ops (it used to mean: run for the default duration)',
      ['--ops', '0'],
      /^Error: --ops: 0 is not allowed; run at least 1 measured op \(or give --duration\)$/,
    ],
    ['a duration without a unit', ['--duration', '5'], /^Error: --duration: '5' is not allowed; use a number with a unit/],
    ['depth 0', ['--depth', '0'], /^Error: --depth: 0 is not allowed; use a whole number from 1 to 32768$/],
    ['a non-number', ['--depth', 'lots'], /^Error: --depth: 'lots' is not allowed; use a whole number$/],
    ['an unknown flag', ['--frobnicate'], /^Error: Nonexistent flag: --frobnicate$/],
    ['a flag given twice', ['--file-size', '4m', '--file-size', '5m'], /^Error: Flag --file-size can only be specified once$/],
    ['a flag without its value', ['--depth'], /^Error: Flag --depth expects a value$/],
    [
      'a wait strategy it does not know',
      ['--wait', 'nap'],
      /^Error: --wait: 'nap' is not allowed; use sleep, spin=DUR \(e\.g\. spin=50us\) or adaptive \(adaptive=MAX caps its budget, 100µs by default\)$/,
    ],
    ['a spin without its duration', ['--wait', 'spin'], /^Error: --wait: 'spin' is not allowed; use sleep, spin=DUR/],
    [
      'both --spin and --wait',
      ['--spin', '50us', '--wait', 'adaptive'],
      /^Error: --spin: '50µs' is not allowed; it is shorthand for --wait spin=DUR/,
    ],
    ['an unknown baseline', ['--vs', 'magic'], /^Error: --vs: 'magic' is not allowed; use one of: raw, fio, node-fs, node-fs-uring$/],
    ['an unknown design', ['--design', 'sideways'], /^Error: --design: 'sideways' is not allowed; use one of: cross-thread, same-thread$/],
    [
      'a wake for same-thread loops',
      ['--design', 'same-thread', '--wake', 'futex'],
      /^Error: --wake: 'futex' is not allowed; it is how submitter threads wake the loop's thread: with --design same-thread there is no other thread to wake it$/,
    ],
    [
      'an idle window for same-thread loops',
      ['--design', 'same-thread', '--idle', '1s'],
      /^Error: --idle: '1s' is not allowed; it prices an idle loop thread: with --design same-thread each loop ends with its submitter$/,
    ],
    [
      'an SQ thread idle without --sqpoll',
      ['--sqpoll-idle', '10ms'],
      /^Error: --sqpoll-idle: '10ms' is not allowed; it sets the SQ thread of --sqpoll: give that too$/,
    ],
    [
      'an SQ thread CPU this process may not use',
      ['--sqpoll', '--sqpoll-cpu', '99'],
      /^Error: --sqpoll-cpu: 99 is not allowed; use a CPU this process may run on: \d+(, \d+)*$/,
    ],
    [
      'DEFER_TASKRUN on an SQPOLL ring',
      ['--sqpoll', '--defer-taskrun'],
      /^Error: --defer-taskrun: not allowed; the kernel refuses it on an SQPOLL ring/,
    ],
    [
      'COOP_TASKRUN on an SQPOLL ring',
      ['--sqpoll', '--coop-taskrun'],
      /^Error: --coop-taskrun: not allowed; the kernel refuses it on an SQPOLL ring/,
    ],
    [
      "an SQ thread idle under the kernel's millisecond",
      ['--sqpoll', '--sqpoll-idle', '100us'],
      /^Error: --sqpoll-idle: '100µs' is not allowed; use 1ms to 60s \(the kernel counts it in whole milliseconds\)$/,
    ],
    [
      'a CQ smaller than the raw ring',
      ['--ring-size', '64', '--depth', '256', '--cq-size', '128'],
      /^Error: --cq-size: 128 is not allowed; use a whole number from 256 to 65536 \(the CQ must hold at least the 256 SQ entries of the raw ring\)$/,
    ],
    [
      'a CQ smaller than the ring',
      ['--ring-size', '256', '--cq-size', '128'],
      /^Error: --cq-size: 128 is not allowed; use a whole number from 256 to 65536 \(the CQ must hold at least the 256 SQ entries of the loop's ring\)$/,
    ],
    // Each named with what was given, never with a default (oclif's own check said --duration=2s).
    [
      'both --ops and --duration',
      ['--ops', '10', '--duration', '7s'],
      /^Error: --ops: '10' is not allowed; --duration 7s was given too; give a number of measured ops or a duration, not both$/,
    ],
    [
      'both --duration and --ops',
      ['--duration=7s', '--ops', '10'],
      /^Error: --ops: '10' is not allowed; --duration 7s was given too; give a number of measured ops or a duration, not both$/,
    ],
  ]
  for (const [what, args, message] of badInputs) {
    test(`${what} gets one line and exit status 2`, async () => {
      const {status, stdout, stderr} = await runCli(['bench', ...args])
      assert.equal(status, 2, stderr)
      assert.equal(lines(stderr).length, 1, stderr)
      assert.match(stderr.trim(), message)
      assert.equal(stdout, '')
    })
  }

  test('--wait adaptive --idle reports the spins and the idle CPU of the loop, and records both in the spec', async () => {
    const {status, stdout, stderr} = await runCli(['bench', '--ops', '5000', '--wait', 'adaptive', '--idle', '200ms', '--json'])
    assert.equal(status, 0, stderr)
    const [workload] = parseResult(stdout).workloads
    assert.deepEqual(workload.spec.loop.wait, {kind: 'adaptive', spinNs: 100_000})
    assert.equal(workload.spec.drive.idleNs, 200e6)
    const [loop, raw] = workload.systems
    assert.equal(loop.outcomes.expected, 5000)
    assert.ok(loop.counters.spinWakes + loop.counters.spinMisses > 0, JSON.stringify(loop.counters))
    assert.ok(loop.idleCpu.windowNs >= 200e6, JSON.stringify(loop.idleCpu))
    assert.equal(loop.idleCpu.shareOfCore, loop.idleCpu.cpuNs / loop.idleCpu.windowNs)
    // The raw ring has no loop to leave idle.
    assert.equal(raw.idleCpu, undefined)
  })

  test('with --json a bad input is one JSON error on stdout', async () => {
    const {status, stdout} = await runCli(['bench', '--depth', '0', '--json'])
    assert.equal(status, 2)
    const document = JSON.parse(stdout)
    assert.equal(document.error.code, 'E_USAGE')
    assert.equal(document.error.exitCode, 2)
    assert.match(document.error.message, /^--depth: 0 is not allowed/)
  })

  test('a ring the kernel refuses exits 3 with the reason', async () => {
    // IOPOLL rings accept only polled read/write ops, so the loop's eventfd wake poll is refused.
    const {status, stdout, stderr} = await runCli(['bench', '--io-poll', '--ops', '10'])
    assert.equal(status, 3, stderr)
    assert.equal(lines(stderr).length, 1, stderr)
    assert.match(
      stderr,
      /^Error: the loop stopped: wake poll: Invalid argument \(EINVAL\): an IOPOLL ring accepts only polled read\/write ops/,
    )
    assert.equal(stdout, '', 'nothing was measured, so no report')
  })

  test("node-fs as Node 20 runs it (libuv's thread pool) and node-fs-uring (UV_USE_IO_URING=1): whether io_uring was used is read from the process, and why not", async () => {
    const args = [
      'bench',
      '--op',
      'file-read',
      '--file-size',
      '8m',
      '--depth',
      '8',
      '--ops',
      '4000',
      '--vs',
      'node-fs,node-fs-uring',
      '--json',
    ]
    // The variable as most users have it: unset (child_process leaves out an undefined one).
    const {status, stdout, stderr} = await runCli(args, {env: {UV_USE_IO_URING: undefined}})
    assert.equal(status, 0, stderr)
    const [workload] = parseResult(stdout).workloads
    const info = (name: string): any => workload.systems.find((system: any) => system.system === name).info
    assert.equal(info('node-fs').libuv, process.versions.uv)
    assert.equal(info('node-fs').UV_USE_IO_URING, null)
    assert.match(
      info('node-fs').ioUring,
      /^not used: UV_USE_IO_URING is unset: this Node's libuv [\d.]+ keeps io_uring off unless it is a number other than 0$/,
    )
    assert.equal(info('node-fs-uring').UV_USE_IO_URING, '1')
    assert.match(info('node-fs-uring').ioUring, /^used: \d+ io_uring rings with an SQ thread \(libuv's file I\/O\) in the process$/)
    for (const name of ['node-fs', 'node-fs-uring']) {
      const system = workload.systems.find((entry: any) => entry.system === name)
      assert.equal(system.outcomes.expected, 4000, name)
    }
  })

  test("--fixed-files: the loop's ring and the raw ring read through their registered file table, fio with --registerfiles=1; a non-file op refuses it", async () => {
    const args = ['bench', '--op', 'file-read', '--random', '--file-size', '8m', '--depth', '8', '--ops', '2000', '--fixed-files', '--json']
    const {status, stdout, stderr} = await runCli([...args, '--vs', 'raw,fio'])
    assert.equal(status, 0, stderr)
    const [workload] = parseResult(stdout).workloads
    assert.equal(workload.spec.file.fixedFiles, true)
    for (const system of workload.systems.filter((entry: any) => entry.system !== 'fio')) {
      assert.equal(system.outcomes.expected, 2000, system.system)
      assert.equal(system.ring.registeredFiles, 1, system.system)
    }
    const fio = workload.systems.find((system: any) => system.system === 'fio')
    if (fio) assert.equal(fio.info.options, '--registerfiles=1')
    const refused = await runCli(['bench', '--op', 'nop', '--fixed-files', '--ops', '10'])
    assert.equal(refused.status, 2)
    assert.deepEqual(lines(refused.stderr), [
      'Error: --fixed-files: not allowed; it applies to file workloads (file-read, file-write, or a mix with them) only',
    ])
  })

  test("--fixed-buffers: reads land in buffers registered with the ring (READ_FIXED), each checked, fio with --fixedbufs=1; refused with writev or past the kernel's 16384 buffers", async () => {
    const args = [
      'bench',
      '--op',
      'file-read',
      '--random',
      '--file-size',
      '8m',
      '--depth',
      '8',
      '--ops',
      '2000',
      '--fixed-buffers',
      '--json',
    ]
    const {status, stdout, stderr} = await runCli([...args, '--vs', 'raw,fio'])
    assert.equal(status, 0, stderr)
    const [workload] = parseResult(stdout).workloads
    assert.equal(workload.spec.file.fixedBuffers, true)
    for (const system of workload.systems.filter((entry: any) => entry.system !== 'fio')) {
      assert.equal(system.outcomes.expected, 2000, system.system)
      assert.equal(system.outcomes.corrupt, 0, system.system)
      assert.equal(system.ring.registeredBuffers, 8, `${system.system}: a buffer per op in flight`)
    }
    const fio = workload.systems.find((system: any) => system.system === 'fio')
    if (fio) assert.equal(fio.info.options, '--fixedbufs=1')
    const refusals: Array<[string[], string]> = [
      [
        ['--op', 'file-write', '--writev-buffers', '4'],
        'Error: --fixed-buffers: not allowed; WRITEV has no fixed-buffer form: leave out --writev-buffers or this',
      ],
      [
        ['--op', 'file-read', '--submitters', '2', '--depth', '10000'],
        'Error: --fixed-buffers: not allowed; it registers a buffer per op in flight and the kernel takes at most 16384; submitters x depth is 20000',
      ],
    ]
    for (const [flags, message] of refusals) {
      const refused = await runCli(['bench', ...flags, '--fixed-buffers', '--file-size', '8m', '--ops', '10'])
      assert.equal(refused.status, 2, refused.stderr)
      assert.deepEqual(lines(refused.stderr), [message])
    }
  })

  test('--send-zc: each send ends with its notification CQE on the loop and the raw ring, every message checked; refused over AF_UNIX', async () => {
    const args = [
      'bench',
      '--op',
      'socket',
      '--transport',
      'tcp',
      '--connections',
      '4',
      '--message-size',
      '1k',
      '--ops',
      '200',
      '--send-zc',
      '--json',
    ]
    const {status, stdout, stderr} = await runCli(args)
    assert.equal(status, 0, stderr)
    const [workload] = parseResult(stdout).workloads
    assert.equal(workload.spec.socket.sendZc, true)
    for (const system of workload.systems) {
      assert.equal(system.outcomes.expected, 200, system.system)
      assert.equal(system.outcomes.corrupt, 0, system.system)
      // Sends and receives alternate on each connection: about half the ops are sends, each with one notification.
      assert.ok(Math.abs(system.counters.zcNotifications - 100) <= 4, `${system.system}: ${system.counters.zcNotifications}`)
      // Over loopback the kernel copies every zero-copy send, and from 6.2 says so.
      assert.equal(system.counters.zcCopied, system.counters.zcNotifications, system.system)
    }
    const unix = await runCli(['bench', '--op', 'socket', '--send-zc', '--ops', '10'])
    assert.equal(unix.status, 2)
    assert.deepEqual(lines(unix.stderr), [
      'Error: --send-zc: not allowed; zero-copy sends need a TCP socket (the kernel has none for AF_UNIX): give --transport tcp',
    ])
  })

  test('--multishot-recv with a tiny buffer ring: ENOBUFS counted on the loop and the raw ring, no message lost, every byte checked', async () => {
    // One 512-byte buffer per connection for 4 KiB messages: each message comes in 8 chunks and
    // the ring runs dry after each of the first 7.
    const args = ['bench', '--op', 'socket', '--connections', '4', '--multishot-recv', '--recv-buffers', '1', '--recv-buffer-size', '512']
    const {status, stdout, stderr} = await runCli([...args, '--ops', '400', '--json'])
    assert.equal(status, 0, stderr)
    const [workload] = parseResult(stdout).workloads
    assert.deepEqual(workload.spec.socket.multishotRecv, {buffers: 1, bufferSize: 512})
    assert.equal(workload.spec.loop.ringSize, 128)
    for (const system of workload.systems) {
      assert.equal(system.outcomes.expected, 400, system.system)
      assert.equal(system.outcomes.corrupt, 0, system.system)
      assert.equal(system.bytes, 400 * 4096, system.system)
      // Half the ops are receipts: 200 messages of 8 chunks, a dry ring after 7 of them.
      assert.ok(Math.abs(system.counters.multishotResults - 1600) <= 32, `${system.system}: ${system.counters.multishotResults}`)
      assert.ok(Math.abs(system.counters.multishotNoBuffers - 1400) <= 28, `${system.system}: ${system.counters.multishotNoBuffers}`)
    }
    const shown = await runCli([...args, '--ops', '100', '--vs', 'none'])
    assert.equal(shown.status, 0, shown.stderr)
    assert.match(shown.stdout, /multishot RECV, 1 × 512 B buffers per connection/)
    assert.match(shown.stdout, /multishot receives +\d+ results; \d+ ran their buffer ring dry \(ENOBUFS/)
  })

  test('--multishot-recv refuses what it cannot run, in one line', async () => {
    const refusals: Array<[string[], string]> = [
      [['--recv-buffers', '3'], 'Error: --recv-buffers: 3 is not allowed; a buffer ring holds a power of two of buffers, e.g. 4'],
      [['--recv-buffers', '8192'], 'Error: --recv-buffers: 8192 is not allowed; use a whole number from 1 to 4096'],
      [
        ['--connections', '64', '--recv-buffers', '2048'],
        'Error: --recv-buffers: 2048 is not allowed; a submitter holds at most 65536 receive buffers and it has 64 connections: give at most 1024 (the default is 16)',
      ],
      [
        ['--connections', '64', '--ring-size', '64'],
        "Error: --ring-size: 64 is not allowed; with --multishot-recv each connection keeps a receive in flight besides its op: give at least 128 for the loop's 64 connections",
      ],
      [
        ['--submitters', '4', '--connections', '8192', '--recv-buffers', '2'],
        "Error: --multishot-recv: '32768 connections' is not allowed; each connection keeps a receive in flight besides its op, so a loop of at most 32768 holds 16384 connections: lower --submitters x --connections",
      ],
    ]
    for (const [extra, message] of refusals) {
      const refused = await runCli(['bench', '--op', 'socket', '--multishot-recv', ...extra, '--ops', '10'])
      assert.equal(refused.status, 2, `${extra.join(' ')}: ${refused.stderr}`)
      assert.deepEqual(lines(refused.stderr), [message])
    }
    const alone = await runCli(['bench', '--op', 'socket', '--recv-buffers', '4', '--ops', '10'])
    assert.equal(alone.status, 2)
    assert.deepEqual(lines(alone.stderr), [
      'Error: --recv-buffers: 4 is not allowed; it sizes the buffer ring of --multishot-recv: give that too',
    ])
    const mix = await runCli(['bench', '--op', 'mix', '--mix', 'nop=1,socket=1', '--multishot-recv', '--ops', '10'])
    assert.equal(mix.status, 2)
    assert.deepEqual(lines(mix.stderr), [
      'Error: --multishot-recv: not allowed; a mix gives each slot ops of any kind, so no connection keeps a receive of its own: use --op socket',
    ])
  })

  test('a setting the kernel lacks is refused before measuring: exit 3, one line naming the feature and its release', async () => {
    // The probe of Debian 5.10 stands for this kernel's (IOURING_BENCH_PROBE_INPUT).
    const env = {[PROBE_INPUT_VARIABLE]: path.join(FIXTURES, 'debian-5.10.json')}
    const refused = await runCli(['bench', '--single-issuer', '--ops', '10'], {env})
    assert.equal(refused.status, 3, refused.stderr)
    assert.deepEqual(lines(refused.stderr), [
      'Error: --single-issuer needs IORING_SETUP_SINGLE_ISSUER (Linux 6.0); this kernel is 5.10.262 (Debian)',
    ])
    assert.equal(refused.stdout, '', 'nothing was measured, so no report')
    const json = await runCli(['bench', '--single-issuer', '--ops', '10', '--json'], {env})
    assert.equal(json.status, 3)
    assert.deepEqual(JSON.parse(json.stdout).error, {
      code: 'E_ENVIRONMENT',
      message: '--single-issuer needs IORING_SETUP_SINGLE_ISSUER (Linux 6.0); this kernel is 5.10.262 (Debian)',
      exitCode: 3,
    })
    // What 5.10 has runs as ever: the probe judges only what the workload needs.
    const accepted = await runCli(['bench', '--op-timeout', '1s', '--ops', '10', '--vs', 'none', '--json'], {env})
    assert.equal(accepted.status, 0, accepted.stderr)
  })

  test("ring knobs run on the loop and the raw ring alike, and SQPOLL's kernel thread is counted in their CPU", async () => {
    const args = [
      'bench',
      '--ops',
      '20000',
      '--warmup',
      '0',
      '--depth',
      '8',
      '--sqpoll',
      '--sqpoll-idle',
      '20ms',
      '--ring-fd',
      '--cq-size',
      '512',
    ]
    const {status, stdout, stderr} = await runCli([...args, '--json'])
    assert.equal(status, 0, stderr)
    const [workload] = JSON.parse(stdout).workloads
    assert.deepEqual(
      {
        sqpoll: workload.spec.loop.sqpoll,
        sqpollIdleNs: workload.spec.loop.sqpollIdleNs,
        ringFd: workload.spec.loop.ringFd,
        cqSize: workload.spec.loop.cqSize,
      },
      {sqpoll: true, sqpollIdleNs: 20e6, ringFd: true, cqSize: 512},
    )
    for (const system of workload.systems) {
      assert.equal(system.outcomes.expected, 20000, system.system)
      assert.ok(system.ring.setupFlagNames.includes('SQPOLL'), `${system.system}: ${system.ring.setupFlagNames}`)
      assert.ok(system.ring.setupFlagNames.includes('CQSIZE'), `${system.system}: ${system.ring.setupFlagNames}`)
      assert.equal(system.ring.cqEntries, 512, system.system)
      // The SQ thread polls while the ring lives: its time is the process's, and counted.
      assert.ok(system.cpu.ioThreadsNs > 0, `${system.system}: ${JSON.stringify(system.cpu)}`)
      assert.ok(system.cpu.systemNs >= system.cpu.ioThreadsNs, system.system)
    }
    const text = await runCli(args)
    assert.equal(text.status, 0, text.stderr)
    assert.match(text.stdout, /sqpoll \(idle 20 ms\) · cq 512 · registered ring fd/)
    assert.match(text.stdout, /of it io_uring's kernel threads/)
  })

  test('--output writes the form its extension names; the terminal report still prints', async () => {
    const output = path.join(dir, 'nop.html')
    const {status, stdout, stderr} = await runCli(['bench', '--ops', '2000', '--warmup', '0', '--output', output])
    assert.equal(status, 0, stderr)
    assert.match(stdout, /^kernel .*\n\nnop: nop/)
    assert.match(readFileSync(output, 'utf8'), /^<!doctype html>[^]*<svg class="chart percentile-plot"/)
  })

  test('--json with --output: only JSON on stdout, the file written, the job summary appended', async () => {
    const output = path.join(dir, 'nop.prom')
    const summary = path.join(dir, 'summary.md')
    const {status, stdout, stderr} = await runCli(['bench', '--ops', '2000', '--warmup', '0', '--json', '--output', output], {
      env: {GITHUB_STEP_SUMMARY: summary},
    })
    assert.equal(status, 0, stderr)
    assert.equal(stderr, '')
    const document = parseResult(stdout)
    assert.match(
      readFileSync(output, 'utf8'),
      new RegExp(
        `iouring_bench_latency_seconds_count\\{workload="nop",system="loop"\\} ${document.workloads[0].systems[0].latency.count}\n`,
      ),
    )
    assert.match(readFileSync(summary, 'utf8'), /^## iouring-bench on .*\n[^]*\| loop \|/)
  })

  test('a job summary that cannot be written costs only the summary: the document still prints, the path is named, exit 3', async () => {
    const {status, stdout, stderr} = await runCli(['bench', '--ops', '2000', '--warmup', '0', '--json'], {
      env: {GITHUB_STEP_SUMMARY: '/dev/full'},
    })
    assert.equal(status, 3)
    assert.equal(parseResult(stdout).workloads[0].systems[0].ops, 2000)
    assert.deepEqual(lines(stderr), ['Error: $GITHUB_STEP_SUMMARY: /dev/full cannot be written (ENOSPC)'])
  })

  test('--output to a full device: the report still prints, the path is named, exit 3', async () => {
    const {status, stdout, stderr} = await runCli([
      'bench',
      '--ops',
      '2000',
      '--warmup',
      '0',
      '--vs',
      'none',
      '--format',
      'json',
      '--output',
      '/dev/full',
    ])
    assert.equal(status, 3, stderr)
    assert.match(stdout, /^kernel .*\n\nnop: nop/)
    assert.equal(stderr, 'Error: --output: /dev/full cannot be written (ENOSPC)\n')
    // With --json the document is what stdout holds, whole.
    const json = await runCli([
      'bench',
      '--ops',
      '2000',
      '--warmup',
      '0',
      '--vs',
      'none',
      '--json',
      '--output',
      '/dev/full',
      '--format',
      'json',
    ])
    assert.equal(json.status, 3, json.stderr)
    assert.equal(parseResult(json.stdout).workloads[0].systems[0].ops, 2000)
    assert.equal(json.stderr, 'Error: --output: /dev/full cannot be written (ENOSPC)\n')
  })

  test('a write that fails half-way leaves the earlier file at that path intact, and no temporary file', async () => {
    const where = mkdtempSync(path.join(dir, 'full-'))
    const output = path.join(where, 'r.json')
    writeFileSync(output, '{"earlier": true}\n')
    // A file size limit of 1 KiB (ulimit -f 1): the result document is larger, so its write fails (EFBIG).
    const {status, stdout, stderr} = await runCli(['bench', '--ops', '2000', '--warmup', '0', '--vs', 'none', '--output', output], {
      wrapper: ['bash', '-c', 'ulimit -f 1 && exec "$@"', 'bash'],
    })
    assert.equal(status, 3, stderr)
    assert.match(stdout, /^kernel .*\n\nnop: nop/)
    assert.equal(stderr, `Error: --output: ${output} cannot be written (EFBIG)\n`)
    assert.equal(readFileSync(output, 'utf8'), '{"earlier": true}\n')
    assert.deepEqual(readdirSync(where), ['r.json'])
  })

  test('a bad --output is refused before anything runs', async () => {
    const output = path.join(dir, 'missing', 'r.json')
    const {status, stdout, stderr} = await runCli(['bench', '--duration', '10m', '--output', output], {timeoutMs: 30_000})
    assert.equal(status, 2, stderr)
    assert.match(
      stderr,
      /^Error: --output: \S+r\.json cannot be written \(\S+missing is not a writable directory\); give a path in an existing directory you can write to\n$/,
    )
    assert.equal(stdout, '')
  })

  test('when the kernel refuses the ring, --output still records the verdict for CI', async () => {
    const output = path.join(dir, 'refused.xml')
    const {status, stdout} = await runCli(['bench', '--io-poll', '--ops', '10', '--output', output])
    assert.equal(status, 3)
    assert.equal(stdout, '')
    assert.ok(existsSync(output))
    const xml = readFileSync(output, 'utf8')
    assertValidJunit(xml)
    assert.match(xml, /<testsuite [^>]*tests="2" failures="1" errors="0" skipped="1"/)
    assert.match(
      xml,
      /<testcase classname="nop" name="loop"[^>]*>\n\s*<failure message="the loop stopped: wake poll: Invalid argument \(EINVAL\)/,
    )
    assert.match(xml, /<testcase classname="nop" name="raw"[^>]*>\n\s*<skipped message="not run: the loop could not run/)
  })
})
