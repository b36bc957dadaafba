// The result document: one JSON value per run, versioned, from which every other form (terminal,
// HdrHistogram, HTML, CI formats) is rendered.

import type {SystemName, SystemRun, WorkloadRun} from '../bench/run.js'
import type {BaselineName, WorkloadSpec} from '../bench/spec.js'
import {type HostInfo, hostInfo, type KernelInfo, kernelInfo} from '../host.js'
import type {NativeCounters, NativeError, NativeRing} from '../native/addon.js'
import {explainNativeError} from '../probe/explain.js'
import {histogramFromBuckets, type LatencySummary, summarize} from './histogram.js'

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
  cpu: {userNs: number; systemNs: number; nsPerOp: number}
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

export interface WorkloadResult {
  name: string
  spec: WorkloadSpec
  systems: SystemResult[]
  ratios: Ratio[]
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
    cpu: {userNs: stats.cpu.userNs, systemNs: stats.cpu.systemNs, nsPerOp: stats.allOps ? cpuNs / stats.allOps : 0},
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

export function workloadResult(run: WorkloadRun): WorkloadResult {
  const systems = run.systems.map(systemResult)
  return {name: run.spec.name, spec: run.spec, systems, ratios: baselineRatios(systems), interrupted: run.interrupted}
}

export function resultDocument(runs: WorkloadRun[], toolVersion: string): ResultDocument {
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    kind: RESULT_KIND,
    tool: {name: 'iouring-bench', version: toolVersion},
    createdAt: new Date().toISOString(),
    host: hostInfo(),
    kernel: kernelInfo(),
    interrupted: runs.some((run) => run.interrupted),
    workloads: runs.map(workloadResult),
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
