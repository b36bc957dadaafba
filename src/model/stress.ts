// The stress-timeouts document (`stress-timeouts --json`, schemas/stress-timeouts.schema.json);
// src/stress/ runs the stress and the liveness scenario and judges them.

import type {Envelope} from './envelope.js'
import type {LatencySummary} from './latency.js'
import type {NativeCounters, NativeLivenessHalf, NativeLivenessResult} from './native.js'
import type {MixEntry} from './workload.js'

export const STRESS_SCHEMA_VERSION = 1

export interface StressOptions {
  opTimeoutNs: number
  slackNs: number
  /** Stalls and normal kinds with their weights. */
  mix: MixEntry[]
  timerNs: number
  ringSize: number
  submitters: number
  depth: number
  durationNs: number
  watchdogNs: number
  liveness: boolean
}

export interface Check {
  name: string
  passed: boolean
  detail: string
}

export interface ThroughputWindows {
  windowNs: number
  count: number
  /** Windows in which no normal op completed. */
  empty: number
  minOpsPerSec: number
  medianOpsPerSec: number
  maxOpsPerSec: number
}

export interface StressResult {
  elapsedNs: number
  /** Ops the submitters handed to the loop. */
  submitted: number
  /** The loop's counts of how they ended. */
  completed: number
  timedOut: number
  abandoned: number
  /** Ends the submitters saw. */
  requesterEnds: number
  pendingAtEnd: number
  stalls: {ops: number; timedOut: number}
  normal: {
    ops: number
    endedNormally: number
    opsPerSec: number
    kinds: Array<{kind: string; ops: number; expected: number; opsPerSec: number}>
  }
  lateness: LatencySummary & {overSlack: number; early: number}
  windows: ThroughputWindows
  capacityStallsWaiterBound: number
  counters: NativeCounters
}

export interface StressDocument extends Envelope<'stress-timeouts'> {
  schemaVersion: typeof STRESS_SCHEMA_VERSION
  config: Omit<StressOptions, 'liveness'>
  passed: boolean
  interrupted: boolean
  checks: Check[]
  stress: StressResult | null
  /** The same normal ops, same loop and drive, no stalls: what the stalls cost them. */
  withoutStalls: {normalOpsPerSec: number; elapsedNs: number} | null
  /** Normal-op throughput with stalls / without. */
  normalThroughputRatio: number | null
  liveness: NativeLivenessResult | null
}

/** How a liveness op ended, as the report shows it: abandoned, an errno name, or the bytes it moved. */
export function outcome(op: NativeLivenessHalf['ops'][number]): string {
  if (op.end === 'abandoned') return 'abandoned'
  return op.result < 0 ? `-${op.resultName}` : `${op.result} bytes`
}
