// The history verdict (`gate --history`, schemas/history.schema.json): each workload's results over
// time, one series per testbed, each metric's change points and whether any made it worse
// (src/gate/history.ts judges).

import type {DocumentKind, Envelope} from './envelope.js'

export const HISTORY_KIND: DocumentKind<'history'> = 'iouring-bench/history'

export const HISTORY_SCHEMA_VERSION = 1

/**
 * Per result, from its loop: time (ops/s, percentiles, CPU) and counts that do not depend on the
 * clock (the counter channel: io_uring_enter calls, SQEs per enter, wakes and context switches per
 * op, and where the CPU gives them, instructions and cycles per op).
 */
export const HISTORY_METRICS = [
  'opsPerSec',
  'vsRaw',
  'p50',
  'p99',
  'p999',
  'cpuNsPerOp',
  'entersPerOp',
  'sqesPerEnter',
  'wakesPerOp',
  'switchesPerOp',
  'instructionsPerOp',
  'cyclesPerOp',
] as const

export type HistoryMetric = (typeof HISTORY_METRICS)[number]

/**
 * What a series is measured on: a change of any of these starts a new series, since the figures
 * before and after would not compare (a kernel upgrade is a new testbed, not a regression). The
 * workload's other settings (wait, wake, depth) are what is measured, not where: a change of them
 * stays in the series, and is noted where it happened.
 */
export interface Testbed {
  cpuModel: string
  cpus: number
  kernel: string
  /** The loop ring's setup flags as the kernel took them, e.g. "SINGLE_ISSUER|DEFER_TASKRUN", and its SQ entries. */
  ring: string
  tool: string
  node: string
}

/** One saved result of a series. */
export interface HistoryPoint {
  /** The file it came from (`file:line` in a JSON-lines history). */
  source: string
  createdAt: string
  label?: string
  commit?: string
}

export interface HistoryChange {
  /** Index in the series of the first result at the new level. */
  index: number
  verdict: 'worse' | 'better' | 'same'
  /** Medians of the segments either side. */
  before: number
  after: number
  /** after / before; null when before is 0 */
  ratio: number | null
  /** The split's permutation test, and adjusted by Holm over its family (what the verdict used). */
  pValue: number
  adjustedPValue: number
  minEffect: number
  /** Whether it can fail the gate: in the newest series of its workload and, with --since, from then on. */
  gates: boolean
  /** The last result before the change and the first after it. */
  lastBefore: HistoryPoint
  firstAfter: HistoryPoint
  reason: string
}

export interface HistoryMetricSeries {
  metric: HistoryMetric
  /** One value per point of the series (null where the result lacks it). */
  values: Array<number | null>
  /** Looked for changes: enough values, and not all the same. */
  tested?: boolean
  changes: HistoryChange[]
}

export interface HistorySeries {
  workload: string
  testbed: Testbed
  points: HistoryPoint[]
  /** Where the workload's settings changed within the series, and how ("drive.depth: 32 → 256"). */
  settingChanges: Array<{at: HistoryPoint; change: string}>
  metrics: HistoryMetricSeries[]
  /** What was before this series, when it follows another of the same workload: how the testbeds differ. */
  newTestbed?: string
  /** Why no change point could be looked for (too few results). */
  note?: string
  /** The newest series of its workload: its changes can fail the gate. */
  gated?: boolean
}

/** A file (or line) of the history that could not be used, and why. */
export interface HistoryProblem {
  source: string
  reason: string
}

export interface HistoryDocument extends Omit<Envelope<'history'>, 'host' | 'kernel'> {
  schemaVersion: typeof HISTORY_SCHEMA_VERSION
  kind: typeof HISTORY_KIND
  createdAt: string
  /** The folder or JSON-lines file read. */
  history: string
  /** True unless some series has a change point judged worse. */
  passed: boolean
  /** Of each split's permutation test. */
  alpha: number
  /** --since: changes before this result (commit, label or date) are shown but do not fail the gate. */
  since?: string
  /** Results read and used. */
  results: number
  series: HistorySeries[]
  problems: HistoryProblem[]
}
