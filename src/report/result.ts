// The result document: one JSON value per run, versioned, from which every other form (terminal,
// HdrHistogram, HTML, CI formats) is rendered.

import type {SystemName, SystemRun, WorkloadRun} from '../bench/run.js'
import type {BaselineName, WorkloadSpec} from '../bench/spec.js'
import type {GateReport} from '../gate/gate.js'
import {type HostInfo, hostInfo, type KernelInfo, kernelInfo} from '../host.js'
import type {NativeCounters, NativeError, NativeRing} from '../native/addon.js'
import {explainNativeError} from '../probe/explain.js'
import {median} from 'simple-statistics'

import {LOOP_COUNTERS} from './counters.js'
import {decodeHistogram, histogramFromBuckets, type LatencySummary, newHistogram, summarize} from './histogram.js'

export const RESULT_SCHEMA_VERSION = 1
export const RESULT_KIND = 'iouring-bench/result'

export interface SystemResult {
  system: SystemName
  /** Set when this system could not run (or stopped); the figures are then partial or empty. */
  error: (NativeError & {explanation: string}) | null
  /** Measured ops that ended, however they ended. */
  ops: number
  elapsedNs: number
  opsPerSec: number
  outcomes: {expected: number; timedOut: number; abandoned: number; unexpected: Record<string, number>}
  latency: LatencySummary
  /** CPU of every thread of the system over the whole run, warm-up included, per op ended. */
  cpu: {userNs: number; systemNs: number; nsPerOp: number; ops: number}
  counters: NativeCounters
  ring: NativeRing
}

/** The loop's figures divided by a baseline's (opsPerSec < 1: the loop is slower). */
export interface Ratio {
  baseline: BaselineName
  opsPerSec: number | null
  p50: number | null
  p99: number | null
}

export interface Spread {
  median: number
  min: number
  max: number
}

/** How one system's headline metrics varied over the trials. */
export interface SystemSpread {
  system: SystemName
  opsPerSec: Spread
  p50: Spread
  p99: Spread
}

export interface TrialResult {
  systems: SystemResult[]
}

export interface WorkloadResult {
  name: string
  spec: WorkloadSpec
  /** All trials together: histograms added, counts summed, throughput the median of the trials. */
  systems: SystemResult[]
  ratios: Ratio[]
  spread: SystemSpread[]
  /** Each trial as measured; trials of all workloads ran interleaved (A B A B ...). */
  trials: TrialResult[]
  interrupted: boolean
}

/** One run that a merged result adds up (`report merge`). */
export interface ResultSource {
  file: string
  createdAt: string
  hostname: string
  kernel: KernelInfo
  toolVersion: string
}

export interface ResultDocument {
  schemaVersion: typeof RESULT_SCHEMA_VERSION
  kind: typeof RESULT_KIND
  tool: {name: string; version: string}
  createdAt: string
  host: HostInfo
  kernel: KernelInfo
  interrupted: boolean
  workloads: WorkloadResult[]
  /** Set by `report merge`: the runs this result adds up. */
  sources?: ResultSource[]
  /** Set by `run --baseline`: the regression gate's verdicts against the baseline. */
  gate?: GateReport
}

export function systemResult(run: SystemRun): SystemResult {
  const {stats, counters, ring, error} = run.native
  const histogram = histogramFromBuckets(stats.latency.buckets)
  const cpuNs = stats.cpu.userNs + stats.cpu.systemNs
  return {
    system: run.system,
    error: error ? {...error, explanation: explainNativeError(error)} : null,
    ops: stats.ops,
    elapsedNs: stats.elapsedNs,
    opsPerSec: stats.elapsedNs > 0 ? (stats.ops * 1e9) / stats.elapsedNs : 0,
    outcomes: {
      expected: stats.expected,
      timedOut: stats.timedOut,
      abandoned: stats.abandoned,
      unexpected: stats.unexpected,
    },
    latency: summarize(histogram, stats.latency.count ? {min: stats.latency.minNs, max: stats.latency.maxNs} : undefined),
    cpu: {
      userNs: stats.cpu.userNs,
      systemNs: stats.cpu.systemNs,
      nsPerOp: stats.allOps ? cpuNs / stats.allOps : 0,
      ops: stats.allOps,
    },
    counters,
    ring,
  }
}

function ratio(numerator: number, denominator: number): number | null {
  return numerator > 0 && denominator > 0 ? numerator / denominator : null
}

/** The loop's figures next to each baseline's. */
export function baselineRatios(systems: SystemResult[]): Ratio[] {
  const loop = systems.find((s) => s.system === 'loop')
  if (!loop) return []
  return systems
    .filter((baseline) => baseline.system !== 'loop')
    .map((baseline) => ({
      baseline: baseline.system as BaselineName,
      opsPerSec: ratio(loop.opsPerSec, baseline.opsPerSec),
      p50: ratio(loop.latency.p50, baseline.latency.p50),
      p99: ratio(loop.latency.p99, baseline.latency.p99),
    }))
}

