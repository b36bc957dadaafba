// What a baseline that is not the native core (fio, node-fs) reports, in the loop's terms.

import type {Histogram} from '../report/histogram.js'

export interface MeasuredBaseline {
  /** Measured ops that ended. */
  ops: number
  expected: number
  /** Other ends, by what they were (an errno name, "short"). */
  unexpected: Record<string, number>
  bytes: number
  elapsedNs: number
  /** `leavesOut`: threads of the baseline its figure does not count (fio's SQ thread): no CPU ratio then. */
  cpu: {userNs: number; systemNs: number; leavesOut?: string}
  /** From each op's intended start (closed loop: its issue) to its end. */
  latency: Histogram
  /** Open loop: from each op's actual issue. */
  service?: Histogram
  late?: number
  missed?: number
  interrupted: boolean
  /** How it ran: versions, command lines, settings that change its figures. */
  info: Record<string, string | number | boolean | null>
}

/** A baseline's outcome: measured, skipped (with the reason, the run goes on), or failed. */
export interface BaselineRun {
  measured?: MeasuredBaseline
  skipped?: string
  failed?: string
}
