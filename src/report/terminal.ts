// The terminal form of a result document: for each workload a summary table (throughput and
// latency percentiles per system, with the loop's ratio to each baseline), the loop's counters,
// and a compact latency histogram; the kernel line first. Colour only where the stream supports
// it (ansis honours NO_COLOR and non-TTY output).

import ansis from 'ansis'
import Table from 'cli-table3'

import {formatCount, formatDuration} from '../units.js'
import {decodeHistogram, type Histogram} from './histogram.js'
import type {ResultDocument, Spread, SystemResult, WorkloadResult} from './result.js'

export interface TerminalOptions {
  color: boolean
}

type Style = (text: string) => string

/** The few styles the report uses; plain text when colour is off. */
export interface Paint {
  bold: Style
  dim: Style
  red: Style
  yellow: Style
  green: Style
}

export function paintFor(color: boolean): Paint {
  const plain: Style = (text) => text
  return color
    ? {bold: ansis.bold, dim: ansis.dim, red: ansis.red, yellow: ansis.yellow, green: ansis.green}
    : {bold: plain, dim: plain, red: plain, yellow: plain, green: plain}
}

export function renderTerminal(document: ResultDocument, options: TerminalOptions): string {
  const paint = paintFor(options.color)
  const out: string[] = []
  out.push(kernelLine(document, paint))
  for (const workload of document.workloads) {
    out.push('', ...renderWorkload(workload, paint))
  }
  if (document.interrupted) {
    out.push('', paint.yellow('Interrupted: the figures above cover only what ran before the interrupt.'))
  }
  return out.join('\n') + '\n'
}

function kernelLine(document: ResultDocument, paint: Paint): string {
  const {kernel, host} = document
  return paint.dim(
    `kernel ${kernel.release} (${kernel.version}) · ${host.cpus} CPUs ${host.cpuModel.trim()} · node ${host.node} · iouring-bench ${document.tool.version}`,
  )
}

function describe(workload: WorkloadResult): string {
  const {spec} = workload
  const op = spec.op === 'timer' ? `timer ${formatDuration(spec.timerNs)}` : spec.op
  const drive = `${spec.drive.submitters} submitter${spec.drive.submitters === 1 ? '' : 's'} × depth ${spec.drive.depth}`
  const length = spec.drive.ops > 0 ? `${formatCount(spec.drive.ops)} ops` : formatDuration(spec.drive.durationNs)
  const extras = [
    `ring ${spec.loop.ringSize}`,
    spec.loop.opTimeoutNs === undefined ? undefined : `op timeout ${formatDuration(spec.loop.opTimeoutNs)}`,
    spec.loop.singleIssuer ? 'single issuer' : undefined,
    spec.loop.ioPoll ? 'io_poll' : undefined,
  ].filter(Boolean)
  const warmup = spec.drive.warmupNs > 0 ? ` (+${formatDuration(spec.drive.warmupNs)} warm-up)` : ''
  return `${workload.name}: ${op} · ${drive} · ${extras.join(' · ')} · ${length}${warmup}`
}

function renderWorkload(workload: WorkloadResult, paint: Paint): string[] {
  const lines = [paint.bold(describe(workload))]
  const table = new Table({
    head: ['system', 'ops/s', 'p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max', 'CPU/op', 'errors'],
    style: {head: [], border: []},
    colAligns: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  })
  for (const system of workload.systems) {
    if (system.error && system.ops === 0) {
      table.push([system.system, {colSpan: 9, content: paint.red(system.error.explanation)}])
      continue
    }
    const {latency} = system
    table.push([
      system.system,
      formatCount(system.opsPerSec),
      ...[latency.p50, latency.p90, latency.p99, latency.p999, latency.p9999, latency.max].map(formatDuration),
      formatDuration(system.cpu.nsPerOp),
      String(errorCount(system)),
    ])
  }
  lines.push(table.toString())

  for (const ratio of workload.ratios) {
    const parts = [
      ratio.opsPerSec === null ? undefined : `${ratio.opsPerSec.toFixed(2)}× the throughput`,
      ratio.p50 === null ? undefined : `p50 ${ratio.p50.toFixed(2)}×`,
      ratio.p99 === null ? undefined : `p99 ${ratio.p99.toFixed(2)}×`,
    ].filter(Boolean)
    if (parts.length) lines.push(`loop vs ${ratio.baseline}: ${parts.join(', ')}`)
  }

  if (workload.trials.length > 1) {
    lines.push(paint.dim(`over ${workload.trials.length} interleaved trials (median [min – max]):`))
    for (const spread of workload.spread) {
      const range = (s: Spread, format: (n: number) => string): string =>
        `${format(s.median)} [${format(s.min)} – ${format(s.max)}]`
      lines.push(
        `  ${spread.system.padEnd(8)} ops/s ${range(spread.opsPerSec, formatCount)}  p50 ${range(spread.p50, formatDuration)}  p99 ${range(spread.p99, formatDuration)}`,
      )
    }
  }

  const loop = workload.systems.find((system) => system.system === 'loop')
  if (loop && loop.ops > 0) {
    lines.push(...counterLines(loop, paint))
    lines.push(paint.dim('loop latency distribution:'), ...histogramLines(decodeHistogram(loop.latency.histogram)))
  }
  const failed = workload.systems.find((system) => system.error && system.ops > 0)
  if (failed?.error) lines.push(paint.red(`${failed.system}: ${failed.error.explanation}`))
  return lines
}

