// SIGINT, SIGTERM and SIGHUP stop a run the same way, in whichever phase they come: what was
// measured is printed and saved (marked interrupted), the exit status is 128 + the signal's
// number, no child outlives the CLI and no temporary file is left. Each run is watched through
// /proc, so every signal is sent at a known point of the run, never after a guessed delay.
// Running out of a limit of the machine is exit 3 with the reason.
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {after, describe, test} from 'node:test'

import {runCli} from '../helpers/cli.ts'
import {
  catches,
  childrenOf,
  commandName,
  type Exit,
  hasOpen,
  isAlive,
  isPending,
  isStopped,
  processesWithEnvironment,
  readCalls,
  ringCompletions,
  startCli,
  waitFor,
  type WatchedRun,
} from '../helpers/process-tree.ts'

const SIGNALS = [
  {signal: 'SIGINT', status: 130},
  {signal: 'SIGTERM', status: 143},
  {signal: 'SIGHUP', status: 129},
] as const satisfies ReadonlyArray<{signal: NodeJS.Signals; status: number}>
const INTERRUPTING: NodeJS.Signals[] = SIGNALS.map(({signal}) => signal)

const SYSTEMS = ['loop', 'raw', 'fio', 'node-fs'] as const
type System = (typeof SYSTEMS)[number]
// The loop's ring and the raw ring are told apart by their size (/proc/PID/fdinfo).
const DEPTH = 4
const LOOP_RING = 128
// Completions (or read calls) that show a system is past its start; with no warm-up, measured.
const UNDER_WAY = 100
// fio ramps up for at least 1 ms (its --ramp_time is in whole ms) before it counts anything;
// 10 000 completions take longer than that below 10 M ops/s.
const FIO_UNDER_WAY = 10_000
/** Each system runs 500 ms: long enough to be caught measuring, short enough to reach node-fs soon. */
function fileRunArgs({fileSize = '16m', warmup = '0'} = {}): string[] {
  return [
    'bench',
    '--op',
    'file-read',
    '--vs',
    'raw,fio,node-fs',
    '--file-size',
    fileSize,
    '--depth',
    String(DEPTH),
    '--duration',
    '500ms',
    '--warmup',
    warmup,
  ]
}

const scratch = mkdtempSync(path.join(tmpdir(), 'iob-signals-'))
after(() => rmSync(scratch, {recursive: true, force: true}))

interface FileRun {
  run: WatchedRun
  /** The run's own TMPDIR: its test file goes there, and nothing may be left in it. */
  tmp: string
  output: string
}

function startFileRun(args: string[]): FileRun {
  const tmp = mkdtempSync(path.join(scratch, 'tmp-'))
  const output = `${tmp}.json`
  // libuv's own io_uring (off by default in Node 20) would add rings the test does not expect.
  const run = startCli([...args, '--output', output], {TMPDIR: tmp, UV_USE_IO_URING: '0'})
  return {run, tmp, output}
}

/** The fio child that is measuring. */
function measuringFio(cli: number): number | undefined {
  // fio --version, run just before, is a fio child too, without a ring.
  return childrenOf(cli).find((pid) => commandName(pid) === 'fio' && (ringCompletions(pid) ?? 0) >= FIO_UNDER_WAY)
}

/** Waits until `system` is measuring. */
async function untilMeasuring({run, tmp}: FileRun, system: System): Promise<void> {
  const cli = run.pid
  if (system === 'loop' || system === 'raw') {
    const entries = system === 'loop' ? LOOP_RING : DEPTH
    await waitFor(run, `${system} measured`, () => (ringCompletions(cli, entries) ?? 0) >= UNDER_WAY)
    return
  }
  const fio = await waitFor(run, 'fio measured', () => measuringFio(cli))
  if (system === 'fio') return
  // node-fs runs in a Node process of its own, the one child that opens the test file after fio.
  await waitFor(run, 'fio ended', () => !isAlive(fio))
  const nodeFs = await waitFor(run, 'node-fs opened the test file', () => childrenOf(cli).find((pid) => hasOpen(pid, tmp)))
  const before = readCalls(nodeFs)!
  await waitFor(run, 'node-fs measured', () => (readCalls(nodeFs) ?? 0) >= before + UNDER_WAY)
}

/** No child the CLI had, nor any other process of the run, is left; its TMPDIR is empty. */
function assertNothingLeft({tmp}: FileRun, children: number[]): void {
  for (const pid of children) assert.ok(!isAlive(pid), `child ${pid} (${commandName(pid)}) outlived the CLI`)
  assert.deepEqual(processesWithEnvironment(`TMPDIR=${tmp}`), [], 'a process of the run outlived the CLI')
  assert.deepEqual(readdirSync(tmp), [], 'temporary files left')
}

function assertOneLine(exit: Exit, signal: NodeJS.Signals, status: number): void {
  assert.equal(exit.status, status, exit.stderr)
  assert.equal(exit.stdout, '')
  assert.equal(exit.stderr, `Interrupted by ${signal} before anything was measured.\n`)
}

