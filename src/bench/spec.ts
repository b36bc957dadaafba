// A workload as data: what to run, through which loop configuration, driven how, compared with
// which baselines. Flags (bench) and profile entries (run) both become a WorkloadSpec, and both
// are checked by the same rules here; only the names of the fields differ, so each source passes
// its own field labels to report errors in its user's terms.

import {invalidValue, UsageError} from '../errors.js'

export const OPS = ['nop', 'timer'] as const
export type OpName = (typeof OPS)[number]

export const BASELINES = ['raw'] as const
export type BaselineName = (typeof BASELINES)[number]

/** The kernel's limit on SQ entries (IORING_MAX_ENTRIES). */
export const MAX_RING_ENTRIES = 32768
const MAX_SUBMITTERS = 256
const MAX_DEPTH = 32768

export interface LoopSpec {
  /** Waiter and queue capacity; rounded up to a power of two by the loop. */
  ringSize: number
  ioPoll: boolean
  singleIssuer: boolean
  opTimeoutNs?: number
  shutdownTimeoutNs?: number
}

export interface DriveSpec {
  submitters: number
  /** Ops each submitter keeps outstanding. */
  depth: number
  /** Length of the measured phase; unused when `ops` > 0. */
  durationNs: number
  /** Measured ops to run instead of a duration (0: use the duration). */
  ops: number
  warmupNs: number
}

export interface WorkloadSpec {
  name: string
  op: OpName
  /** IORING_OP_TIMEOUT length for the timer op. */
  timerNs: number
  loop: LoopSpec
  drive: DriveSpec
  vs: BaselineName[]
}

/** Where each field came from, in the user's terms (a flag name or a profile path). */
export type FieldLabels = Record<
  'op' | 'timer' | 'ringSize' | 'opTimeout' | 'shutdownTimeout' | 'submitters' | 'depth' |
  'duration' | 'ops' | 'warmup' | 'vs',
  string
>

export const DEFAULT_RING_SIZE = 128

/** The ring size used when none is given: room for every outstanding op, at least the seed's 128. */
export function defaultRingSize(drive: Pick<DriveSpec, 'submitters' | 'depth'>, timed: boolean): number {
  const limit = timed ? MAX_RING_ENTRIES / 2 : MAX_RING_ENTRIES
  return Math.min(limit, Math.max(DEFAULT_RING_SIZE, nextPowerOfTwo(drive.submitters * drive.depth)))
}

export function nextPowerOfTwo(value: number): number {
  let power = 1
  while (power < value) power *= 2
  return power
}

/** Checks every range rule; throws a UsageError naming the offending field. */
export function checkWorkload(spec: WorkloadSpec, label: FieldLabels): WorkloadSpec {
  if (!(OPS as readonly string[]).includes(spec.op)) {
    throw invalidValue(label.op, spec.op, `use one of: ${OPS.join(', ')}`)
  }
  if (spec.op === 'timer' && spec.timerNs <= 0) {
    throw invalidValue(label.timer, spec.timerNs, 'the timer must be longer than 0')
  }
  checkInteger(spec.drive.submitters, 1, MAX_SUBMITTERS, label.submitters)
  checkInteger(spec.drive.depth, 1, MAX_DEPTH, label.depth)

  const timed = spec.loop.opTimeoutNs !== undefined
  const maxRing = timed ? MAX_RING_ENTRIES / 2 : MAX_RING_ENTRIES
  checkInteger(
    spec.loop.ringSize,
    1,
    maxRing,
    label.ringSize,
    timed
      ? `with an op timeout each op takes two SQ entries, so the kernel maximum of ${MAX_RING_ENTRIES} allows ${maxRing}`
      : `the kernel maximum is ${MAX_RING_ENTRIES} entries`,
  )
  if (timed && spec.loop.opTimeoutNs! <= 0) {
    throw invalidValue(label.opTimeout, '0', 'an op timeout must be longer than 0')
  }

  if (spec.drive.ops > 0) {
    checkInteger(spec.drive.ops, 1, Number.MAX_SAFE_INTEGER, label.ops)
  } else if (spec.drive.durationNs <= 0) {
    throw invalidValue(label.duration, '0', `the measured phase must last longer than 0 (or give ${label.ops})`)
  }
  for (const baseline of spec.vs) {
    if (!(BASELINES as readonly string[]).includes(baseline)) {
      throw invalidValue(label.vs, baseline, `use one of: ${BASELINES.join(', ')}`)
    }
  }
  return spec
}

function checkInteger(value: number, min: number, max: number, field: string, why?: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(
      `${field}: ${value} is not allowed; use a whole number from ${min} to ${max}` + (why ? ` (${why})` : ''),
    )
  }
}
