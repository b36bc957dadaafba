// The parts of scripts/bench/wake-matrix.mjs that decide and compute, apart from the processes it
// starts (test/unit/wake-matrix.test.ts runs them with a fake runner): its options, the
// configurations and the order they run in, reading a bench result, medians, and the table.

/** The dimensions of the matrix, each value as `bench` takes it. */
const DIMENSIONS = {
  design: ['cross-thread', 'same-thread'],
  wake: ['eventfd', 'futex', 'msg-ring', 'futex-op', 'busy-poll'],
  wait: ['sleep', 'spin=50us', 'adaptive'],
  op: ['nop', 'file-read'],
  depth: ['1', '32', '256'],
  submitters: ['1', '2'],
}

/** File reads: 4 KiB random reads of a page-cache-hot file, 32 in flight per submitter. */
const FILE_READ_DEPTH = '32'

/**
 * What bench did before a flag existed, so a configuration with this value runs on a build without
 * the flag (leaving it out); any other value of a missing flag is not built in that version.
 */
const BEFORE_THE_FLAG = {wake: 'eventfd', wait: 'sleep', design: 'cross-thread'}

/** The flags the matrix needs beyond the ones every bench has. */
const NEW_FLAGS = ['wake', 'wait', 'design', 'idle']

/** The counter of wakes submitters sent a sleeping loop: wakesSent, eventfdRings before there were other mechanisms. */
const WAKE_COUNTERS = ['wakesSent', 'eventfdRings']

/**
 * The options from parseArgs' values: trials, seconds, idle seconds, file size, the --only filters
 * (each `key=v1,v2`; several are all applied), and the output form.
 */
export function readOptions(values) {
  const trials = positiveNumber('--trials', values.trials, Number.isInteger)
  const seconds = positiveNumber('--seconds', values.seconds, Number.isFinite)
  const idleSeconds = positiveNumber('--idle', values.idle, Number.isFinite)
  if (values.json && values.markdown) throw new Error('--json and --markdown: give one form of the table, not both')
  const only = {}
  for (const filter of values.only ?? []) {
    const match = /^([a-z]+)=(.+)$/.exec(filter)
    if (!match || !(match[1] in DIMENSIONS)) {
      throw new Error(`--only: '${filter}' is not allowed; use KEY=VALUE[,VALUE...] with KEY one of ${Object.keys(DIMENSIONS).join(', ')}`)
    }
    const [, key, list] = match
    const wanted = list.split(',')
    const unknown = wanted.find((value) => !DIMENSIONS[key].includes(value))
    if (unknown !== undefined) throw new Error(`--only: ${key} '${unknown}' is not allowed; use one of ${DIMENSIONS[key].join(', ')}`)
    only[key] = only[key] ? only[key].filter((value) => wanted.includes(value)) : wanted
  }
  return {
    trials,
    seconds,
    idleSeconds,
    fileSize: values['file-size'],
    only,
    form: values.json ? 'json' : values.markdown ? 'markdown' : 'text',
  }
}

function positiveNumber(flag, text, valid) {
  const number = Number(text)
  if (!valid(number) || number <= 0) {
    throw new Error(`${flag}: '${text}' is not allowed; use a ${valid === Number.isInteger ? 'whole number' : 'number'} above 0`)
  }
  return number
}

const allowed = (only, key, value) => !only[key] || only[key].includes(value)

/**
 * The measured configurations, in the order a trial runs them: cross-thread, each mechanism with
 * each strategy, then same-thread, which has no wake, with each strategy (it spins on its own CQ);
 * within each, NOP at each depth then file reads, each with 1 and 2 submitters.
 */
export function configurations(only = {}) {
  const shapes = []
  for (const op of DIMENSIONS.op) {
    for (const depth of op === 'file-read' ? [FILE_READ_DEPTH] : DIMENSIONS.depth) {
      for (const submitters of DIMENSIONS.submitters) shapes.push({op, depth, submitters})
    }
  }
  const loops = []
  for (const design of DIMENSIONS.design) {
    for (const wake of design === 'same-thread' ? [null] : DIMENSIONS.wake) {
      for (const wait of DIMENSIONS.wait) loops.push({design, wake, wait})
    }
  }
  return loops.flatMap((loop) => shapes.map((shape) => ({...loop, ...shape}))).filter((config) => matches(config, only))
}

function matches(config, only) {
  // A filter on wake leaves same-thread out: it has none.
  return Object.keys(only).every((key) => (config[key] === null ? false : allowed(only, key, config[key])))
}

/** The loops whose idle CPU is measured, once each per trial: one per design, mechanism and strategy in the rows. */
function idleLoops(configs) {
  const seen = new Map()
  for (const {design, wake, wait} of configs) seen.set(loopKey({design, wake, wait}), {design, wake, wait})
  return [...seen.values()]
}

const loopKey = ({design, wake, wait}) => [design, wake ?? '-', wait ?? '-'].join(' ')

