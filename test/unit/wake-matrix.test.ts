// scripts/bench/wake-matrix.mjs without starting bench: its options, the configurations and their
// interleaved order, what it reads from a result, medians, refusals as rows, and the table, with
// a fake runner standing for `node bin/run.js bench`.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

interface Options {
  trials: number
  seconds: number
  idleSeconds: number
  fileSize: string
  only: Record<string, string[]>
  form: 'text' | 'json' | 'markdown'
}
interface Config {
  design: string
  wake: string | null
  wait: string | null
  op: string
  depth: string
  submitters: string
}
interface Row {
  design: string
  wake: string | null
  wait: string | null
  op: string
  depth: number
  submitters: number
  skipped?: string
  trials?: number
  opsPerSec?: number
  ratioToRaw?: number | null
  p50Ns?: number
  p99Ns?: number
  cpuNsPerOp?: number
  wakesPerOp?: number | null
  entersPerOp?: number
  idleCpuPercent?: number | null
  idleSkipped?: string
  stopped?: string
}
interface Run {
  status: number | null
  stdout: string
  stderr: string
}
interface WakeMatrix {
  readOptions(values: Record<string, unknown>): Options
  configurations(only?: Record<string, string[]>): Config[]
  benchArgs(config: Config, options: Options, flags: Set<string>): {args?: string[]; skip?: string}
  flagsInHelp(help: string): Set<string>
  median(values: Array<number | null>): number | null
  runMatrix(input: {configs: Config[]; options: Options; flags: Set<string>; run: (args: string[]) => Promise<Run>}): Promise<Row[]>
  textTable(rows: Row[]): string
  markdownTable(rows: Row[]): string
}

const LIB = new URL('../../scripts/bench/wake-matrix-lib.mjs', import.meta.url).href
const matrix = (await import(LIB)) as WakeMatrix

const DEFAULTS = {trials: '3', seconds: '1', idle: '2', 'file-size': '64m', json: false, markdown: false}
const ALL_FLAGS = new Set(['wake', 'wait', 'design', 'idle'])

const flagValue = (args: string[], flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined)

/** A bench result document as the loop and raw systems report it, the figures made from the arguments. */
function fakeResult(args: string[], trial: number): string {
  const depth = Number(flagValue(args, '--depth') ?? 1)
  const idle = args.includes('--idle')
  const loop = {
    system: 'loop',
    ops: 1000,
    opsPerSec: 1000 * depth + trial,
    latency: {p50: 2000 + trial, p99: 9000},
    cpu: {nsPerOp: 500},
    counters: {wakesSent: 250, enterCalls: 1500},
    ...(idle
      ? {idleCpu: {cpuNs: 20_000_000 * (trial + 1), windowNs: 2_000_000_000, shareOfCore: (20_000_000 * (trial + 1)) / 2_000_000_000}}
      : {}),
  }
  return JSON.stringify({workloads: [{systems: [loop], ratios: [{baseline: 'raw', opsPerSec: 0.1 * (trial + 1)}]}]})
}

/** Runs the matrix with a fake bench; `refuse` answers some runs with a failure instead. */
async function runFake(configs: Config[], flags = ALL_FLAGS, refuse: (args: string[]) => Run | null = () => null) {
  const calls: string[][] = []
  const trialOf = new Map<string, number>()
  const rows = await matrix.runMatrix({
    configs,
    options: matrix.readOptions({...DEFAULTS, only: undefined}),
    flags,
    run: async (args) => {
      calls.push(args)
      const key = args.join(' ')
      const trial = trialOf.get(key) ?? 0
      trialOf.set(key, trial + 1)
      return refuse(args) ?? {status: 0, stdout: fakeResult(args, trial), stderr: ''}
    },
  })
  return {rows, calls}
}

