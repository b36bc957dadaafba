// The regression gate over a history of results (`gate --history`): where an A/B gate compares one
// baseline with one run, a series of results (one per commit, kept by CI) shows a slow creep or a
// step that no single pair does. Each workload's results form one series per testbed (a kernel
// upgrade starts a new series rather than raising a false alarm); each metric's series is cut at
// its change points (E-Divisive means, src/gate/changepoint.ts), and a change is "worse" when its
// permutation test, adjusted by Holm over every metric and series tested, is below alpha and the
// level moved by at least the metric's minimum effect.

import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'

import {EnvironmentError, shown, UsageError} from '../errors.js'
import {toolInfo} from '../model/envelope.js'
import {
  type HistoryChange,
  type HistoryDocument,
  type HistoryMetric,
  type HistoryMetricSeries,
  type HistoryPoint,
  type HistoryProblem,
  type HistorySeries,
  HISTORY_KIND,
  HISTORY_METRICS,
  HISTORY_SCHEMA_VERSION,
  type Testbed,
} from '../model/history.js'
import type {ResultDocument, SystemResult, WorkloadResult} from '../model/result.js'
import {perOp} from '../bench/comparison.js'
import {measuredLoop} from '../report/figures.js'
import {DOCUMENT_TITLES} from '../report/formats.js'
import {parseDocument} from '../report/load.js'
import {type ChangePointOptions, changePoints} from './changepoint.js'
import {changeText} from './history-render.js'
import {DEFAULT_GATE, specChanges} from './gate.js'
import {holmAdjusted} from './statistics.js'

/** Bigger is better for throughput, the loop's share of the raw ring's and batching; smaller for the rest. */
const BIGGER_IS_BETTER: Record<HistoryMetric, boolean> = {
  opsPerSec: true,
  vsRaw: true,
  p50: false,
  p99: false,
  p999: false,
  cpuNsPerOp: false,
  entersPerOp: false,
  sqesPerEnter: true,
  wakesPerOp: false,
  switchesPerOp: false,
  instructionsPerOp: false,
  cyclesPerOp: false,
}

/**
 * The smallest move of a level that can fail the gate. Throughput 5 %: a level is the median of
 * many results, steadier than one A/B pair, which takes 10 %; latency has the A/B gate's defaults
 * (p99.9 as p99). The counts, which do not depend on the clock, a tight one: 5 % more enters per
 * op, or 2 % more instructions, is a change in what the loop does, however noisy the clock was.
 */
export const HISTORY_MIN_EFFECT: Record<HistoryMetric, number> = {
  opsPerSec: 0.05,
  vsRaw: 0.05,
  p50: DEFAULT_GATE.metrics.p50!.minEffect,
  p99: DEFAULT_GATE.metrics.p99!.minEffect,
  p999: DEFAULT_GATE.metrics.p99!.minEffect,
  cpuNsPerOp: 0.1,
  entersPerOp: 0.05,
  sqesPerEnter: 0.05,
  wakesPerOp: 0.05,
  // A thread that blocks once more per op is as real as an enter more, but preemptions are the machine's.
  switchesPerOp: 0.1,
  instructionsPerOp: 0.02,
  cyclesPerOp: 0.05,
}

/** Fewest results on each side of a change. */
const MIN_SEGMENT = 3

interface HistoryEntry {
  point: HistoryPoint
  document: ResultDocument
}

const EXPECTED_HISTORY =
  'a folder of results saved by run or bench (--json, --output FILE.json, --save-baseline) or a JSON-lines file of them'

/**
 * The results in `location`: every file of a folder, or every line of a JSON-lines file. What
 * cannot be used (not JSON, not a result, an interrupted run) is a problem naming its source;
 * the rest of the history is still judged.
 */
