// The terminal form of a result document: for each workload a summary table (throughput and
// latency percentiles per system, with the loop's ratio to each baseline), the loop's counters,
// and a compact latency histogram; the kernel line first. Colour only where the stream supports
// it (ansis honours NO_COLOR and non-TTY output).

import ansis from 'ansis'
import Table from 'cli-table3'

import {formatCount, formatDuration, formatSize} from '../units.js'
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

function describeOp(workload: WorkloadResult): string {
  const {spec} = workload
  switch (spec.op) {
    case 'timer':
      return `timer ${formatDuration(spec.timerNs)}`
    case 'mix':
      return `mix ${(spec.mix ?? []).map((entry) => `${entry.op}=${entry.weight}`).join(',')}`
    default:
      return spec.op
  }
}

function describe(workload: WorkloadResult): string {
  const {spec} = workload
  const drive = `${spec.drive.submitters} submitter${spec.drive.submitters === 1 ? '' : 's'} × depth ${spec.drive.depth}`
  const length = spec.drive.ops > 0 ? `${formatCount(spec.drive.ops)} ops` : formatDuration(spec.drive.durationNs)
  const file = spec.file
  const extras = [
    file ? `${formatSize(file.blockSize)} ${file.random ? 'random' : 'sequential'}${file.direct ? ' O_DIRECT' : ''}` : undefined,
    file && file.writevBuffers > 1 ? `writev ×${file.writevBuffers}` : undefined,
    file && file.fsyncEvery > 0 ? `fsync every ${file.fsyncEvery}` : undefined,
    spec.socket ? `${spec.socket.transport} ${formatSize(spec.socket.messageSize)} messages` : undefined,
    workload.openLoop ? `open loop ${formatCount(workload.openLoop.rate)} ops/s ${workload.openLoop.arrivals}` : undefined,
    `ring ${spec.loop.ringSize}`,
    spec.loop.opTimeoutNs === undefined ? undefined : `op timeout ${formatDuration(spec.loop.opTimeoutNs)}`,
    spec.loop.idleSpinNs ? `spin ${formatDuration(spec.loop.idleSpinNs)}` : undefined,
    spec.loop.submitBatch ? `submit batch ${spec.loop.submitBatch}` : undefined,
    spec.loop.singleIssuer ? 'single issuer' : undefined,
    spec.loop.ioPoll ? 'io_poll' : undefined,
  ].filter(Boolean)
  const warmup = spec.drive.warmupNs > 0 ? ` (+${formatDuration(spec.drive.warmupNs)} warm-up)` : ''
  return `${workload.name}: ${describeOp(workload)} · ${drive} · ${extras.join(' · ')} · ${length}${warmup}`
}

function fileLine(workload: WorkloadResult): string | undefined {
  const {file} = workload
  if (!file) return undefined
  const origin = file.createdByTool ? `laid out by the tool${file.removed ? ', removed after the run' : ''}` : 'your file, read only'
  const cached = file.pageCache === 'partly cached' ? `${(file.residentShare * 100).toFixed(0)}% cached` : file.pageCache
  return `file: ${file.path} (${file.filesystem}, ${formatSize(file.sizeBytes)}, ${origin}; page cache: ${cached})`
}

const LATENCY_HEAD = ['p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max']

function latencyCells(latency: SystemResult['latency']): string[] {
  return [latency.p50, latency.p90, latency.p99, latency.p999, latency.p9999, latency.max].map(formatDuration)
}

function throughput(bytesPerSec: number): string {
  return `${formatSize(bytesPerSec)}/s`
}