describe('a signal while a system measures: what ran is printed and saved, then exit 128 + signal', {concurrency: 4}, () => {
  for (const system of SYSTEMS) {
    for (const {signal, status} of SIGNALS) {
      test(`${signal} while ${system} measures`, async () => {
        const fileRun = startFileRun(fileRunArgs())
        await untilMeasuring(fileRun, system)
        const children = childrenOf(fileRun.run.pid)
        process.kill(fileRun.run.pid, signal)
        const exit = await fileRun.run.exited
        assert.equal(exit.status, status, exit.stderr)
        const ran = SYSTEMS.slice(0, SYSTEMS.indexOf(system) + 1)
        for (const done of ran) assert.match(exit.stdout, new RegExp(`│ ${done}\\s+│\\s+[\\d.]+ [kM]? ?│`))
        for (const notRun of SYSTEMS.slice(ran.length)) assert.doesNotMatch(exit.stdout, new RegExp(`│ ${notRun}\\s`))
        assert.match(exit.stdout, /Interrupted: the figures above cover only what ran before the interrupt\./)
        const saved = JSON.parse(readFileSync(fileRun.output, 'utf8'))
        assert.equal(saved.interrupted, true)
        assert.deepEqual(
          saved.workloads[0].systems.map((measured: {system: string}) => measured.system),
          ran,
        )
        assert.ok(saved.workloads[0].systems.at(-1).ops > 0, `${system} saved no ops`)
        assertNothingLeft(fileRun, children)
      })
    }
  }
})

describe('a signal before anything was measured: one line, exit 128 + signal, nothing left', {concurrency: 3}, () => {
  for (const {signal, status} of SIGNALS) {
    test(`${signal} during start-up`, async () => {
      const fileRun = startFileRun(fileRunArgs())
      // Handled from the first line of bin/run.js, before oclif and the commands load.
      await waitFor(fileRun.run, 'the signal handlers were installed', () => catches(fileRun.run.pid, INTERRUPTING))
      process.kill(fileRun.run.pid, signal)
      assertOneLine(await fileRun.run.exited, signal, status)
      assertNothingLeft(fileRun, [])
    })

    test(`${signal} while the test file is laid out`, async () => {
      // A long warm-up: a signal that comes just after the layout still finds nothing measured.
      const fileRun = startFileRun(fileRunArgs({fileSize: '128m', warmup: '30s'}))
      await waitFor(fileRun.run, 'the test file was created', () => readdirSync(fileRun.tmp).length > 0)
      process.kill(fileRun.run.pid, signal)
      assertOneLine(await fileRun.run.exited, signal, status)
      assertNothingLeft(fileRun, [])
      // The saved result still says what happened (a CI verdict reads it), with nothing measured.
      const saved = JSON.parse(readFileSync(fileRun.output, 'utf8'))
      assert.equal(saved.interrupted, true)
      for (const workload of saved.workloads) for (const system of workload.systems) assert.equal(system.ops, 0)
    })
  }
})

test('a second signal exits at once, still killing the child and removing the test file', async () => {
  const fileRun = startFileRun(fileRunArgs())
  const fio = await waitFor(fileRun.run, 'fio measured', () => measuringFio(fileRun.run.pid))
  try {
    // Stopped, fio cannot act on the first signal the CLI passes on, so it is still there for the
    // second. Only once every thread has stopped: a SIGINT that comes while SIGSTOP is still
    // pending is taken first (the lower number), and fio would end instead.
    process.kill(fio, 'SIGSTOP')
    await waitFor(fileRun.run, 'fio stopped', () => isStopped(fio))
    process.kill(fileRun.run.pid, 'SIGTERM')
    await waitFor(fileRun.run, 'the CLI passed the interrupt on to fio', () => isPending(fio, 'SIGINT'))
    process.kill(fileRun.run.pid, 'SIGTERM')
    const exit = await fileRun.run.exited
    assert.equal(exit.status, 143, exit.stderr)
    assert.equal(exit.stdout, '')
    assertNothingLeft(fileRun, [fio])
    assert.equal(existsSync(fileRun.output), false)
  } finally {
    if (isAlive(fio)) process.kill(fio, 'SIGKILL')
  }
})

test('SIGHUP during shutdown-drill stops it after the round under way, exit 129, its scratch files removed', async () => {
  const tmp = mkdtempSync(path.join(scratch, 'tmp-'))
  const run = startCli(['shutdown-drill', '--rounds', '1000000', '--seed', '3'], {TMPDIR: tmp})
  // The file ops' scratch file, made by the core in a directory of the command's own.
  const scratchFile = (): string | undefined =>
    readdirSync(tmp, {recursive: true, encoding: 'utf8'}).find((name) => name.endsWith('/scratch'))
  await waitFor(run, 'the drill made its scratch file', scratchFile)
  process.kill(run.pid, 'SIGHUP')
  const {status, stdout, stderr} = await run.exited
  assert.equal(status, 129, stderr)
  assert.match(stdout, /^Interrupted after \d+ rounds\.$/m)
  assert.deepEqual(readdirSync(tmp), [], 'temporary files left')
})

test('SIGTERM with --json still prints one document, marked interrupted', async () => {
  const run = startCli(['bench', '--op', 'nop', '--duration', '60s', '--warmup', '0', '--json'], {})
  await waitFor(run, 'the loop measured', () => (ringCompletions(run.pid) ?? 0) >= UNDER_WAY)
  process.kill(run.pid, 'SIGTERM')
  const {status, stdout} = await run.exited
  assert.equal(status, 143)
  const document = JSON.parse(stdout)
  assert.equal(document.interrupted, true)
  assert.ok(document.workloads[0].systems[0].ops > 0)
})

test('out of descriptors (RLIMIT_NOFILE) is said in one line with the fix, exit 3', async () => {
  // 100 socket pairs need 200 descriptors: refused before connecting them.
  const {status, stdout, stderr} = await runCli(['bench', '--op', 'socket', '--connections', '100', '--duration', '100ms'], {
    wrapper: ['prlimit', '--nofile=64', '--'],
  })
  assert.equal(status, 3, stderr)
  assert.equal(stdout, '')
  assert.match(stderr, /^Error: RLIMIT_NOFILE is 64, this run needs about 2\d\d: ulimit -n 2\d\d .*\n$/)
})
