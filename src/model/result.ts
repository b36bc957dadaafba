// The result document: one JSON value per run, versioned, from which every other form (terminal,
// HdrHistogram, HTML, CI formats) is rendered (schemas/result.schema.json). src/report/result.ts
// builds it from the runs.

import type {DocumentKind, Envelope, KernelInfo} from './envelope.js'
import type {GateReport} from './gate.js'
import type {LatencySummary} from './latency.js'
import type {NativeCounters, NativeError, NativeRing} from './native.js'
import type {ArrivalsName, BaselineName, SystemName, WorkloadSpec} from './workload.js'

export const RESULT_SCHEMA_VERSION = 1

export const RESULT_KIND: DocumentKind<'result'> = 'iouring-bench/result'

export interface Outcomes {
  expected: number
  timedOut: number
  abandoned: number
  /** The right length, but not the bytes that were written (a wrong buffer, a lost write). */
  corrupt: number
  unexpected: Record<string, number>
}

/** What every measured set of ops reports: a system's, or one kind's within a mix. */
interface MeasuredFigures {
  /** Measured ops that ended, however they ended. */
  ops: number
  opsPerSec: number
  bytes: number
  bytesPerSec: number
  outcomes: Outcomes
  /** From each op's intended start (closed loop: its issue) to its end: response time. */
  latency: LatencySummary
  /** Open loop only: from each op's actual issue to its end. */
  service?: LatencySummary
}

/** One kind of op of a workload with several (a mix, writes with fsyncs). */
export interface KindResult extends MeasuredFigures {
  kind: string
}

export interface SystemResult extends MeasuredFigures {
  system: SystemName
  /** Set when this system could not run (or stopped); the figures are then partial or empty. */
  error: (NativeError & {explanation: string}) | null
  elapsedNs: number
  /** Open loop only: ops due while every in-flight slot was busy, and ops due but never issued. */
  openLoop?: {late: number; missed: number}
  /** Loop and raw, when op timeouts fired: how long after its deadline (armed + op timeout) each
   * -ETIMEDOUT was handled, and how many came before it (a kernel or clock fault). */
  opTimeouts?: {lateness: LatencySummary; early: number}
  /** Per kind of op, when the workload has more than one. */
  kinds?: KindResult[]
  /** Write workloads: every block written, read back after the run and checked. */
  readBack?: {blocks: number; corrupt: number; firstCorruptOffset: number | null; error: string | null}
  /** CPU of every thread of the system per op ended: loop and raw over the whole run, warm-up
   * included; fio and node-fs over their measured phase. */
  cpu: {
    userNs: number
    systemNs: number
    nsPerOp: number
    userNsPerOp: number
    systemNsPerOp: number
    ops: number
    /** Of systemNs: io_uring's kernel threads of the process (SQPOLL's iou-sqp, io-wq's iou-wrk); absent when none ran. */
    ioThreadsNs?: number
    ioThreadsNsPerOp?: number
    /** fio under SQPOLL: threads its figure does not count (its SQ thread); no CPU ratio is given then. */
    leavesOut?: string
    /** Loop and raw: context switches of the system's own threads (it blocked, or was preempted). */
    voluntarySwitches?: number
    involuntarySwitches?: number
    switchesPerOp?: number
    /** Loop and raw, where the CPU gives them: instructions and cycles of every thread of the run. */
    instructions?: number
    cycles?: number
    instructionsPerOp?: number
    cyclesPerOp?: number
    /** Of instructions and cycles: user mode only (perf_event_paranoid allowed no more). */
    hardwareUserOnly?: true
    /** Of instructions and cycles: below 1, the PMU was shared and the counts are scaled from this share of the time, as perf stat does. */
    hardwareCountedShare?: number
    /** Why instructions and cycles were not counted (no PMU in a VM, perf_event_paranoid). */
    hardwareCounters?: string
  }
  counters: NativeCounters
  /** The loop, with an idle window (--idle): the process's CPU (every thread) while the loop waited with nothing to do. */
  idleCpu?: IdleCpu
  /** The ring of the loop and the raw ring; absent for fio and node-fs. */
  ring?: NativeRing
  /** How a baseline ran: versions, command line, settings that change its figures. */
  info?: Record<string, string | number | boolean | null>
  /** The loop and the raw ring, in each trial: its throughput window by window. */
  timeline?: TimelineWindow[]
}

export interface IdleCpu {
  windowNs: number
  cpuNs: number
  /** cpuNs / windowNs: the share of one core the idle process used. */
  shareOfCore: number
}

