// Process limits too low for what was asked: each ends in one line naming the limit, its value,
// about what is needed and the ulimit line (exit 3), never in Node's EMFILE text or an abort.
// prlimit (util-linux) sets both the soft and the hard limit, as `ulimit -n 24` does.

import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {release, tmpdir} from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'

import {DESCRIPTORS_TO_START} from '../../src/limits.ts'
import {lines, runCli} from '../helpers/cli.ts'

const QUICK = ['--duration', '100ms', '--warmup', '20ms']
const under = (...limits: string[]): {wrapper: string[]} => ({wrapper: ['prlimit', ...limits, '--']})

/** The ulimit value the message asks for. */
function asked(stderr: string, flag: string): number {
  const match = new RegExp(`: ulimit ${flag} (\\d+)`).exec(stderr)
  assert.ok(match, stderr)
  return Number(match[1])
}

describe('RLIMIT_NOFILE', () => {
  test('24: bench exits 3 before loading its modules, naming the limit and what it needs', async () => {
    const {status, stdout, stderr} = await runCli(['bench', '--op', 'nop', ...QUICK], under('--nofile=24'))
    assert.equal(status, 3)
    assert.equal(stdout, '')
    assert.deepEqual(lines(stderr), [
      `Error: RLIMIT_NOFILE is 24, iouring-bench needs about ${DESCRIPTORS_TO_START} (to load its modules): ulimit -n ${DESCRIPTORS_TO_START} (the hard limit is 24 too; raising that needs root)`,
    ])
  })

  test('32 with --json: one JSON error document', async () => {
    const {status, stdout} = await runCli(['bench', '--vs', 'raw', '--json'], under('--nofile=32'))
    assert.equal(status, 3)
    const {schemaVersion, error} = JSON.parse(stdout)
    assert.equal(schemaVersion, 1)
    assert.equal(error.code, 'E_ENVIRONMENT')
    assert.equal(error.exitCode, 3)
    assert.match(error.message, /^RLIMIT_NOFILE is 32, iouring-bench needs about \d+/)
  })

  describe('at exactly the start minimum, the largest commands load and run', () => {
    let dir: string
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'iob-limits-'))
      writeFileSync(
        path.join(dir, 'quick.yaml'),
        'description: two quick workloads\ntrials: 1\ndefaults: {duration: 100ms, warmup: 20ms, vs: [raw]}\nworkloads:\n  - {name: nop, op: nop, depth: 4}\n  - {name: sock, op: socket, connections: 2}\n',
      )
    })
    after(() => rmSync(dir, {recursive: true, force: true}))

    test('bench --vs raw', async () => {
      const {status, stderr} = await runCli(['bench', '--op', 'nop', '--vs', 'raw', ...QUICK], under(`--nofile=${DESCRIPTORS_TO_START}`))
      assert.equal(status, 0, stderr)
    })

    test('run with an HTML report file', async () => {
      const {status, stderr} = await runCli(
        ['run', path.join(dir, 'quick.yaml'), '--format', 'html', '--output', path.join(dir, 'r.html')],
        under(`--nofile=${DESCRIPTORS_TO_START}`),
      )
      assert.equal(status, 0, stderr)
    })
  })

  test('socket --connections 64 under 64: exit 3 before running, and the number it names is enough', async () => {
    const args = ['bench', '--op', 'socket', '--connections', '64', ...QUICK]
    const refused = await runCli(args, under('--nofile=64'))
    assert.equal(refused.status, 3)
    assert.equal(lines(refused.stderr).length, 1)
    assert.match(refused.stderr, /^Error: RLIMIT_NOFILE is 64, this run needs about (\d+): ulimit -n \1 /)
    const needed = asked(refused.stderr, '-n')
    assert.ok(needed > 128, `two descriptors per connection: ${needed}`)
    const enough = await runCli(args, under(`--nofile=${needed}`))
    assert.equal(enough.status, 0, enough.stderr)
  })
})