function readHistory(location: string): {entries: HistoryEntry[]; problems: HistoryProblem[]} {
  let isFolder: boolean
  try {
    isFolder = statSync(location).isDirectory()
  } catch {
    throw new UsageError(`--history: ${shown(location)}: no such file or folder; give ${EXPECTED_HISTORY}`)
  }
  const texts: Array<{source: string; text: string}> = []
  const problems: HistoryProblem[] = []
  const read = (file: string): string | undefined => {
    try {
      return readFileSync(file, 'utf8')
    } catch (error) {
      problems.push({source: file, reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`})
      return undefined
    }
  }
  if (isFolder) {
    let names: string[]
    try {
      names = readdirSync(location).sort()
    } catch (error) {
      throw new EnvironmentError(`--history: cannot list ${shown(location)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
    }
    for (const name of names) {
      const file = path.join(location, name)
      // A folder inside is not a result; a link to nothing is a problem like an unreadable file.
      if (statSync(file, {throwIfNoEntry: false})?.isDirectory()) continue
      const text = read(file)
      if (text === undefined) continue
      if (text.trim() === '') problems.push({source: file, reason: 'empty'})
      else texts.push({source: file, text})
    }
  } else {
    let text: string
    try {
      text = readFileSync(location, 'utf8')
    } catch (error) {
      throw new EnvironmentError(`--history: cannot read ${shown(location)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
    }
    text.split('\n').forEach((line, i) => {
      if (line.trim() !== '') texts.push({source: `${location}:${i + 1}`, text: line})
    })
  }
  const entries: HistoryEntry[] = []
  for (const {source, text} of texts) {
    try {
      const loaded = parseDocument(text, source)
      if (loaded.kind !== 'result') problems.push({source, reason: `is ${DOCUMENT_TITLES[loaded.kind]}, not a result`})
      else if (loaded.document.interrupted) problems.push({source, reason: 'an interrupted run: its figures are partial'})
      else entries.push({point: pointOf(source, loaded.document), document: loaded.document})
    } catch (error) {
      // parseDocument names the source itself; the problem line names it once.
      problems.push({source, reason: (error as Error).message.replace(`${shown(source)}: `, '')})
    }
  }
  entries.sort((a, b) => a.point.createdAt.localeCompare(b.point.createdAt))
  return {entries, problems}
}

function pointOf(source: string, document: ResultDocument): HistoryPoint {
  return {
    source,
    createdAt: document.createdAt,
    ...(document.label ? {label: document.label} : {}),
    ...(document.commit ? {commit: document.commit} : {}),
  }
}

/** What a workload's figures were measured on: the series it belongs to. */
function testbedOf(document: ResultDocument, loop: SystemResult): Testbed {
  const {ring} = loop
  return {
    cpuModel: document.host.cpuModel,
    cpus: document.host.cpus,
    kernel: document.kernel.release,
    ring: ring ? `${ring.setupFlagNames}, ${ring.sqEntries} entries` : 'none',
    tool: document.tool.version,
    node: document.host.node,
  }
}

/** The loop's figures, unless it measured nothing or stopped on an error. */
function loopOf(workload: WorkloadResult): SystemResult | undefined {
  const loop = measuredLoop(workload)
  return loop && !loop.error ? loop : undefined
}

/** A metric of the workload's loop in one result, or null when the result does not have it. */
function metricOf(workload: WorkloadResult, metric: HistoryMetric): number | null {
  const loop = loopOf(workload)
  if (!loop) return null
  const enters = loop.counters.enterCalls ?? 0
  switch (metric) {
    case 'opsPerSec':
      return loop.opsPerSec
    case 'vsRaw':
      return workload.ratios.find((ratio) => ratio.baseline === 'raw')?.opsPerSec ?? null
    case 'p50':
    case 'p99':
    case 'p999':
      return loop.latency[metric]
    case 'cpuNsPerOp':
      return loop.cpu.nsPerOp
    case 'entersPerOp':
      return perOp(loop, enters)
    case 'sqesPerEnter':
      return enters > 0 ? (loop.counters.sqesSubmitted ?? 0) / enters : null
    case 'wakesPerOp':
      return perOp(loop, loop.counters.wakesSent)
    case 'switchesPerOp':
    case 'instructionsPerOp':
    case 'cyclesPerOp':
      return loop.cpu[metric] ?? null
  }
}

/** "kernel 6.1.0 → 6.12.0; Node v20 → v22": how two testbeds differ. */
function testbedChange(before: Testbed, now: Testbed): string {
  const labels: Record<keyof Testbed, string> = {
    cpuModel: 'CPU',
    cpus: 'vCPUs',
    kernel: 'kernel',
    ring: 'ring',
    tool: 'iouring-bench',
    node: 'Node',
  }
  return (Object.keys(labels) as Array<keyof Testbed>)
    .filter((key) => before[key] !== now[key])
    .map((key) => `${labels[key]} ${before[key]} → ${now[key]}`)
    .join('; ')
}

/** The results as series: per workload, per testbed, in time order. A workload whose loop measured nothing is a problem. */
function seriesOf(entries: HistoryEntry[], problems: HistoryProblem[]): HistorySeries[] {
  const series = new Map<string, HistorySeries & {rows: WorkloadResult[]}>()
  for (const {point, document} of entries) {
    for (const workload of document.workloads) {
      const loop = loopOf(workload)
      if (!loop) {
        const failed = workload.systems.find((system) => system.system === 'loop')?.error?.explanation
        problems.push({source: point.source, reason: `${workload.name}: the loop measured nothing${failed ? ` (${failed})` : ''}`})
        continue
      }
      const testbed = testbedOf(document, loop)
      const key = JSON.stringify([workload.name, testbed])
      let entry = series.get(key)
      if (!entry) {
        entry = {workload: workload.name, testbed, points: [], settingChanges: [], metrics: [], rows: []}
        series.set(key, entry)
      }
      const previous = entry.rows.at(-1)
      const changed = previous && specChanges(previous, workload)
      if (changed) entry.settingChanges.push({at: point, change: changed})
      entry.points.push(point)
      entry.rows.push(workload)
    }
  }
  const all = [...series.values()]
  return all.map(({rows, ...one}) => {
    const earlier = all.filter((other) => other.workload === one.workload && other.points[0].createdAt < one.points[0].createdAt)
    const previous = earlier.at(-1)
    return {
      ...one,
      metrics: HISTORY_METRICS.map((metric) => ({metric, values: rows.map((row) => metricOf(row, metric)), changes: []})),
      ...(previous ? {newTestbed: testbedChange(previous.testbed, one.testbed)} : {}),
    }
  })
}

/**
 * Judges every metric of every series. Only the newest series of each workload can fail the
 * gate, and with `since` only its changes from that result on: an older testbed is history, and a
 * change once accepted (`--since` the result after it) stays shown without failing every later
 * run. The newest series' tests are one family for Holm's adjustment; each older series is its own.
 */
export function judgeHistory(location: string, options: {alpha?: number; since?: string; toolVersion: string}): HistoryDocument {
  const alpha = options.alpha ?? DEFAULT_GATE.alpha
  const {entries, problems} = readHistory(location)
  if (entries.length === 0) {
    throw new UsageError(
      `--history: ${shown(location)} holds no usable result${problems.length > 0 ? ` (${problems.length} file${problems.length === 1 ? '' : 's'} refused: ${problems[0].source}: ${problems[0].reason})` : ''}; give ${EXPECTED_HISTORY}`,
    )
  }
  const series = seriesOf(entries, problems)
  const since = options.since === undefined ? undefined : sinceTime(options.since, entries, location)
  const newest = new Set(
    [...new Set(series.map((one) => one.workload))].map((workload) =>
      series.filter((one) => one.workload === workload).reduce((a, b) => (b.points.at(-1)!.createdAt > a.points.at(-1)!.createdAt ? b : a)),
    ),
  )
  for (const one of series) one.gated = newest.has(one)
  judgeFamily(
    series.filter((one) => one.gated),
    alpha,
    since,
  )
  for (const one of series.filter((entry) => !entry.gated)) judgeFamily([one], alpha, since)
  const passed = series.every((one) =>
    one.metrics.every((metric) => metric.changes.every((change) => !(change.verdict === 'worse' && change.gates))),
  )
  return {
    schemaVersion: HISTORY_SCHEMA_VERSION,
    kind: HISTORY_KIND,
    tool: toolInfo(options.toolVersion),
    createdAt: new Date().toISOString(),
    history: location,
    passed,
    alpha,
    ...(options.since === undefined ? {} : {since: options.since}),
    results: entries.length,
    series,
    problems,
  }
}

/** When --since begins: the first result whose commit (or its start), label or time it names. */
function sinceTime(given: string, entries: HistoryEntry[], location: string): string {
  const named = entries.find(
    ({point}) => (point.commit !== undefined && point.commit.startsWith(given)) || point.label === given || point.createdAt === given,
  )
  if (named) return named.point.createdAt
  if (!Number.isNaN(Date.parse(given)) && /^\d{4}-\d\d-\d\d/.test(given)) return new Date(given).toISOString()
  throw new UsageError(
    `--since: '${shown(given)}' is not allowed; give the commit (or its start) or the label of a result in ${shown(location)}, or a date such as 2026-12-01`,
  )
}

/** The metric's values that results have, each with its index in the series. */
function presentValues(metric: HistoryMetricSeries): Array<{value: number; index: number}> {
  return metric.values.flatMap((value, index) => (value === null || !Number.isFinite(value) ? [] : [{value, index}]))
}

/** Looks for the change points of every metric of the series, one family of tests for Holm. */
function judgeFamily(series: HistorySeries[], alpha: number, since: string | undefined): void {
  const tested: Array<{series: HistorySeries; metric: HistoryMetricSeries}> = []
  for (const one of series) {
    if (one.points.length < 2 * MIN_SEGMENT) {
      one.note = `${one.points.length} result${one.points.length === 1 ? '' : 's'}: too few to look for a change (${2 * MIN_SEGMENT} or more)`
      continue
    }
    // A metric the results lack, or that never moves (no wakes in the same-thread design), is no test.
    for (const metric of one.metrics) {
      const present = presentValues(metric)
      metric.tested = present.length >= 2 * MIN_SEGMENT && present.some(({value}) => value !== present[0].value)
      if (metric.tested) tested.push({series: one, metric})
    }
  }
  const searched = changePointOptions(tested.length, alpha)
  const found: Array<{change: HistoryChange; metric: HistoryMetric}> = []
  const unsplit: number[] = []
  for (const {series: one, metric} of tested) {
    const present = presentValues(metric)
    const points = changePoints(
      present.map((entry) => entry.value),
      searched,
    )
    // A metric with no split below alpha is still a test of the family (its p is at least alpha).
    if (points.length === 0) unsplit.push(1)
    for (const point of points) {
      const index = present[point.index].index
      const change: HistoryChange = {
        index,
        verdict: 'same',
        before: point.before,
        after: point.after,
        ratio: point.before === 0 ? null : point.ratio,
        pValue: point.pValue,
        adjustedPValue: point.pValue,
        minEffect: HISTORY_MIN_EFFECT[metric.metric],
        lastBefore: one.points[present[point.index - 1].index],
        firstAfter: one.points[index],
        gates: Boolean(one.gated) && (since === undefined || one.points[index].createdAt >= since),
        reason: '',
      }
      metric.changes.push(change)
      found.push({change, metric: metric.metric})
    }
  }
  const adjusted = holmAdjusted([...found.map(({change}) => change.pValue), ...unsplit])
  found.forEach(({change, metric}, i) => {
    change.adjustedPValue = adjusted[i]
    Object.assign(change, changeVerdict(metric, change.before, change.after, adjusted[i], alpha))
  })
}

/** Worse or better when significant among the family and at least the metric's minimum effect; else the same. */
export function changeVerdict(
  metric: HistoryMetric,
  before: number,
  after: number,
  adjustedP: number,
  alpha: number,
): Pick<HistoryChange, 'verdict' | 'reason'> {
  const minEffect = HISTORY_MIN_EFFECT[metric]
  const bigger = BIGGER_IS_BETTER[metric]
  const worse = bigger ? after < before : after > before
  // The move in the metric's own sense each way, as the A/B gate takes it; from 0, any move is large.
  const ratio = after / before
  const moved =
    after === before ? 0 : before === 0 ? Infinity : Math.max(bigger ? 1 - ratio : ratio - 1, bigger ? 1 - 1 / ratio : 1 / ratio - 1)
  const significant = adjustedP < alpha
  const large = moved >= minEffect
  const verdict = significant && large ? (worse ? 'worse' : 'better') : 'same'
  const change = changeText(before, after)
  const p = `p = ${adjustedP.toFixed(3)} adjusted over the history's tests`
  const reason = !significant
    ? `${change}, not significant among the history's tests (${p} ≥ ${alpha})`
    : !large
      ? `${change}, significant (${p}) but smaller than the minimum effect of ${(minEffect * 100).toFixed(0)}%`
      : `${change}, significant (${p}) and beyond the minimum effect of ${(minEffect * 100).toFixed(0)}%`
  return {verdict, reason}
}

/**
 * How the gate looks for change points in one metric's values, one test of `tests` in the family:
 * enough permutations that the family's smallest adjusted p can fall below alpha.
 */
export function changePointOptions(tests: number, alpha: number): ChangePointOptions {
  // A test that cannot be significant stops early (changepoint.ts), so many permutations cost little.
  return {alpha, minSegment: MIN_SEGMENT, permutations: Math.max(199, Math.ceil((2 * Math.max(1, tests)) / alpha) - 1)}
}

/** Whether the file is empty, absent, or ends with a line feed. */
function endsLine(file: string): boolean {
  const size = statSync(file, {throwIfNoEntry: false})?.size ?? 0
  if (size === 0) return true
  const last = Buffer.alloc(1)
  const fd = openSync(file, 'r')
  try {
    readSync(fd, last, 0, 1, size - 1)
  } finally {
    closeSync(fd)
  }
  return last[0] === 0x0a
}

/**
 * Adds a result to a history: a line of a JSON-lines file (an existing file, or a new path ending
 * in .jsonl), or else a file of a folder, named by when the result was made so the files sort in
 * time. Returns the file written.
 */
export function addToHistory(target: string, document: ResultDocument): string {
  const exists = existsSync(target)
  const asLines = exists ? statSync(target).isFile() : target.endsWith('.jsonl')
  if (!exists && !asLines && path.extname(target) !== '') {
    throw new UsageError(`--to: '${shown(target)}' is not allowed; give a folder, or a JSON-lines file ending in .jsonl`)
  }
  try {
    if (asLines) {
      // A line of its own even when the file's last one has no line feed.
      appendFileSync(target, (endsLine(target) ? '' : '\n') + JSON.stringify(document) + '\n')
      return target
    }
    mkdirSync(target, {recursive: true})
    const stem = [document.createdAt.replace(/[:.]/g, '-'), document.label?.replace(/[^\w.-]+/g, '_')].filter(Boolean).join('-')
    const taken = new Set(readdirSync(target))
    let name = `${stem}.json`
    for (let n = 2; taken.has(name); n++) name = `${stem}-${n}.json`
    const file = path.join(target, name)
    writeFileSync(file, JSON.stringify(document, null, 2) + '\n', {flag: 'wx'})
    return file
  } catch (error) {
    throw new EnvironmentError(`--to: cannot add to ${shown(target)}: ${(error as Error).message}`)
  }
}