/** The flags bench takes for a loop's settings, or why this build cannot run it. */
function loopArgs({design, wake, wait}, flags) {
  const args = []
  for (const [key, value] of Object.entries({design, wake, wait})) {
    if (value === null) continue
    if (flags.has(key)) args.push(`--${key}`, value)
    else if (value !== BEFORE_THE_FLAG[key]) return {skip: `not built in this version (bench has no --${key})`}
  }
  return {args}
}

/** bench's arguments for one measured configuration, next to the raw ring, or why it cannot run. */
export function benchArgs(config, options, flags) {
  const loop = loopArgs(config, flags)
  if (loop.skip) return loop
  const file = config.op === 'file-read' ? ['--block-size', '4k', '--random', '--file-size', options.fileSize] : []
  return {
    args: [
      'bench',
      '--op',
      config.op,
      ...file,
      '--depth',
      config.depth,
      '--submitters',
      config.submitters,
      ...loop.args,
      '--duration',
      `${options.seconds}s`,
      '--warmup',
      '200ms',
      '--vs',
      'raw',
      '--json',
    ],
  }
}

/** bench's arguments for the idle window of one loop: a short NOP run, then the loop waits with nothing to do. */
function idleArgs(loop, options, flags) {
  if (!flags.has('idle')) return {skip: 'not built in this version (bench has no --idle)'}
  if (loop.design === 'same-thread') return {skip: 'no idle loop: a same-thread loop ends with its submitter'}
  const settings = loopArgs(loop, flags)
  if (settings.skip) return settings
  return {args: ['bench', '--op', 'nop', '--ops', '1000', ...settings.args, '--vs', 'none', '--idle', `${options.idleSeconds}s`, '--json']}
}

/** Which of NEW_FLAGS `bench --help` lists. */
export function flagsInHelp(help) {
  return new Set(NEW_FLAGS.filter((flag) => new RegExp(`--${flag}[=\\s\\]]`).test(help)))
}

/**
 * A run's figures from its result document: the loop's and the raw ring's rates, latency, CPU and
 * counters per op. Throws when the document has no loop result.
 */
function figuresOf(document) {
  const [workload] = document.workloads
  const loop = workload.systems.find((system) => system.system === 'loop')
  if (!loop) throw new Error('the result has no loop system')
  const ops = loop.ops || NaN
  const wakes = WAKE_COUNTERS.find((name) => typeof loop.counters[name] === 'number')
  return {
    opsPerSec: loop.opsPerSec,
    ratioToRaw: workload.ratios.find((ratio) => ratio.baseline === 'raw')?.opsPerSec ?? null,
    p50Ns: loop.latency.p50,
    p99Ns: loop.latency.p99,
    cpuNsPerOp: loop.cpu.nsPerOp,
    wakesPerOp: wakes === undefined ? null : loop.counters[wakes] / ops,
    entersPerOp: loop.counters.enterCalls / ops,
  }
}

/** The idle window's CPU as a share of one core, in percent (the loop's `idleCpu`); null when absent. */
function idleCpuOf(document) {
  const loop = document.workloads[0].systems.find((system) => system.system === 'loop')
  const idle = loop?.idleCpu
  return idle ? 100 * idle.shareOfCore : null
}

/** One line from a failed bench: its `Error:` line, or its exit status. */
function failureOf(run) {
  const line = run.stderr
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text.startsWith('Error:'))
  return line ? line.replace(/^Error:\s*/, '') : `bench exited ${run.status ?? 'on a signal'}`
}

/**
 * Runs the matrix: `trials` rounds of every configuration and every idle window, in the same order
 * each round (A B C ... A B C ...), so drift touches all alike. `run(args)` runs bench and resolves
 * to {status, stdout, stderr}. A configuration that bench refuses (exit 2, a flag or value this
 * build lacks; exit 3, the kernel lacks it) is not run again: the kernel will not change.
 * `progress(done, total, label)` is called before each run.
 */
export async function runMatrix({configs, options, flags, run, progress = () => {}}) {
  const jobs = [
    ...configs.map((config) => ({kind: 'bench', key: rowKey(config), planned: benchArgs(config, options, flags)})),
    ...idleLoops(configs).map((loop) => ({kind: 'idle', key: loopKey(loop), planned: idleArgs(loop, options, flags)})),
  ]
  const results = new Map(jobs.map((job) => [`${job.kind} ${job.key}`, {skip: job.planned.skip ?? null, trials: []}]))
  const runnable = jobs.filter((job) => !job.planned.skip)
  let done = 0
  for (let trial = 0; trial < options.trials; trial++) {
    for (const job of runnable) {
      const result = results.get(`${job.kind} ${job.key}`)
      done++
      if (result.skip) continue
      progress(
        done,
        runnable.length * options.trials,
        `trial ${trial + 1}/${options.trials}: ${job.kind === 'idle' ? `idle ${job.key}` : job.key}`,
      )
      const outcome = await run(job.planned.args)
      if (outcome.status !== 0) {
        result.skip = failureOf(outcome)
        continue
      }
      const document = JSON.parse(outcome.stdout)
      result.trials.push(job.kind === 'idle' ? idleCpuOf(document) : figuresOf(document))
    }
  }
  return tableOf(configs, results)
}

