// The result document: one JSON value per run, versioned, from which every other form (terminal,
// HdrHistogram, HTML, CI formats) is rendered.

import type {MeasuredBaseline} from '../bench/baseline.js'
import type {SystemName, SystemRun, WorkloadRun} from '../bench/run.js'
import type {ArrivalsName, BaselineName, WorkloadSpec} from '../bench/spec.js'
import {type HostInfo, hostInfo, type KernelInfo, kernelInfo} from '../host.js'
import type {NativeCounters, NativeError, NativeHistogram, NativeOpStats, NativeRing} from '../native/addon.js'
import {explainNativeError} from '../probe/explain.js'
import {histogramFromBuckets, type LatencySummary, summarize} from './histogram.js'

export const RESULT_SCHEMA_VERSION = 1
export const RESULT_KIND = 'iouring-bench/result'

export interface Outcomes {
  expected: number
  timedOut: number
  abandoned: number
  /** The right length, but not the bytes that were written (a wrong buffer, a lost write). */
  corrupt: number
  unexpected: Record<string, number>
}

/** One kind of op of a workload with several (a mix, writes with fsyncs). */
export interface KindResult {
  kind: string
  ops: number
  opsPerSec: number
  bytes: number
  bytesPerSec: number
  outcomes: Outcomes
  latency: LatencySummary
  service?: LatencySummary
}

export interface SystemResult {
  system: SystemName
  /** Set when this system could not run (or stopped); the figures are then partial or empty. */
  error: (NativeError & {explanation: string}) | null
  /** Set when a baseline did not run (fio not installed, fio failed); the run went on without it. */
  skipped?: string
  /** Measured ops that ended, however they ended. */
  ops: number
  elapsedNs: number
  opsPerSec: number
  bytes: number
  bytesPerSec: number
  outcomes: Outcomes
  /** From each op's intended start (closed loop: its issue) to its end: response time. */
  latency: LatencySummary
  /** Open loop only: from each op's actual issue to its end. */
  service?: LatencySummary
  /** Open loop only: ops due while every in-flight slot was busy, and ops due but never issued. */
  openLoop?: {late: number; missed: number}
  /** Per kind of op, when the workload has more than one. */
  kinds?: KindResult[]
  /** Write workloads: every block written, read back after the run and checked. */
  readBack?: {blocks: number; corrupt: number; firstCorruptOffset: number | null; error: string | null}
  cpu: {userNs: number; systemNs: number; nsPerOp: number; userNsPerOp: number; systemNsPerOp: number}
  counters: NativeCounters
  /** The ring of the loop and the raw ring; absent for fio and node-fs. */
  ring?: NativeRing
  /** How a baseline ran: versions, command line, settings that change its figures. */
  info?: Record<string, string | number | boolean | null>
}

/** The loop's figures divided by a baseline's (opsPerSec < 1: the loop is slower). */
export interface Ratio {
  baseline: BaselineName
  opsPerSec: number | null
  p50: number | null
  p99: number | null
  p90: number | null
  p999: number | null
  bytesPerSec: number | null
  /** CPU time per op (< 1: the loop costs less CPU). */
  cpuPerOp: number | null
}

export interface FileResult {
  path: string
  /** Laid out by the tool (and removed by it), or the user's --file. */
  createdByTool: boolean
  removed: boolean
  filesystem: string
  sizeBytes: number
  /** Share of the file in the page cache just before the run. */
  residentShare: number
  pageCache: 'hot' | 'cold' | 'partly cached' | 'bypassed (O_DIRECT)'
}

export interface WorkloadResult {
  name: string
  spec: WorkloadSpec
  systems: SystemResult[]
  ratios: Ratio[]
  interrupted: boolean
  file?: FileResult
  /** Open loop: the schedule the ops were due on. */
  openLoop?: {rate: number; arrivals: ArrivalsName}
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
}

const perSec = (count: number, elapsedNs: number): number => (elapsedNs > 0 ? (count * 1e9) / elapsedNs : 0)

function summarizeNative(histogram: NativeHistogram): LatencySummary {
  return summarize(histogramFromBuckets(histogram.buckets), histogram.count ? {min: histogram.minNs, max: histogram.maxNs} : undefined)
}

function outcomesOf(stats: Pick<NativeOpStats, 'expected' | 'timedOut' | 'abandoned' | 'corrupt' | 'unexpected'>): Outcomes {
  return {expected: stats.expected, timedOut: stats.timedOut, abandoned: stats.abandoned, corrupt: stats.corrupt, unexpected: stats.unexpected}
}

function cpuOf(cpu: {userNs: number; systemNs: number}, ops: number): SystemResult['cpu'] {
  const per = (ns: number): number => (ops ? ns / ops : 0)
  return {...cpu, nsPerOp: per(cpu.userNs + cpu.systemNs), userNsPerOp: per(cpu.userNs), systemNsPerOp: per(cpu.systemNs)}
}

