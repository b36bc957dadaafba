// The shutdown drill's document (`shutdown-drill --json`, schemas/shutdown-drill.schema.json);
// src/drill/ runs the drill and judges it.

import type {Envelope} from './envelope.js'
import type {LatencySummary} from './latency.js'
import type {NativeDrillMode} from './native.js'
import type {KindName} from './workload.js'

/** 2: the shared envelope (kind `iouring-bench/shutdown-drill`, tool, host, kernel). */
export const DRILL_SCHEMA_VERSION = 2

export interface DrillOptions {
  rounds: number
  seed: number
  ringSize: number
  submitters: number
  /** One mode per entry, used by the rounds in turn; null: wait for every op. */
  shutdownTimeoutsNs: Array<number | null>
  opTimeoutNs: number | null
  ops: KindName[]
  roundDeadlineNs: number
}

export type CheckStatus = 'pass' | 'fail'

export interface DrillCheck {
  name: 'no-hang' | 'exactly-once' | 'no-fd-leak' | 'kernel-memory-kept'
  status: CheckStatus
  detail: string
}

/** The native mode's counts, with its shutdown latency summarized. */
export interface DrillModeReport extends Omit<NativeDrillMode, 'shutdownLatency'> {
  shutdownLatency: LatencySummary
}

export interface DrillDocument extends Envelope<'shutdown-drill'> {
  schemaVersion: typeof DRILL_SCHEMA_VERSION
  config: DrillOptions
  roundsRun: number
  interrupted: boolean
  modes: DrillModeReport[]
  totals: {submitted: number; completed: number; timedOut: number; abandoned: number}
  fds: {before: number; after: number | null}
  checks: DrillCheck[]
  /** The first few failures, each with the round and its seed. */
  failures: Array<{round: number; roundSeed: string; what: string}>
  passed: boolean
  /** The drill could not set up (e.g. a ring or descriptor the system refused). */
  error: string | null
}