function errorCount(system: SystemResult): number {
  const {timedOut, abandoned, unexpected} = system.outcomes
  return timedOut + abandoned + Object.values(unexpected).reduce((sum, count) => sum + count, 0)
}

function counterLines(loop: SystemResult, paint: Paint): string[] {
  const c = loop.counters
  const perSubmit = c.enterCalls > 0 ? (c.sqesSubmitted / c.enterCalls).toFixed(1) : '0'
  const stalls =
    c.capacityStalls > 0
      ? `${c.capacityStalls} (${c.capacityStallsWaiterBound} waiter-bound, ${c.capacityStallsSqBound} SQ-bound; ` +
        `${formatDuration(c.stallNsTotal)} total, ${formatDuration(c.stallNsMax)} max)`
      : '0'
  const rows: Array<[string, string]> = [
    ['capacity stalls', stalls],
    ['sleeps / skipped', `${c.sleeps} / ${c.skippedSleeps}`],
    ['wakes', `${c.eventfdRings} eventfd rings, ${c.wakeCqes} wake CQEs, ${c.wakeRearms} poll installs`],
    ['SQEs per enter', `${perSubmit} (${c.enterCalls} enters)`],
    ['backpressure', `${c.backpressureWaits} waits, ${formatDuration(c.backpressureNs)}`],
    ['transient enter errors', String(c.transientEnterErrors)],
    ['timeouts / abandoned', `${c.timeoutsFired} / ${c.opsAbandoned}`],
  ]
  const width = Math.max(...rows.map(([name]) => name.length))
  return [paint.dim('loop counters:'), ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`)]
}

interface RecordedValue {
  valueIteratedTo: number
  countAtValueIteratedTo: number
}

/** Visits every recorded value of an hdr-histogram-js (JS, not WASM) histogram. */
function forEachRecordedValue(histogram: Histogram, visit: (value: number, count: number) => void): void {
  const iterator = (histogram as unknown as {recordedValuesIterator: {reset(): void; hasNext(): boolean; next(): RecordedValue}})
    .recordedValuesIterator
  iterator.reset()
  while (iterator.hasNext()) {
    const step = iterator.next()
    visit(step.valueIteratedTo, step.countAtValueIteratedTo)
  }
}

const BAR_WIDTH = 30
const MAX_ROWS = 12

/** Counts per power-of-two latency range, as bars, merging ranges to fit MAX_ROWS lines. */
export function histogramLines(histogram: Histogram): string[] {
  const counts = new Map<number, number>()
  forEachRecordedValue(histogram, (value, count) => {
    const range = Math.floor(Math.log2(Math.max(value, 1)))
    counts.set(range, (counts.get(range) ?? 0) + count)
  })
  if (counts.size === 0) return ['  (no ops measured)']
  const first = Math.min(...counts.keys())
  const last = Math.max(...counts.keys())
  const step = Math.ceil((last - first + 1) / MAX_ROWS)
  const total = histogram.totalCount
  const rows: Array<{low: number; high: number; count: number}> = []
  for (let range = first; range <= last; range += step) {
    let count = 0
    for (let r = range; r < range + step; r++) count += counts.get(r) ?? 0
    rows.push({low: 2 ** range, high: 2 ** (range + step), count})
  }
  const peak = Math.max(...rows.map((row) => row.count))
  const labels = rows.map((row) => `${formatDuration(row.low)} – ${formatDuration(row.high)}`)
  const width = Math.max(...labels.map((label) => label.length))
  return rows.map((row, i) => {
    const bar = '█'.repeat(Math.round((row.count / peak) * BAR_WIDTH))
    const share = ((row.count / total) * 100).toFixed(row.count / total < 0.001 ? 3 : 1)
    return `  ${labels[i].padStart(width)} │${bar.padEnd(BAR_WIDTH)} ${share}%`
  })
}