function nativeSystem(run: SystemRun, open: boolean): SystemResult {
  const {stats, counters, ring, error} = run.native!
  const {readBack} = stats
  return {
    system: run.system,
    error: error ? {...error, explanation: explainNativeError(error)} : null,
    ops: stats.ops,
    elapsedNs: stats.elapsedNs,
    opsPerSec: perSec(stats.ops, stats.elapsedNs),
    bytes: stats.bytes,
    bytesPerSec: perSec(stats.bytes, stats.elapsedNs),
    outcomes: outcomesOf(stats),
    latency: summarizeNative(stats.latency),
    ...(open && stats.service ? {service: summarizeNative(stats.service), openLoop: {late: stats.late, missed: stats.missed}} : {}),
    ...(stats.kinds.length
      ? {
          kinds: stats.kinds.map((kind) => ({
            kind: kind.name,
            ops: kind.ops,
            opsPerSec: perSec(kind.ops, stats.elapsedNs),
            bytes: kind.bytes,
            bytesPerSec: perSec(kind.bytes, stats.elapsedNs),
            outcomes: outcomesOf(kind),
            latency: summarizeNative(kind.latency),
            ...(open && kind.service ? {service: summarizeNative(kind.service)} : {}),
          })),
        }
      : {}),
    ...(readBack.blocks > 0 || readBack.errno !== 0
      ? {
          readBack: {
            blocks: readBack.blocks,
            corrupt: readBack.corrupt,
            firstCorruptOffset: readBack.firstCorruptOffset >= 0 ? readBack.firstCorruptOffset : null,
            error: readBack.errno ? readBack.code : null,
          },
        }
      : {}),
    // Per op of every op that ended (warm-up included), since the CPU time covers the whole run.
    cpu: cpuOf(stats.cpu, stats.allOps),
    counters,
    ring,
  }
}

function measuredSystem(system: SystemName, measured: MeasuredBaseline, open: boolean): SystemResult {
  return {
    system,
    error: null,
    ops: measured.ops,
    elapsedNs: measured.elapsedNs,
    opsPerSec: perSec(measured.ops, measured.elapsedNs),
    bytes: measured.bytes,
    bytesPerSec: perSec(measured.bytes, measured.elapsedNs),
    outcomes: {expected: measured.expected, timedOut: 0, abandoned: 0, corrupt: 0, unexpected: measured.unexpected},
    latency: summarize(measured.latency),
    ...(open && measured.service
      ? {service: summarize(measured.service), openLoop: {late: measured.late ?? 0, missed: measured.missed ?? 0}}
      : {}),
    // fio and node-fs measure CPU over their measured phase only.
    cpu: cpuOf(measured.cpu, measured.ops),
    counters: {},
    info: measured.info,
  }
}

function skippedSystem(system: SystemName, reason: string): SystemResult {
  const empty = summarize(histogramFromBuckets([]))
  return {
    system,
    error: null,
    skipped: reason,
    ops: 0,
    elapsedNs: 0,
    opsPerSec: 0,
    bytes: 0,
    bytesPerSec: 0,
    outcomes: {expected: 0, timedOut: 0, abandoned: 0, corrupt: 0, unexpected: {}},
    latency: empty,
    cpu: cpuOf({userNs: 0, systemNs: 0}, 0),
    counters: {},
  }
}

export function systemResult(run: SystemRun, open = false): SystemResult {
  if (run.native) return nativeSystem(run, open)
  if (run.measured) return measuredSystem(run.system, run.measured, open)
  return skippedSystem(run.system, run.skipped ?? run.failed ?? 'did not run')
}

function ratio(numerator: number, denominator: number): number | null {
  return numerator > 0 && denominator > 0 ? numerator / denominator : null
}

function fileResult(run: WorkloadRun): FileResult | undefined {
  const file = run.file
  if (!file) return undefined
  const direct = run.spec.file?.direct ?? false
  const pageCache = direct
    ? 'bypassed (O_DIRECT)'
    : file.residentShare >= 0.99
      ? 'hot'
      : file.residentShare <= 0.01
        ? 'cold'
        : 'partly cached'
  return {
    path: file.path,
    createdByTool: file.createdByTool,
    removed: file.removed,
    filesystem: file.filesystem,
    sizeBytes: file.sizeBytes,
    residentShare: file.residentShare,
    pageCache,
  }
}

export function workloadResult(run: WorkloadRun): WorkloadResult {
  const open = run.spec.drive.rate !== undefined
  const systems = run.systems.map((system) => systemResult(system, open))
  const loop = systems.find((s) => s.system === 'loop')
  const ratios: Ratio[] = []
  for (const baseline of systems) {
    if (baseline.system === 'loop' || baseline.skipped || !loop) continue
    ratios.push({
      baseline: baseline.system,
      opsPerSec: ratio(loop.opsPerSec, baseline.opsPerSec),
      p50: ratio(loop.latency.p50, baseline.latency.p50),
      p99: ratio(loop.latency.p99, baseline.latency.p99),
      p90: ratio(loop.latency.p90, baseline.latency.p90),
      p999: ratio(loop.latency.p999, baseline.latency.p999),
      bytesPerSec: ratio(loop.bytesPerSec, baseline.bytesPerSec),
      cpuPerOp: ratio(loop.cpu.nsPerOp, baseline.cpu.nsPerOp),
    })
  }
  const file = fileResult(run)
  return {
    name: run.spec.name,
    spec: run.spec,
    systems,
    ratios,
    interrupted: run.interrupted,
    ...(file ? {file} : {}),
    ...(open ? {openLoop: {rate: run.spec.drive.rate!, arrivals: run.spec.drive.arrivals ?? 'uniform'}} : {}),
  }
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
