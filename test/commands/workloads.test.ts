// File, socket, stall and mix workloads, the open loop and the fio/node-fs baselines, as a user
// runs them: what the result document says, and one line with exit status 2 or 3 for bad input.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, test} from 'node:test'

import {BIN, lines, runCli} from '../helpers/cli.ts'
import {parseResult} from '../helpers/schema.ts'

const QUICK = ['--duration', '300ms', '--warmup', '50ms', '--json']
const dir = mkdtempSync(path.join(tmpdir(), 'iob-workloads-'))

async function document(args: string[], env?: NodeJS.ProcessEnv) {
  const {status, stdout, stderr} = await runCli([...args, ...QUICK], {env})
  assert.equal(status, 0, stderr)
  assert.equal(stderr, '')
  // Every workload, baseline and open-loop document matches the published schema.
  return parseResult(stdout)
}

type System = {system: string; ops: number; skipped?: string; outcomes: Record<string, number>; [key: string]: any}
const named = (workload: {systems: System[]}, name: string): System => workload.systems.find((s) => s.system === name)!
const leftovers = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith(`iouring-bench-`))

describe('file workloads', () => {
  test('random reads run through the loop, the raw ring, fio and node-fs side by side, with ratios', async () => {
    const before = leftovers()
    const doc = await document([
      'bench',
      '--op',
      'file-read',
      '--block-size',
      '4k',
      '--random',
      '--depth',
      '32',
      '--file-size',
      '32m',
      '--vs',
      'raw,fio,node-fs',
    ])
    const [workload] = doc.workloads
    assert.deepEqual(
      workload.systems.map((s: System) => s.system),
      ['loop', 'raw', 'fio', 'node-fs'],
    )
    for (const system of workload.systems as System[]) {
      assert.ok(system.ops > 0, system.system)
      assert.equal(system.outcomes.expected, system.ops, system.system)
      assert.ok(system.bytes >= system.ops * 4096 * 0.99, system.system)
      assert.ok(system.cpu.userNsPerOp >= 0 && system.cpu.systemNsPerOp > 0, system.system)
    }
    assert.equal(named(workload, 'loop').outcomes.corrupt, 0)
    assert.deepEqual(
      workload.ratios.map((r: {baseline: string}) => r.baseline),
      ['raw', 'fio', 'node-fs'],
    )
    for (const ratio of workload.ratios) for (const key of ['opsPerSec', 'p50', 'p99', 'cpuPerOp']) assert.ok(ratio[key] > 0, key)
    assert.match(named(workload, 'fio').info.version, /^fio-/)
    assert.ok('UV_USE_IO_URING' in named(workload, 'node-fs').info)
    assert.equal(workload.file.createdByTool, true)
    assert.equal(workload.file.removed, true)
    assert.equal(workload.file.pageCache, 'hot')
    assert.equal(workload.file.filesystem, 'ext4')
    assert.ok(!existsSync(workload.file.path), 'the tool removed its file')
    assert.deepEqual(leftovers(), before)
  })

  test('an op count ends fio after that many ops, as it ends the loop and the raw ring', async () => {
    // Sequential reads of 4 MiB wrap: 3000 ops of 4 KiB are 12 MiB, so fio must go round the file.
    const {status, stdout, stderr} = await runCli([
      'bench',
      '--op',
      'file-read',
      '--depth',
      '4',
      '--submitters',
      '2',
      '--file-size',
      '4m',
      '--ops',
      '3000',
      '--warmup',
      '50ms',
      '--vs',
      'raw,fio',
      '--json',
    ])
    assert.equal(status, 0, stderr)
    const [workload] = parseResult(stdout).workloads
    for (const system of workload.systems as System[]) assert.ok(system.ops >= 3000, `${system.system}: ${system.ops}`)
    assert.equal(named(workload, 'fio').ops, 3000)
    assert.match(named(workload, 'fio').info.warmup, /^none: /)
  })

  test('the terminal report shows every system, the file and the ratios', async () => {
    const {status, stdout} = await runCli([
      'bench',
      '--op',
      'file-read',
      '--random',
      '--depth',
      '8',
      '--file-size',
      '16m',
      '--vs',
      'raw,node-fs',
      '--duration',
      '200ms',
    ])
    assert.equal(status, 0)
    for (const text of [
      'throughput',
      'loop vs raw:',
      'loop vs node-fs:',
      'CPU per op (user + system): loop',
      'page cache: hot',
      'UV_USE_IO_URING=',
    ]) {
      assert.ok(stdout.includes(text), text)
    }
    assert.match(
      stdout,
      /^file: \S+iouring-bench-\S+\.dat \(ext4, 16 MiB, laid out by the tool, removed after the run; page cache: hot\)$/m,
    )
  })

  test('without fio installed the report says so and the run goes on', async () => {
    // Only fio is looked up on PATH: the CLI runs under this very node binary.
    const doc = await document(['bench', '--op', 'file-read', '--file-size', '8m', '--vs', 'fio,node-fs'], {PATH: '/nonexistent'})
    const [workload] = doc.workloads
    // Skipped: its reason, and no figures at all.
    assert.deepEqual(workload.skipped, [{system: 'fio', reason: 'fio not found: apt-get install fio'}])
    assert.equal(named(workload, 'fio'), undefined)
    assert.ok(named(workload, 'node-fs').ops > 0)
    assert.deepEqual(
      workload.ratios.map((r: {baseline: string}) => r.baseline),
      ['node-fs'],
    )
    const {stdout} = await runCli(['bench', '--op', 'file-read', '--file-size', '8m', '--vs', 'fio', '--duration', '100ms'], {
      env: {PATH: '/nonexistent'},
    })
    assert.match(stdout, /│ fio +│ skipped: fio not found: apt-get install fio/)
  })

  test('--direct reads bypass the page cache on this file system', async () => {
    const doc = await document(['bench', '--op', 'file-read', '--direct', '--random', '--depth', '4', '--file-size', '8m', '--vs', 'raw'])
    const [workload] = doc.workloads
    assert.equal(workload.file.pageCache, 'bypassed (O_DIRECT)')
    for (const system of workload.systems) assert.equal(system.outcomes.expected, system.ops)
  })

  test('--direct on a file system that refuses O_DIRECT exits 3 naming it and the errno', (t) => {
    // ramfs has no O_DIRECT; mounted in a private mount namespace so nothing outside sees it.
    const mountPoint = path.join(dir, 'ramfs')
    const script = `mkdir -p ${mountPoint} && mount -t ramfs none ${mountPoint} && TMPDIR=${mountPoint} NO_COLOR=1 ${process.execPath} ${BIN} bench --op file-read --direct --file-size 1m --ops 10`
    const probe = spawnSync('unshare', ['--mount', 'sh', '-c', `mount -t ramfs none ${dir} && umount ${dir}`])
    if (probe.status !== 0) return t.skip('needs root to mount a ramfs in a private namespace')
    const result = spawnSync('unshare', ['--mount', 'sh', '-c', script], {encoding: 'utf8'})
    assert.equal(result.status, 3, result.stderr)
    assert.equal(lines(result.stderr).length, 1)
    assert.match(
      result.stderr.trim(),
      /^Error: --direct: the ramfs file system refused O_DIRECT for \S+: open\(O_DIRECT\): Invalid argument \(EINVAL\); point TMPDIR at a file system that supports it, or drop --direct$/,
    )
  })

  test('--file reads a user file read only, unchecked, and leaves it in place', async () => {
    const file = path.join(dir, 'mine.dat')
    writeFileSync(file, Buffer.alloc(1 << 20, 7))
    const doc = await document(['bench', '--op', 'file-read', '--file', file, '--random', '--vs', 'raw'])
    const [workload] = doc.workloads
    assert.equal(workload.file.path, file)
    assert.equal(workload.file.createdByTool, false)
    assert.equal(workload.file.sizeBytes, 1 << 20)
    assert.ok(existsSync(file))
    assert.equal(named(workload, 'loop').outcomes.expected, named(workload, 'loop').ops)
  })

  test('a write workload reads back every block it wrote and finds none corrupt', async () => {
    const doc = await document([
      'bench',
      '--op',
      'file-write',
      '--random',
      '--depth',
      '8',
      '--file-size',
      '4m',
      '--writev-buffers',
      '4',
      '--fsync-every',
      '16',
      '--vs',
      'raw,fio',
    ])
    const [workload] = doc.workloads
    for (const name of ['loop', 'raw']) {
      const system = named(workload, name)
      assert.ok(system.readBack.blocks > 100, name)
      assert.equal(system.readBack.corrupt, 0, name)
      assert.equal(system.readBack.error, null)
      assert.deepEqual(
        system.kinds.map((k: {kind: string}) => k.kind),
        ['file-write', 'fsync'],
      )
      assert.equal(system.kinds[1].outcomes.expected, system.kinds[1].ops)
      assert.ok(system.kinds[1].ops > 0)
    }
    assert.ok(named(workload, 'fio').ops > 0)
  })
})