describe('wake-matrix options', () => {
  test('defaults, and --only filters: values within one are alternatives, several all apply', () => {
    const options = matrix.readOptions({...DEFAULTS, only: ['wake=futex,eventfd', 'depth=1', 'wake=futex,msg-ring']})
    assert.deepEqual(options, {trials: 3, seconds: 1, idleSeconds: 2, fileSize: '64m', only: {wake: ['futex'], depth: ['1']}, form: 'text'})
    assert.equal(matrix.readOptions({...DEFAULTS, markdown: true}).form, 'markdown')
  })

  test('bad options are one line each, naming what is allowed', () => {
    const refused = (values: Record<string, unknown>) => {
      try {
        matrix.readOptions({...DEFAULTS, ...values})
      } catch (error) {
        return (error as Error).message
      }
      assert.fail('accepted')
    }
    assert.equal(
      refused({only: ['speed=fast']}),
      "--only: 'speed=fast' is not allowed; use KEY=VALUE[,VALUE...] with KEY one of design, wake, wait, op, depth, submitters",
    )
    assert.equal(
      refused({only: ['wake=smoke']}),
      "--only: wake 'smoke' is not allowed; use one of eventfd, futex, msg-ring, futex-op, busy-poll",
    )
    assert.equal(refused({trials: '1.5'}), "--trials: '1.5' is not allowed; use a whole number above 0")
    assert.equal(refused({seconds: '0'}), "--seconds: '0' is not allowed; use a number above 0")
    assert.equal(refused({json: true, markdown: true}), '--json and --markdown: give one form of the table, not both')
  })
})

describe('wake-matrix configurations', () => {
  test('every mechanism with every strategy cross-thread, and every strategy same-thread', () => {
    const configs = matrix.configurations()
    // NOP at 3 depths and file reads at depth 32, each with 1 and 2 submitters: 8 shapes.
    assert.equal(configs.length, 5 * 3 * 8 + 3 * 8)
    assert.deepEqual(configs[0], {design: 'cross-thread', wake: 'eventfd', wait: 'sleep', op: 'nop', depth: '1', submitters: '1'})
    const sameThread = configs.filter((config) => config.design === 'same-thread')
    assert.equal(sameThread.length, 3 * 8)
    assert.ok(sameThread.every((config) => config.wake === null && config.wait !== null))
    assert.ok(configs.filter((config) => config.op === 'file-read').every((config) => config.depth === '32'))
  })

  test('a filter on wake leaves same-thread out; one on wait or depth keeps it', () => {
    assert.ok(matrix.configurations({wake: ['futex']}).every((config) => config.design === 'cross-thread' && config.wake === 'futex'))
    assert.deepEqual(
      matrix.configurations({wait: ['adaptive'], depth: ['1'], submitters: ['1']}).map((config) => `${config.design} ${config.wake}`),
      ['eventfd', 'futex', 'msg-ring', 'futex-op', 'busy-poll'].map((wake) => `cross-thread ${wake}`).concat('same-thread null'),
    )
    const depthOne = matrix.configurations({depth: ['1'], submitters: ['1']})
    assert.deepEqual(
      depthOne.map((config) => `${config.design} ${config.wake} ${config.wait}`),
      [
        ...['eventfd', 'futex', 'msg-ring', 'futex-op', 'busy-poll'].flatMap((wake) =>
          ['sleep', 'spin=50us', 'adaptive'].map((wait) => `cross-thread ${wake} ${wait}`),
        ),
        ...['sleep', 'spin=50us', 'adaptive'].map((wait) => `same-thread null ${wait}`),
      ],
    )
  })

  test('bench runs each with the raw ring; file reads are 4 KiB random reads of the hot file', () => {
    const [fileRead] = matrix.configurations({op: ['file-read'], wake: ['futex'], wait: ['adaptive'], submitters: ['2']})
    const options = matrix.readOptions({...DEFAULTS, seconds: '0.5'})
    assert.deepEqual(matrix.benchArgs(fileRead, options, ALL_FLAGS).args, [
      'bench',
      '--op',
      'file-read',
      '--block-size',
      '4k',
      '--random',
      '--file-size',
      '64m',
      '--depth',
      '32',
      '--submitters',
      '2',
      '--design',
      'cross-thread',
      '--wake',
      'futex',
      '--wait',
      'adaptive',
      '--duration',
      '0.5s',
      '--warmup',
      '200ms',
      '--vs',
      'raw',
      '--json',
    ])
  })

  test('a build without a flag runs only what it did before the flag, and says which flag the rest lacks', () => {
    const help = 'USAGE\n  $ iouring-bench bench [--op <value>] [--wait <value>] [--spin DURATION]\n  --wait=<value>  how to wait'
    const flags = matrix.flagsInHelp(help)
    assert.deepEqual([...flags], ['wait'])
    const options = matrix.readOptions(DEFAULTS)
    const [eventfd, futex] = matrix.configurations({
      wake: ['eventfd', 'futex'],
      wait: ['adaptive'],
      op: ['nop'],
      depth: ['1'],
      submitters: ['1'],
    })
    assert.deepEqual(flagValue(matrix.benchArgs(eventfd, options, flags).args ?? [], '--wait'), 'adaptive')
    assert.equal(flagValue(matrix.benchArgs(eventfd, options, flags).args ?? [], '--wake'), undefined)
    assert.deepEqual(matrix.benchArgs(futex, options, flags), {skip: 'not built in this version (bench has no --wake)'})
  })
})