const rowKey = (config) =>
  [config.design, config.wake ?? '-', config.wait ?? '-', config.op, `depth ${config.depth}`, `x${config.submitters}`].join(' ')

/** The median; of an even count, the mean of the middle two. Nulls (a figure a run did not have) are left out. */
export function median(values) {
  const sorted = values.filter((value) => value !== null && !Number.isNaN(value)).sort((a, b) => a - b)
  if (!sorted.length) return null
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

const FIGURES = ['opsPerSec', 'ratioToRaw', 'p50Ns', 'p99Ns', 'cpuNsPerOp', 'wakesPerOp', 'entersPerOp']

/** One row per configuration: each figure the median over its trials (a ratio: of the per-trial ratios), or the reason it was skipped. */
function tableOf(configs, results) {
  return configs.map((config) => {
    const {design, wake, wait, op, depth, submitters} = config
    const row = {design, wake, wait, op, depth: Number(depth), submitters: Number(submitters)}
    const measured = results.get(`bench ${rowKey(config)}`)
    if (measured.skip && !measured.trials.length) return {...row, skipped: measured.skip}
    const idle = results.get(`idle ${loopKey(config)}`)
    return {
      ...row,
      trials: measured.trials.length,
      ...Object.fromEntries(FIGURES.map((figure) => [figure, median(measured.trials.map((trial) => trial[figure]))])),
      idleCpuPercent: idle.trials.length ? median(idle.trials) : null,
      ...(idle.skip && !idle.trials.length ? {idleSkipped: idle.skip} : {}),
      // A run that failed after others of the same configuration had been measured.
      ...(measured.skip ? {stopped: measured.skip} : {}),
    }
  })
}

const COLUMNS = [
  'design',
  'wake',
  'wait',
  'op',
  'depth',
  'subm',
  'ops/s',
  'x raw',
  'p50',
  'p99',
  'CPU/op',
  'wakes/op',
  'enters/op',
  'idle CPU',
]

const fmtRate = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0))
const fmtUs = (ns) => (ns < 1e3 ? `${ns.toFixed(0)} ns` : `${(ns / 1e3).toFixed(1)} µs`)
const or = (value, shown) => (value === null || value === undefined ? '-' : shown(value))

function cells(row) {
  const head = [row.design, row.wake ?? '-', row.wait ?? '-', row.op, String(row.depth), String(row.submitters)]
  if (row.skipped) return [...head, `skipped: ${row.skipped}`]
  return [
    ...head,
    fmtRate(row.opsPerSec),
    or(row.ratioToRaw, (ratio) => ratio.toFixed(2)),
    fmtUs(row.p50Ns),
    fmtUs(row.p99Ns),
    fmtUs(row.cpuNsPerOp),
    or(row.wakesPerOp, (value) => value.toFixed(3)),
    or(row.entersPerOp, (value) => value.toFixed(3)),
    or(row.idleCpuPercent, (value) => `${value.toFixed(1)} %`),
  ]
}

/** The table as aligned text: a skipped row's reason runs on from its configuration. */
export function textTable(rows) {
  const all = [COLUMNS, ...rows.map(cells)]
  const widths = COLUMNS.map((_, column) =>
    Math.max(...all.filter((line) => column < 6 || line.length === COLUMNS.length).map((line) => line[column].length)),
  )
  const aligned = (line) => line.map((cell, column) => (column < 6 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
  return [
    ...all.map((line) => (line.length === COLUMNS.length ? aligned(line) : [...aligned(line.slice(0, 6)), line[6]]).join('  ').trimEnd()),
    ...notes(rows),
  ].join('\n')
}

/** Said below the table: why idle CPU is missing (once for all rows alike), and each configuration that stopped early. */
function notes(rows) {
  const idle = new Set(rows.flatMap((row) => (row.idleSkipped ? [row.idleSkipped] : [])))
  const stopped = rows.flatMap((row) =>
    row.stopped ? [`${rowKey(row)}: stopped after ${row.trials} trial${row.trials === 1 ? '' : 's'}: ${row.stopped}`] : [],
  )
  return [...[...idle].map((reason) => `idle CPU: ${reason}`), ...stopped]
}

/** The table in Markdown, for the README; a skipped row says why in its first measured cell. */
export function markdownTable(rows) {
  const line = (values) => `| ${values.join(' | ')} |`
  const lines = [line(COLUMNS), line(COLUMNS.map((_, column) => (column < 6 ? '---' : '---:')))]
  for (const row of rows) {
    const values = cells(row)
    lines.push(line([...values, ...Array(COLUMNS.length - values.length).fill('')]))
  }
  return [...lines, ...notes(rows).map((note) => `\n${note}`)].join('\n')
}