function renderWorkload(workload: WorkloadResult, paint: Paint): string[] {
  const lines = [paint.bold(describe(workload))]
  const file = fileLine(workload)
  if (file) lines.push(paint.dim(file))
  const moves = workload.systems.some((system) => system.bytes > 0)
  const open = workload.openLoop !== undefined
  const head = ['system', 'ops/s', ...(moves ? ['throughput'] : []), ...LATENCY_HEAD, 'CPU/op', 'errors']
  const table = new Table({
    head,
    style: {head: [], border: []},
    colAligns: head.map((_, i) => (i === 0 ? 'left' : 'right')),
  })
  for (const system of workload.systems) {
    if (system.skipped || (system.error && system.ops === 0)) {
      const why = system.skipped ?? system.error!.explanation
      table.push([system.system, {colSpan: head.length - 1, hAlign: 'left', content: system.skipped ? paint.yellow(why) : paint.red(why)}])
      continue
    }
    const label = open ? `${system.system} response` : system.system
    table.push([
      label,
      formatCount(system.opsPerSec),
      ...(moves ? [throughput(system.bytesPerSec)] : []),
      ...latencyCells(system.latency),
      formatDuration(system.cpu.nsPerOp),
      String(errorCount(system)),
    ])
    if (open && system.service) {
      table.push([`${system.system} service`, '', ...(moves ? [''] : []), ...latencyCells(system.service), '', ''])
    }
  }
  lines.push(table.toString())

  for (const ratio of workload.ratios) {
    const parts = [
      ratio.opsPerSec === null ? undefined : `${ratio.opsPerSec.toFixed(2)}× the throughput`,
      ratio.p50 === null ? undefined : `p50 ${ratio.p50.toFixed(2)}×`,
      ratio.p99 === null ? undefined : `p99 ${ratio.p99.toFixed(2)}×`,
      ratio.p999 === null ? undefined : `p99.9 ${ratio.p999.toFixed(2)}×`,
      ratio.cpuPerOp === null ? undefined : `CPU/op ${ratio.cpuPerOp.toFixed(2)}×`,
    ].filter(Boolean)
    if (parts.length) lines.push(`loop vs ${ratio.baseline}: ${parts.join(', ')}`)
  }
  lines.push(...detailLines(workload, paint))

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
  if (loop?.kinds) lines.push(...kindLines(workload, paint))
  if (loop && loop.ops > 0) {
    lines.push(...counterLines(loop, paint))
    lines.push(paint.dim(`loop ${open ? 'response time' : 'latency'} distribution:`), ...histogramLines(decodeHistogram(loop.latency.histogram)))
  }
  const failed = workload.systems.find((system) => system.error && system.ops > 0)
  if (failed?.error) lines.push(paint.red(`${failed.system}: ${failed.error.explanation}`))
  return lines
}

/** CPU split, open-loop lateness, data checks and how each baseline ran. */
function detailLines(workload: WorkloadResult, paint: Paint): string[] {
  const lines: string[] = []
  const measured = workload.systems.filter((system) => system.ops > 0)
  if (measured.length) {
    lines.push(
      'CPU per op (user + system): ' +
        measured
          .map((s) => `${s.system} ${formatDuration(s.cpu.userNsPerOp)} + ${formatDuration(s.cpu.systemNsPerOp)}`)
          .join(' · '),
    )
  }
  for (const system of measured) {
    if (system.openLoop) {
      const {late, missed} = system.openLoop
      const text = `${system.system}: ${late} ops late (due while every in-flight slot was busy), ${missed} due but never issued`
      lines.push(late + missed > 0 ? paint.yellow(text) : text)
    }
    if (system.outcomes.corrupt > 0) {
      lines.push(paint.red(`${system.system}: ${system.outcomes.corrupt} ops returned data that was not what was written`))
    }
    if (system.readBack) {
      const {blocks, corrupt, firstCorruptOffset, error} = system.readBack
      const text = error
        ? `${system.system} read-back: failed (${error}) after ${blocks} blocks`
        : corrupt > 0
          ? `${system.system} read-back: ${corrupt} of ${blocks} written blocks corrupt (first at byte ${firstCorruptOffset})`
          : `${system.system} read-back: all ${blocks} written blocks hold what was written`
      lines.push(error || corrupt > 0 ? paint.red(text) : text)
    }
    if (system.info) {
      const shown = Object.entries(system.info)
        .filter(([key]) => key !== 'command')
        .map(([key, value]) => `${key}=${value ?? 'unset'}`)
      lines.push(paint.dim(`${system.system}: ${shown.join(' · ')}`))
    }
  }
  return lines
}

function kindLines(workload: WorkloadResult, paint: Paint): string[] {
  const head = ['system', 'kind', 'ops/s', 'throughput', 'p50', 'p99', 'p99.9', 'max', 'errors']
  const table = new Table({head, style: {head: [], border: []}, colAligns: head.map((_, i) => (i < 2 ? 'left' : 'right'))})
  for (const system of workload.systems) {
    for (const kind of system.kinds ?? []) {
      const {latency} = kind
      table.push([
        system.system,
        kind.kind,
        formatCount(kind.opsPerSec),
        kind.bytes > 0 ? throughput(kind.bytesPerSec) : '',
        ...[latency.p50, latency.p99, latency.p999, latency.max].map(formatDuration),
        String(errorCount(kind)),
      ])
    }
  }
  return [paint.dim('per kind:'), table.toString()]
}

function errorCount(system: Pick<SystemResult, 'outcomes'>): number {
  const {timedOut, abandoned, corrupt, unexpected} = system.outcomes
  return timedOut + abandoned + corrupt + Object.values(unexpected).reduce((sum, count) => sum + count, 0)
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
    ['sleeps / skipped', `${c.sleeps} / ${c.skippedSleeps}${c.spinWakes ? ` (${c.spinWakes} spins found work)` : ''}`],
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
