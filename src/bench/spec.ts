// A workload as data: what to run, through which loop configuration, driven how, compared with
// which baselines (the types are the model's: src/model/workload.ts). Flags (bench) and profile
// entries (run) both become a WorkloadSpec through settings/workload.ts, which checks them by the
// rules of the settings table.

import {invalidValue} from '../errors.js'
import {
  type BaselineName,
  type DriveSpec,
  type KindName,
  MIX_KINDS,
  type MixEntry,
  type WaitSpec,
  type WorkloadSpec,
} from '../model/workload.js'
import {durationInput, parseDuration} from '../units.js'

/** Baselines that run file workloads only. */
export const FILE_BASELINES: readonly BaselineName[] = ['fio', 'node-fs', 'node-fs-uring']

/** The kernel's limit on SQ entries (IORING_MAX_ENTRIES). */
export const MAX_RING_ENTRIES = 32768
/** The kernel's limit on registered buffers (IORING_MAX_REG_BUFFERS): --fixed-buffers registers one per op in flight. */
export const MAX_FIXED_BUFFERS = 16384
/** A socket connection sends a message, then receives it: it must fit in the socket's buffer. */
export const MAX_MESSAGE_SIZE = 64 * 1024

/** --multishot-recv: buffers per connection's ring, at most, and by default. */
export const MAX_RECV_BUFFERS = 4096
export const DEFAULT_RECV_BUFFERS = 16
/** --multishot-recv: buffers of all of one submitter's connections, at most (each may hold a result in its queue). */
export const MAX_RECV_BUFFERS_PER_SUBMITTER = 65536

const DEFAULT_RING_SIZE = 128
/** In-flight slots per submitter of an open loop when no depth is given. */
export const DEFAULT_OPEN_LOOP_DEPTH = 256

/**
 * The ring size used when none is given: room for every outstanding op, at least the seed's 128;
 * with receive streams, room for a multishot RECV per connection besides.
 */
export function defaultRingSize(drive: Pick<DriveSpec, 'submitters' | 'depth'>, timed: boolean, streams = false): number {
  const limit = timed ? MAX_RING_ENTRIES / 2 : MAX_RING_ENTRIES
  return Math.min(limit, Math.max(DEFAULT_RING_SIZE, nextPowerOfTwo(drive.submitters * drive.depth * (streams ? 2 : 1))))
}

export function nextPowerOfTwo(value: number): number {
  let power = 1
  while (power < value) power *= 2
  return power
}

/** The most an adaptive wait's budget grows to when `adaptive` names no maximum (WaitStrategy::kAdaptiveMaxSpin). */
export const ADAPTIVE_MAX_SPIN_NS = 100_000
/** The longest spin a wait may take: a spin keeps a core busy while it lasts. */
const MAX_SPIN_NS = 1e9

/**
 * Parses a wait strategy: `sleep`, `spin=DUR` or `adaptive` (`adaptive=MAX` caps its budget).
 * Throws a UsageError naming `field` and the whole value.
 */
export function parseWait(text: string, field: string): WaitSpec {
  const allowed = `use sleep, spin=DUR (e.g. spin=50us) or adaptive (adaptive=MAX caps its budget, ${durationInput(ADAPTIVE_MAX_SPIN_NS)} by default)`
  const [name, value, ...rest] = text.split('=').map((part) => part.trim())
  if (rest.length > 0) throw invalidValue(field, text, allowed)
  if (name === 'sleep' && value === undefined) return {kind: 'sleep', spinNs: 0}
  if (name === 'adaptive' && value === undefined) return {kind: 'adaptive', spinNs: ADAPTIVE_MAX_SPIN_NS}
  if ((name !== 'spin' && name !== 'adaptive') || value === undefined) throw invalidValue(field, text, allowed)
  let spinNs: number
  try {
    spinNs = parseDuration(value, field)
  } catch {
    throw invalidValue(field, text, allowed)
  }
  if (spinNs <= 0 || spinNs > MAX_SPIN_NS) {
    throw invalidValue(field, text, `${name} takes a duration above 0 and at most 1s (sleep blocks at once; a spin keeps a core busy)`)
  }
  return {kind: name, spinNs}
}

/** A wait strategy as a user writes it, which parseWait reads back. */
export function waitInput(wait: WaitSpec): string {
  if (wait.kind === 'sleep') return 'sleep'
  if (wait.kind === 'adaptive' && wait.spinNs === ADAPTIVE_MAX_SPIN_NS) return 'adaptive'
  return `${wait.kind}=${durationInput(wait.spinNs)}`
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