/**
 * Several measurements of one system as one: histograms added (percentiles computed again from
 * the sum, never averaged), counts summed, counters by their kind, throughput the median.
 */
export function mergeSystemResults(results: SystemResult[]): SystemResult {
  const [first] = results
  const histogram = newHistogram()
  for (const result of results) histogram.add(decodeHistogram(result.latency.histogram))
  const measured = results.filter((result) => result.latency.count > 0)
  const sum = (pick: (result: SystemResult) => number): number => results.reduce((total, result) => total + pick(result), 0)
  const unexpected: Record<string, number> = {}
  for (const result of results) {
    for (const [value, count] of Object.entries(result.outcomes.unexpected)) unexpected[value] = (unexpected[value] ?? 0) + count
  }
  const counters: NativeCounters = Object.fromEntries(
    LOOP_COUNTERS.map(({name, kind}) => [name, kind === 'total' ? sum((r) => r.counters[name]) : Math.max(...results.map((r) => r.counters[name]))]),
  )
  const cpuOps = sum((result) => result.cpu.ops)
  const cpuNs = sum((result) => result.cpu.userNs + result.cpu.systemNs)
  return {
    system: first.system,
    error: results.find((result) => result.error)?.error ?? null,
    ops: sum((result) => result.ops),
    elapsedNs: sum((result) => result.elapsedNs),
    opsPerSec: median(results.map((result) => result.opsPerSec)),
    outcomes: {
      expected: sum((result) => result.outcomes.expected),
      timedOut: sum((result) => result.outcomes.timedOut),
      abandoned: sum((result) => result.outcomes.abandoned),
      unexpected,
    },
    latency: summarize(
      histogram,
      measured.length
        ? {min: Math.min(...measured.map((r) => r.latency.min)), max: Math.max(...measured.map((r) => r.latency.max))}
        : undefined,
    ),
    cpu: {userNs: sum((r) => r.cpu.userNs), systemNs: sum((r) => r.cpu.systemNs), nsPerOp: cpuOps ? cpuNs / cpuOps : 0, ops: cpuOps},
    counters,
    ring: first.ring,
  }
}

function spreadOf(values: number[]): Spread {
  return {median: median(values), min: Math.min(...values), max: Math.max(...values)}
}

/** A workload from its trials: each system merged over them, its spread, the ratios. */
export function workloadFromTrials(spec: WorkloadSpec, trials: TrialResult[], interrupted: boolean): WorkloadResult {
  const names = [...new Set(trials.flatMap((trial) => trial.systems.map((system) => system.system)))]
  const perSystem = names.map((name) =>
    trials.flatMap((trial) => trial.systems.filter((system) => system.system === name)),
  )
  const systems = perSystem.map(mergeSystemResults)
  const spread = perSystem.map((results) => ({
    system: results[0].system,
    opsPerSec: spreadOf(results.map((r) => r.opsPerSec)),
    p50: spreadOf(results.map((r) => r.latency.p50)),
    p99: spreadOf(results.map((r) => r.latency.p99)),
  }))
  return {name: spec.name, spec, systems, ratios: baselineRatios(systems), spread, trials, interrupted}
}

/** A workload's trials, each a run of the loop and its baselines. */
export function workloadResult(spec: WorkloadSpec, runs: WorkloadRun[]): WorkloadResult {
  const trials: TrialResult[] = runs.map((run) => ({systems: run.systems.map(systemResult)}))
  return workloadFromTrials(spec, trials, runs.some((run) => run.interrupted))
}

/** Runs grouped by workload: every trial of each workload, in order. */
export function resultDocument(workloads: Array<{spec: WorkloadSpec; runs: WorkloadRun[]}>, toolVersion: string): ResultDocument {
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    kind: RESULT_KIND,
    tool: {name: 'iouring-bench', version: toolVersion},
    createdAt: new Date().toISOString(),
    host: hostInfo(),
    kernel: kernelInfo(),
    interrupted: workloads.some(({runs}) => runs.some((run) => run.interrupted)),
    workloads: workloads.filter(({runs}) => runs.length > 0).map(({spec, runs}) => workloadResult(spec, runs)),
  }
}

/** The first system that failed, if any (the run then ends with exit status 3). */
export function firstFailure(document: ResultDocument): SystemResult | undefined {
  for (const workload of document.workloads) {
    const failed = workload.systems.find((system) => system.error)
    if (failed) return failed
  }
  return undefined
}