/** What one window of a run ended: from the previous window's end (or the start) to `endNs`. */
export interface TimelineWindow {
  /** Since the system started, warm-up included. */
  endNs: number
  ops: number
  bytes: number
  /** Ended before the warm-up did (a window spanning the warm-up's end is measured). */
  warmup: boolean
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

/** A baseline that did not run (fio not installed, fio failed, node-fs refused): why, and no figures. */
export interface SkippedSystem {
  system: SystemName
  reason: string
}

export interface TrialResult {
  /** The systems that ran. */
  systems: SystemResult[]
  skipped?: SkippedSystem[]
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
  /** All trials together: histograms added, counts summed, throughput the median of the trials. */
  systems: SystemResult[]
  /** The baselines that ran in no trial, each with the first reason given. */
  skipped?: SkippedSystem[]
  ratios: Ratio[]
  spread: SystemSpread[]
  /** Each trial as measured; trials of all workloads ran interleaved (A B A B ...). */
  trials: TrialResult[]
  interrupted: boolean
  file?: FileResult
  /** Open loop: the schedule the ops were due on. */
  openLoop?: {rate: number; arrivals: ArrivalsName}
}

/** One run that a merged result adds up (`report merge`). */
export interface ResultSource {
  file: string
  createdAt: string
  hostname: string
  kernel: KernelInfo
  toolVersion: string
}

export interface ResultDocument extends Envelope<'result'> {
  schemaVersion: typeof RESULT_SCHEMA_VERSION
  kind: typeof RESULT_KIND
  createdAt: string
  /** --label: what this run measured, as the user names it (a build, a branch, a change). */
  label?: string
  /** --commit (or $GITHUB_SHA): the commit of the code measured, which a history names at a change point. */
  commit?: string
  interrupted: boolean
  workloads: WorkloadResult[]
  /** Set by `report merge`: the runs this result adds up. */
  sources?: ResultSource[]
  /** Set by `run --baseline`: the regression gate's verdicts against the baseline. */
  gate?: GateReport
  /** Set by `bench --compare`: the loop's figures in each configuration, against the first. */
  comparison?: Comparison
}

/** `bench --compare`: each configuration's loop over its trials, and how it differs from the reference. */
export interface Comparison {
  /** The configuration the others are divided by: the first. */
  reference: string
  /** Trials asked of each configuration, interleaved across them. */
  trials: number
  /** Of the exact two-sided Mann-Whitney U test on the trials' ops/s. */
  alpha: number
  /** Of the bootstrap interval of the ratio of medians. */
  confidence: number
  configurations: ComparedConfiguration[]
}

export interface ComparedConfiguration {
  /** "sqpoll=on ring-fd=off", or "as given" (the flags alone); its workload in `workloads` has this name. */
  name: string
  /** The knobs it sets, as written. */
  knobs: Record<string, string>
  /** Why it has no figures: the kernel lacks what it needs or refused it, or it repeats another configuration. */
  skipped?: string
  /** Why a later trial of it failed, which ended its trials: its figures are of the trials before. */
  failed?: string
  figures?: ComparedFigures
  /** Against the reference, for every other configuration that ran. */
  versusReference?: ComparedRatio
}

export interface ComparedFigures {
  /** The loop's ops/s, p50 and p99 over the trials. */
  opsPerSec: Spread
  p50: Spread
  p99: Spread
  /** Over all trials, warm-up included, every thread of the process. */
  cpuNsPerOp: number
  /** Of cpuNsPerOp: io_uring's kernel threads (SQPOLL, io-wq); null when none ran. */
  ioThreadsNsPerOp: number | null
  /** Of the measured phase, per op it ended. */
  entersPerOp: number
  wakesPerOp: number
  /** The loop's ops/s ÷ the raw ring's with the same knobs, when the raw ring ran. */
  vsRaw: number | null
  /** The raw ring with the same knobs, when it ran (--vs raw): its own ratio to the reference's raw ring. */
  raw?: {opsPerSec: Spread; cpuNsPerOp: number; entersPerOp: number; versusReference?: ComparedRatio}
}

export interface ComparedRatio {
  /** Median ops/s of this configuration ÷ the reference's. */
  opsPerSec: number
  interval: [number, number]
  pValue: number
  /**
   * pValue adjusted by Holm over the comparison's rows (the loop's, or the raw rings'); absent
   * in results made before the adjustment, where significant was pValue < alpha.
   */
  adjustedPValue?: number
  /** adjustedPValue < alpha: the trials tell the two apart, among all the rows compared. */
  significant: boolean
}