describe('wake-matrix runs', () => {
  const configs = matrix.configurations({
    wake: ['eventfd', 'futex-op'],
    wait: ['sleep'],
    op: ['nop'],
    depth: ['1', '256'],
    submitters: ['1'],
  })

  test('trials are interleaved: every configuration, then every idle window, the same order each trial', async () => {
    const {calls} = await runFake(configs)
    const label = (args: string[]) => `${flagValue(args, '--wake')} ${args.includes('--idle') ? 'idle' : flagValue(args, '--depth')}`
    const round = ['eventfd 1', 'eventfd 256', 'futex-op 1', 'futex-op 256', 'eventfd idle', 'futex-op idle']
    assert.deepEqual(calls.map(label), [...round, ...round, ...round])
  })

  test('each figure is the median over trials; wakes and enters per op come from the counters; idle CPU from the idle window', async () => {
    const {rows} = await runFake(configs)
    assert.deepEqual(rows[1], {
      design: 'cross-thread',
      wake: 'eventfd',
      wait: 'sleep',
      op: 'nop',
      depth: 256,
      submitters: 1,
      trials: 3,
      opsPerSec: 256_001,
      ratioToRaw: 0.2,
      p50Ns: 2001,
      p99Ns: 9000,
      cpuNsPerOp: 500,
      wakesPerOp: 0.25,
      entersPerOp: 1.5,
      idleCpuPercent: 2,
    })
  })

  test('a configuration the kernel refuses is a row saying why, and is not run again', async () => {
    const refusal = '--wake futex-op needs IORING_OP_FUTEX_WAIT (Linux 6.7); this kernel is 5.10.262 (Debian)'
    const {rows, calls} = await runFake(configs, ALL_FLAGS, (args) =>
      flagValue(args, '--wake') === 'futex-op' ? {status: 3, stdout: '', stderr: `Error: ${refusal}\n`} : null,
    )
    assert.deepEqual(
      rows.map((row) => row.skipped ?? 'measured'),
      ['measured', 'measured', refusal, refusal],
    )
    assert.equal(
      calls.filter((args) => flagValue(args, '--wake') === 'futex-op').length,
      3,
      'once for each of its two configurations and its idle window',
    )
    const text = matrix.textTable(rows)
    assert.match(
      text,
      /^cross-thread {2}futex-op {2}sleep {2}nop {2}1 +1 +skipped: --wake futex-op needs IORING_OP_FUTEX_WAIT \(Linux 6\.7\)/m,
    )
    assert.match(
      matrix.markdownTable(rows),
      /^\| cross-thread \| futex-op \| sleep \| nop \| 1 \| 1 \| skipped: --wake futex-op needs .* \| {2}\|/m,
    )
  })

  test('a run that fails after others of its configuration were measured keeps them, and says so below the table', async () => {
    let depth256 = 0
    const {rows} = await runFake(configs, ALL_FLAGS, (args) =>
      flagValue(args, '--depth') === '256' && flagValue(args, '--wake') === 'eventfd' && ++depth256 === 2
        ? {status: 1, stdout: '', stderr: 'Error: the loop stopped: something broke\n'}
        : null,
    )
    assert.deepEqual([rows[1].trials, rows[1].stopped], [1, 'the loop stopped: something broke'])
    assert.match(
      matrix.textTable(rows),
      /^cross-thread eventfd sleep nop depth 256 x1: stopped after 1 trial: the loop stopped: something broke$/m,
    )
  })

  test('a build without --idle measures the rest and says once why idle CPU is missing', async () => {
    const {rows, calls} = await runFake(configs, new Set(['wake', 'wait', 'design']))
    assert.ok(calls.every((args) => !args.includes('--idle')))
    assert.ok(rows.every((row) => row.idleCpuPercent === null && row.idleSkipped === 'not built in this version (bench has no --idle)'))
    const text = matrix.textTable(rows)
    assert.equal(text.match(/idle CPU: not built/g)?.length, 1)
  })

  test('the median of an even count is the mean of the middle two; nulls are left out', () => {
    assert.equal(matrix.median([3, 1, 2]), 2)
    assert.equal(matrix.median([4, 1, 3, 2]), 2.5)
    assert.equal(matrix.median([null, 5]), 5)
    assert.equal(matrix.median([null]), null)
  })
})
