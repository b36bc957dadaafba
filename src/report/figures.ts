// What the human-readable forms (terminal, Markdown, HTML) all show, as plain text: the kernel
// line, and for each workload its title, the summary row of each system, the ratio to each
// baseline and the loop's counters. Each form only lays these out.

import {formatCount, formatDuration} from '../units.js'
import type {Ratio, ResultDocument, Spread, SystemResult, SystemSpread, WorkloadResult} from './result.js'

export const SUMMARY_HEAD = ['system', 'ops/s', 'p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max', 'CPU/op', 'errors']

export const SPREAD_HEAD = ['system', 'ops/s', 'p50', 'p99']

/** A system's summary cells after its name, or the reason it has none. */
export type SummaryRow = {system: string; cells: string[]} | {system: string; failed: string}

function summaryRow(system: SystemResult): SummaryRow {
  if (system.error && system.ops === 0) return {system: system.system, failed: system.error.explanation}
  const {latency} = system
  return {
    system: system.system,
    cells: [
      formatCount(system.opsPerSec),
      ...[latency.p50, latency.p90, latency.p99, latency.p999, latency.p9999, latency.max].map(formatDuration),
      formatDuration(system.cpu.nsPerOp),
      String(errorCount(system)),
    ],
  }
}

/** Ops that did not end with the op's normal result. */
function errorCount(system: SystemResult): number {
  const {timedOut, abandoned, unexpected} = system.outcomes
  return timedOut + abandoned + Object.values(unexpected).reduce((sum, count) => sum + count, 0)
}

function spreadRow(spread: SystemSpread): [string, string, string, string] {
  const range = (s: Spread, format: (n: number) => string): string => `${format(s.median)} [${format(s.min)} – ${format(s.max)}]`
  return [spread.system, range(spread.opsPerSec, formatCount), range(spread.p50, formatDuration), range(spread.p99, formatDuration)]
}

/** "loop vs raw: 0.27× the throughput, p50 3.73×, p99 4.86×", or undefined when nothing compares. */
function ratioSentence(ratio: Ratio): string | undefined {
  const parts = [
    ratio.opsPerSec === null ? undefined : `${ratio.opsPerSec.toFixed(2)}× the throughput`,
    ratio.p50 === null ? undefined : `p50 ${ratio.p50.toFixed(2)}×`,
    ratio.p99 === null ? undefined : `p99 ${ratio.p99.toFixed(2)}×`,
  ].filter(Boolean)
  return parts.length ? `loop vs ${ratio.baseline}: ${parts.join(', ')}` : undefined
}

/** "nop-qd32: nop · 1 submitter × depth 32 · ring 128 · 2 s (+200 ms warm-up)" */
function workloadTitle(workload: WorkloadResult): string {
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

/** The loop counters that explain its behaviour, grouped and named for people. */
export function counterRows(loop: SystemResult): Array<[string, string]> {
  const c = loop.counters
  const perSubmit = c.enterCalls > 0 ? (c.sqesSubmitted / c.enterCalls).toFixed(1) : '0'
  const stalls =
    c.capacityStalls > 0
      ? `${c.capacityStalls} (${c.capacityStallsWaiterBound} waiter-bound, ${c.capacityStallsSqBound} SQ-bound; ` +
        `${formatDuration(c.stallNsTotal)} total, ${formatDuration(c.stallNsMax)} max)`
      : '0'
  return [
    ['capacity stalls', stalls],
    ['sleeps / skipped', `${c.sleeps} / ${c.skippedSleeps}`],
    ['wakes', `${c.eventfdRings} eventfd rings, ${c.wakeCqes} wake CQEs, ${c.wakeRearms} poll installs`],
    ['SQEs per enter', `${perSubmit} (${c.enterCalls} enters)`],
    ['backpressure', `${c.backpressureWaits} waits, ${formatDuration(c.backpressureNs)}`],
    ['transient enter errors', String(c.transientEnterErrors)],
    ['timeouts / abandoned', `${c.timeoutsFired} / ${c.opsAbandoned}`],
    ['pending at the end', String(c.pendingOperations)],
  ]
}

/** The loop's result in a workload, when it measured anything. */
export function measuredLoop(workload: WorkloadResult): SystemResult | undefined {
  return workload.systems.find((system) => system.system === 'loop' && system.ops > 0)
}

export interface WorkloadFigures {
  title: string
  rows: SummaryRow[]
  ratios: string[]
  /** With several trials: per system, ops/s, p50 and p99 as "median [min – max]". */
  spread?: {trials: number; rows: Array<[system: string, opsPerSec: string, p50: string, p99: string]>}
  /** "raw: <why>" when a system stopped part-way: its figures are partial. */
  stopped?: string
  /** The loop's result when it measured anything: its counters and distribution are shown. */
  loop?: SystemResult
}

export function workloadFigures(workload: WorkloadResult): WorkloadFigures {
  const stopped = workload.systems.find((system) => system.error && system.ops > 0)
  return {
    title: workloadTitle(workload),
    rows: workload.systems.map(summaryRow),
    ratios: workload.ratios.map(ratioSentence).filter((sentence): sentence is string => sentence !== undefined),
    spread: workload.trials.length > 1 ? {trials: workload.trials.length, rows: workload.spread.map(spreadRow)} : undefined,
    stopped: stopped?.error ? `${stopped.system}: ${stopped.error.explanation}` : undefined,
    loop: measuredLoop(workload),
  }
}

export interface DocumentFigures {
  /** "kernel 6.18.44 (#1 SMP ...) · 2 CPUs AMD EPYC · node v20.20.2 · iouring-bench 0.1.0" */
  kernel: string
  /** For a merged result: which runs, hosts and kernels it adds up. */
  sources?: string
  interrupted?: string
}

export function documentFigures(document: ResultDocument): DocumentFigures {
  const {kernel, host} = document
  return {
    kernel: `kernel ${kernel.release} (${kernel.version}) · ${host.cpus} CPUs ${host.cpuModel.trim()} · node ${host.node} · iouring-bench ${document.tool.version}`,
    sources: sourcesLine(document),
    interrupted: document.interrupted ? 'Interrupted: the figures above cover only what ran before the interrupt.' : undefined,
  }
}

/** For a merged result: "merged from 3 runs: hosts vm ×2, box-b; kernels 6.18.44 ×2, 6.1.0-56" */
function sourcesLine(document: ResultDocument): string | undefined {
  if (!document.sources) return undefined
  const tally = (values: string[]): string => {
    const counts = new Map<string, number>()
    for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
    return [...counts].map(([value, count]) => (count > 1 ? `${value} ×${count}` : value)).join(', ')
  }
  const {sources} = document
  return (
    `merged from ${sources.length} run${sources.length === 1 ? '' : 's'}: hosts ${tally(sources.map((s) => s.hostname))}; ` +
    `kernels ${tally(sources.map((s) => s.kernel.release))}`
  )
}

export interface Series {
  workload: WorkloadResult
  system: SystemResult
}

/** Every system that measured latencies, workload by workload: what the plots and CI forms show. */
export function measuredSeries(document: ResultDocument): Series[] {
  return document.workloads.flatMap((workload) =>
    workload.systems.filter((system) => system.latency.count > 0).map((system) => ({workload, system})),
  )
}
