// A workload as data: what to run, through which loop configuration, driven how, compared with
// which baselines. Flags (bench) and profile entries (run) both become a WorkloadSpec through
// settings/workload.ts, which checks them by the rules of the settings table.

import {invalidValue} from '../errors.js'
import {OP_KINDS} from './ops.generated.js'

/** The native core's kinds of op, or a mix of them. */
export const OPS = [...OP_KINDS, 'mix'] as const
export type OpName = (typeof OPS)[number]
/** The kinds a mix can be made of. */
export const MIX_KINDS = OP_KINDS
export type KindName = (typeof MIX_KINDS)[number]

export const BASELINES = ['raw', 'fio', 'node-fs'] as const
export type BaselineName = (typeof BASELINES)[number]
/** Baselines that run file workloads only. */
export const FILE_BASELINES: readonly BaselineName[] = ['fio', 'node-fs']

export const TRANSPORTS = ['unix', 'tcp'] as const
export type TransportName = (typeof TRANSPORTS)[number]
export const ARRIVALS = ['uniform', 'poisson'] as const
export type ArrivalsName = (typeof ARRIVALS)[number]

/** The kernel's limit on SQ entries (IORING_MAX_ENTRIES). */
export const MAX_RING_ENTRIES = 32768
/** A socket connection sends a message, then receives it: it must fit in the socket's buffer. */
export const MAX_MESSAGE_SIZE = 64 * 1024

export interface LoopSpec {
  /** Waiter and queue capacity; rounded up to a power of two by the loop. */
  ringSize: number
  ioPoll: boolean
  singleIssuer: boolean
  opTimeoutNs?: number
  shutdownTimeoutNs?: number
  /** Poll this long before sleeping, in the loop and its submitters (absent: sleep at once). */
  idleSpinNs?: number
  /** Submit staged ops after at most this many (absent: all that are queued, then submit). */
  submitBatch?: number
}

export interface DriveSpec {
  submitters: number
  /** Ops each submitter keeps outstanding (closed loop), or at most in flight (open loop). */
  depth: number
  /** Length of the measured phase; unused when `ops` > 0. */
  durationNs: number
  /** Measured ops to run instead of a duration (0: use the duration). */
  ops: number
  warmupNs: number
  /** Open loop: ops due per second, in total; absent for a closed loop. */
  rate?: number
  /** Open loop: evenly spaced or Poisson arrivals. */
  arrivals?: ArrivalsName
}

export interface FileWorkloadSpec {
  /** A user's file or block device, read only; absent: the tool lays out a file of its own. */
  path?: string
  /** Bytes the ops use (the tool's file is this big; a user's file is used up to this much). */
  sizeBytes: number
  blockSize: number
  random: boolean
  /** O_DIRECT: bypass the page cache. */
  direct: boolean
  /** An fsync after every this many writes of each submitter (0: never). */
  fsyncEvery: number
  /** Writes are WRITEV of this many buffers (0 or 1: plain WRITE). */
  writevBuffers: number
}

export interface SocketWorkloadSpec {
  transport: TransportName
  messageSize: number
}

export interface MixEntry {
  op: KindName
  weight: number
}

export interface WorkloadSpec {
  name: string
  op: OpName
  /** IORING_OP_TIMEOUT length for the timer op. */
  timerNs: number
  /** The kinds of a mix and their weights (op 'mix' only). */
  mix?: MixEntry[]
  /** File workloads (file-read, file-write, or a mix with them). */
  file?: FileWorkloadSpec
  /** Socket workloads. */
  socket?: SocketWorkloadSpec
  /** Seeds the test data, random offsets, mix choices and Poisson arrivals. */
  seed?: number
  loop: LoopSpec
  drive: DriveSpec
  vs: BaselineName[]
}

export const DEFAULT_RING_SIZE = 128
/** In-flight slots per submitter of an open loop when no depth is given. */
export const DEFAULT_OPEN_LOOP_DEPTH = 256

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

/** The kinds of op a workload runs: its op, or the kinds of its mix. */
export function kindsOf(spec: Pick<WorkloadSpec, 'op' | 'mix'>): KindName[] {
  return spec.op === 'mix' ? (spec.mix ?? []).map((entry) => entry.op) : [spec.op]
}

export function usesFile(spec: Pick<WorkloadSpec, 'op' | 'mix'>): boolean {
  return kindsOf(spec).some((kind) => kind === 'file-read' || kind === 'file-write')
}

/**
 * Parses a mix, `file-read=3,socket=1` (or the same as an object in a profile), into entries.
 * Throws a UsageError naming `field`.
 */
export function parseMix(given: string | Record<string, unknown>, field: string): MixEntry[] {
  const shown = typeof given === 'string' ? given : JSON.stringify(given)
  const pairs =
    typeof given === 'string'
      ? given
          .split(',')
          .filter((part) => part.trim() !== '')
          .map((part) => part.split('=').map((text) => text.trim()))
      : Object.entries(given).map(([kind, weight]) => [kind, String(weight)])
  const allowed = `use kind=weight pairs such as 'file-read=3,socket=1' with kinds: ${MIX_KINDS.join(', ')}`
  if (pairs.length === 0) throw invalidValue(field, shown, allowed)
  const entries: MixEntry[] = []
  for (const pair of pairs) {
    const [kind, weight] = pair
    if (pair.length !== 2 || !(MIX_KINDS as readonly string[]).includes(kind) || !/^\d+$/.test(weight ?? '')) {
      throw invalidValue(field, shown, allowed)
    }
    if (entries.some((entry) => entry.op === kind)) throw invalidValue(field, shown, `${kind} is named twice`)
    entries.push({op: kind as KindName, weight: Number(weight)})
  }
  if (entries.every((entry) => entry.weight === 0)) {
    throw invalidValue(field, shown, 'the weights add up to 0; give at least one kind a weight above 0')
  }
  return entries
}