describe('RLIMIT_AS', () => {
  const BIG = [
    'bench',
    '--op',
    'nop',
    '--ring-size',
    '32768',
    '--depth',
    '4096',
    '--submitters',
    '4',
    '--duration',
    '200ms',
    '--warmup',
    '50ms',
  ]

  for (const kib of [800_000, 1_000_000]) {
    test(`${kib} KiB: exit 3 at start naming the address-space limit (Node and V8 alone need more)`, async () => {
      const {status, stderr} = await runCli(BIG, under(`--as=${kib * 1024}`))
      assert.equal(status, 3)
      assert.equal(lines(stderr).length, 1)
      assert.match(
        stderr,
        /^Error: RLIMIT_AS is \d+ MiB, iouring-bench needs about [\d.]+ GiB \(Node and V8 to start and run\): ulimit -v \d+/,
      )
    })
  }

  test('1180000 KiB: 8 submitters and their arenas find no room; refused up front naming the limit, and the size it names is enough', async () => {
    // Above the start minimum and above the threads' stacks alone: started, the arenas its
    // threads map would race V8 for the rest, and V8 aborts the process when it loses.
    const args = ['bench', '--op', 'nop', '--ring-size', '32768', '--depth', '1024', '--submitters', '8', ...QUICK]
    const refused = await runCli(args, under(`--as=${1_180_000 * 1024}`))
    assert.equal(refused.status, 3)
    assert.equal(lines(refused.stderr).length, 1)
    assert.match(
      refused.stderr,
      /^Error: RLIMIT_AS is 1\.13 GiB, this run needs about [\d.]+ GiB \(10 threads, 8192 ops in flight, a ring of 32768\): ulimit -v \d+/,
    )
    const enough = await runCli(args, under(`--as=${asked(refused.stderr, '-v') * 1024}`))
    assert.equal(enough.status, 0, enough.stderr)
  })

  test('1700000 KiB with --vs node-fs,node-fs-uring: each runs in a Node process of its own, which the limit Node starts under is enough for', async () => {
    // Once a worker thread of this process (a V8 isolate 850 MiB above it), refused below 1.93 GiB.
    const args = ['bench', '--op', 'file-read', '--file-size', '16m', '--depth', '32', '--vs', 'node-fs,node-fs-uring', '--json', ...QUICK]
    const {status, stdout, stderr} = await runCli(args, under(`--as=${1_700_000 * 1024}`))
    assert.equal(status, 0, stderr)
    const systems = JSON.parse(stdout).workloads[0].systems
    assert.deepEqual(
      systems.map((system: any) => [system.system, system.ops > 0]),
      [
        ['loop', true],
        ['node-fs', true],
        ['node-fs-uring', true],
      ],
    )
  })
})

describe('the other commands that start native work: shutdown-drill, stress-timeouts', () => {
  test('shutdown-drill with 16 requesters under 1200000 KiB: refused up front naming the limit, and the size it names is enough', async () => {
    // Started, its threads' arenas raced V8 for the space, and V8 aborted 1 run in 6.
    const args = ['shutdown-drill', '--rounds', '5', '--submitters', '16']
    const refused = await runCli(args, under(`--as=${1_200_000 * 1024}`))
    assert.equal(refused.status, 3)
    assert.equal(lines(refused.stderr).length, 1)
    assert.match(refused.stderr, /^Error: RLIMIT_AS is 1\.14 GiB, this run needs about [\d.]+ GiB \(17 threads\): ulimit -v \d+/)
    const enough = await runCli(args, under(`--as=${asked(refused.stderr, '-v') * 1024}`))
    assert.equal(enough.status, 0, enough.stderr)
  })

  test('stress-timeouts under RLIMIT_NOFILE 100: refused before the run, naming what its sockets need', async () => {
    const {status, stderr} = await runCli(['stress-timeouts', '--duration', '200ms', '--skip-liveness'], under('--nofile=100'))
    assert.equal(status, 3)
    assert.deepEqual(lines(stderr).length, 1)
    assert.match(stderr, /^Error: RLIMIT_NOFILE is 100, this run needs about (\d+): ulimit -n \1 /)
  })
})

describe('RLIMIT_MEMLOCK', () => {
  // From 5.12 ring memory is charged to the memory cgroup, not to RLIMIT_MEMLOCK: a limit of 0
  // must not be refused up front (before 5.12 the refused ring names it: test/unit/probe.test.ts).
  const [major = 0, minor = 0] = release().split('.').map(Number)
  const charged = major < 5 || (major === 5 && minor < 12)
  test(
    '0 on a kernel that no longer charges rings to it: the run goes ahead',
    {skip: charged && `Linux ${release()} charges rings to RLIMIT_MEMLOCK`},
    async () => {
      const {status, stderr} = await runCli(['bench', '--op', 'nop', ...QUICK], under('--memlock=0'))
      assert.equal(status, 0, stderr)
    },
  )
})