describe('socket, stall and mix', () => {
  for (const transport of ['unix', 'tcp']) {
    test(`messages over ${transport} are verified on receipt, through the loop and the raw ring`, async () => {
      const doc = await document(['bench', '--op', 'socket', '--transport', transport, '--connections', '4', '--message-size', '1k'])
      const [workload] = doc.workloads
      assert.equal(workload.spec.drive.depth, 4)
      for (const system of workload.systems) {
        assert.ok(system.ops > 0)
        assert.equal(system.outcomes.expected, system.ops)
        assert.equal(system.outcomes.corrupt, 0)
        assert.ok(system.bytes >= system.ops * 1000)
      }
    })
  }

  test('stalled ops end by their timeout', async () => {
    const doc = await document(['bench', '--op', 'stall', '--op-timeout', '5ms', '--depth', '4'])
    const loop = named(doc.workloads[0], 'loop')
    assert.ok(loop.ops > 0)
    assert.equal(loop.outcomes.expected, loop.ops)
    assert.ok(loop.latency.p50 >= 5e6)
  })

  test('a mix is reported per kind, and the kinds add up to the total', async () => {
    const doc = await document(['bench', '--op', 'mix', '--mix', 'file-read=3,socket=1,nop=2', '--depth', '8', '--file-size', '8m'])
    const [workload] = doc.workloads
    for (const system of workload.systems) {
      assert.deepEqual(
        system.kinds.map((k: {kind: string}) => k.kind),
        ['file-read', 'socket', 'nop'],
      )
      assert.equal(
        system.kinds.reduce((sum: number, k: {ops: number}) => sum + k.ops, 0),
        system.ops,
      )
      for (const kind of system.kinds) {
        assert.ok(kind.ops > 0)
        assert.equal(kind.outcomes.expected, kind.ops)
        assert.ok(kind.latency.p50 > 0)
      }
    }
    const {stdout} = await runCli(['bench', '--op', 'mix', '--mix', 'file-read=1,nop=1', '--file-size', '8m', '--duration', '100ms'])
    assert.match(stdout, /per kind:/)
    assert.match(stdout, /│ loop +│ file-read +│/)
  })
})

describe('open loop', () => {
  test('a rate the machine cannot sustain shows a growing response time, not a flat service time', async () => {
    // 2 ms timers, 2 in flight: at most 1000 ops/s, asked for 4000.
    const doc = await document(['bench', '--op', 'timer', '--timer', '2ms', '--depth', '2', '--rate', '4000', '--vs', 'raw'])
    const [workload] = doc.workloads
    assert.deepEqual(workload.openLoop, {rate: 4000, arrivals: 'uniform'})
    // Relative to the service time, not to a clock: a busy machine stretches both.
    for (const system of workload.systems) {
      const label = `${system.system}: service p50 ${system.service.p50}, p99 ${system.service.p99}; response p99 ${system.latency.p99}, max ${system.latency.max}`
      assert.ok(system.service.p50 >= 2e6, `a 2 ms timer ended sooner: ${label}`)
      assert.ok(system.latency.p99 > 10 * system.service.p50, label)
      assert.ok(system.latency.max > 5 * system.service.p99, label)
      assert.ok(system.openLoop.late > system.ops / 2)
      assert.ok(system.openLoop.missed > 0)
    }
  })

  test('at a rate it can sustain, response and service time agree and nothing is late', async () => {
    const doc = await document(['bench', '--op', 'nop', '--rate', '2000', '--arrivals', 'poisson'])
    const loop = named(doc.workloads[0], 'loop')
    assert.ok(Math.abs(loop.ops - 600) < 120, String(loop.ops))
    assert.equal(loop.openLoop.missed, 0)
    // Not backed up: the typical op waits for less than a few gaps between arrivals (500 µs each).
    assert.ok(loop.latency.p50 < 4 * 500e3, `response p50 ${loop.latency.p50}`)
  })
})

describe('bad workload input gets one line and exit status 2', () => {
  const file = path.join(dir, 'small.dat')
  writeFileSync(file, Buffer.alloc(100))
  // A FIFO with no writer: a plain open() waits for one for ever.
  const fifo = path.join(dir, 'fifo')
  spawnSync('mkfifo', [fifo])
  const cases: Array<[string, string[], RegExp]> = [
    [
      'a block size not a multiple of 512 with --direct',
      ['--op', 'file-read', '--direct', '--block-size', '1000'],
      /^Error: --block-size: 1000 is not allowed; with --direct it must be a multiple of 512 \(e\.g\. 4k\)$/,
    ],
    [
      'a missing --file',
      ['--op', 'file-read', '--file', '/nonexistent/data'],
      /^Error: --file: '\/nonexistent\/data' is not allowed; it does not exist; give an existing file or block device to read$/,
    ],
    [
      'a file smaller than one block',
      ['--op', 'file-read', '--file', file],
      /^Error: --file: '.*small\.dat' is not allowed; it holds 100 B, less than one block of 4 KiB$/,
    ],
    [
      'a FIFO as --file (at once, not waiting for a writer)',
      ['--op', 'file-read', '--file', fifo],
      /^Error: --file: '.*fifo' is not allowed; give a regular file or a block device$/,
    ],
    [
      'a character device as --file',
      ['--op', 'file-read', '--file', '/dev/zero'],
      /^Error: --file: '\/dev\/zero' is not allowed; give a regular file or a block device$/,
    ],
    [
      'a directory as --file',
      ['--op', 'file-read', '--file', dir],
      /^Error: --file: '.*' is not allowed; give a regular file or a block device$/,
    ],
    [
      '--file for writes',
      ['--op', 'file-write', '--file', file],
      /^Error: --file: '.*small\.dat' is not allowed; the tool never writes to your file/,
    ],
    ['a zero rate', ['--rate', '0'], /^Error: --rate: 0 is not allowed; give ops per second above 0/],
    ['a negative rate', ['--rate', '-5'], /^Error: --rate: -5 is not allowed; give ops per second above 0/],
    [
      'weights that sum to 0',
      ['--op', 'mix', '--mix', 'nop=0,timer=0'],
      /^Error: --mix: 'nop=0,timer=0' is not allowed; the weights add up to 0; give at least one kind a weight above 0$/,
    ],
    [
      'an unknown mix kind',
      ['--op', 'mix', '--mix', 'nop=1,teleport=2'],
      /^Error: --mix: 'nop=1,teleport=2' is not allowed; use kind=weight pairs/,
    ],
    ['a mix without --mix', ['--op', 'mix'], /^Error: --op: 'mix' is not allowed; a mix needs --mix/],
    [
      'an unknown transport',
      ['--op', 'socket', '--transport', 'carrier-pigeon'],
      /^Error: --transport: 'carrier-pigeon' is not allowed; use one of: unix, tcp$/,
    ],
    [
      'a message too big for the socket buffer',
      ['--op', 'socket', '--message-size', '1m'],
      /^Error: --message-size: 1048576 is not allowed; use a whole number from 1 to 65536/,
    ],
    [
      'connections that disagree with the depth',
      ['--op', 'socket', '--connections', '4', '--depth', '8'],
      /^Error: --connections: 4 is not allowed; each connection carries one message at a time/,
    ],
    [
      'a stall without an op timeout',
      ['--op', 'stall'],
      /^Error: --op: 'stall' is not allowed; a stalled op ends only by its timeout: give --op-timeout/,
    ],
    [
      'buffers that do not split the block',
      ['--op', 'file-write', '--writev-buffers', '3'],
      /^Error: --writev-buffers: 3 is not allowed; the block \(4096 bytes\) must split into equal buffers$/,
    ],
    [
      'fsync without writes',
      ['--op', 'file-read', '--fsync-every', '4'],
      /^Error: --fsync-every: 4 is not allowed; only writes are synced/,
    ],
    [
      'a file flag for a nop',
      ['--op', 'nop', '--block-size', '4k'],
      /^Error: --block-size: '4096' is not allowed; it applies to file workloads/,
    ],
    ['fio for sockets', ['--op', 'socket', '--vs', 'fio'], /^Error: --vs: 'fio' is not allowed; fio runs file workloads only/],
    [
      'arrivals without a rate',
      ['--arrivals', 'poisson'],
      /^Error: --arrivals: 'poisson' is not allowed; arrivals shape an open loop: give --rate too$/,
    ],
    [
      'unknown arrivals',
      ['--rate', '10', '--arrivals', 'bursty'],
      /^Error: --arrivals: 'bursty' is not allowed; use one of: uniform, poisson$/,
    ],
  ]
  for (const [what, args, message] of cases) {
    test(what, async () => {
      const {status, stdout, stderr} = await runCli(['bench', ...args])
      assert.equal(status, 2, stderr)
      assert.equal(lines(stderr).length, 1, stderr)
      assert.match(stderr.trim(), message)
      assert.equal(stdout, '')
    })
  }
})
