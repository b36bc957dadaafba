// A workload as data: what to run, through which loop configuration, driven how, compared with
// which baselines. Flags (bench) and profile entries (run) both become a WorkloadSpec, and both
// are checked by the same rules here; only the names of the fields differ, so each source passes
// its own field labels to report errors in its user's terms.

import {statSync} from 'node:fs'

import {invalidValue, UsageError} from '../errors.js'
import {
  ARRIVALS,
  type ArrivalsName,
  BASELINES,
  type BaselineName,
  type DriveSpec,
  type FileWorkloadSpec,
  type KindName,
  type LoopSpec,
  MIX_KINDS,
  type MixEntry,
  OPS,
  type OpName,
  type SocketWorkloadSpec,
  TRANSPORTS,
  type TransportName,
  type WorkloadSpec,
} from '../model/workload.js'
import {formatSize} from '../units.js'

/** Baselines that run file workloads only. */
const FILE_BASELINES: readonly BaselineName[] = ['fio', 'node-fs']

/** The kernel's limit on SQ entries (IORING_MAX_ENTRIES). */
export const MAX_RING_ENTRIES = 32768
const MAX_SUBMITTERS = 256
const MAX_DEPTH = 32768
const SECTOR = 512
const MAX_BLOCK_SIZE = 64 * 1024 ** 2
/** A socket connection sends a message, then receives it: it must fit in the socket's buffer. */
const MAX_MESSAGE_SIZE = 64 * 1024
/** Above this an open loop would only measure how far behind the schedule the tool falls. */
const MAX_RATE = 100_000_000

/** Where each field came from, in the user's terms (a flag name or a profile path). */
export type FieldLabels = Record<
  | 'op'
  | 'timer'
  | 'ringSize'
  | 'opTimeout'
  | 'shutdownTimeout'
  | 'submitters'
  | 'depth'
  | 'duration'
  | 'ops'
  | 'warmup'
  | 'vs'
  | 'blockSize'
  | 'random'
  | 'direct'
  | 'fileSize'
  | 'file'
  | 'fsyncEvery'
  | 'writevBuffers'
  | 'transport'
  | 'messageSize'
  | 'connections'
  | 'mix'
  | 'rate'
  | 'arrivals'
  | 'submitBatch',
  string
>

const DEFAULT_RING_SIZE = 128
const DEFAULT_FILE_SIZE = 1024 ** 3
const DEFAULT_BLOCK_SIZE = 4096
/** In-flight slots per submitter of an open loop when no depth is given. */
const DEFAULT_OPEN_LOOP_DEPTH = 256

/** The ring size used when none is given: room for every outstanding op, at least the seed's 128. */
function defaultRingSize(drive: Pick<DriveSpec, 'submitters' | 'depth'>, timed: boolean): number {
  const limit = timed ? MAX_RING_ENTRIES / 2 : MAX_RING_ENTRIES
  return Math.min(limit, Math.max(DEFAULT_RING_SIZE, nextPowerOfTwo(drive.submitters * drive.depth)))
}

function nextPowerOfTwo(value: number): number {
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

/** A field as named inside another field's message: the flag, or the profile field without its file and line. */
function ref(label: string): string {
  return label.slice(label.lastIndexOf(': ') + 1).trim()
}

/** Checks every range rule; throws a UsageError naming the offending field. */
function checkWorkload(spec: WorkloadSpec, label: FieldLabels): WorkloadSpec {
  if (!(OPS as readonly string[]).includes(spec.op)) {
    throw invalidValue(label.op, spec.op, `use one of: ${OPS.join(', ')}`)
  }
  if (spec.op === 'mix' && !spec.mix) {
    throw invalidValue(label.op, spec.op, `a mix needs ${ref(label.mix)} (e.g. file-read=3,socket=1)`)
  }
  if (spec.op !== 'mix' && spec.mix) {
    throw invalidValue(label.mix, spec.mix.map((entry) => `${entry.op}=${entry.weight}`).join(','), `only ${ref(label.op)} mix takes a mix`)
  }
  const kinds = kindsOf(spec)
  if (kinds.includes('timer') && spec.timerNs <= 0) {
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
  if (spec.loop.submitBatch !== undefined) checkInteger(spec.loop.submitBatch, 1, MAX_RING_ENTRIES, label.submitBatch)
  if (timed && spec.loop.opTimeoutNs! <= 0) {
    throw invalidValue(label.opTimeout, '0', 'an op timeout must be longer than 0')
  }
  if (kinds.includes('stall') && !timed) {
    throw invalidValue(label.op, spec.op, `a stalled op ends only by its timeout: give ${ref(label.opTimeout)} (e.g. 10ms)`)
  }

  if (spec.drive.ops > 0) {
    checkInteger(spec.drive.ops, 1, Number.MAX_SAFE_INTEGER, label.ops)
  } else if (spec.drive.durationNs <= 0) {
    throw invalidValue(label.duration, '0', `the measured phase must last longer than 0 (or give ${ref(label.ops)})`)
  }
  if (spec.drive.rate !== undefined && !(spec.drive.rate > 0 && spec.drive.rate <= MAX_RATE)) {
    throw invalidValue(label.rate, spec.drive.rate, `give ops per second above 0 and at most ${MAX_RATE} (leave it out for a closed loop)`)
  }
  if (spec.drive.arrivals !== undefined && !(ARRIVALS as readonly string[]).includes(spec.drive.arrivals)) {
    throw invalidValue(label.arrivals, spec.drive.arrivals, `use one of: ${ARRIVALS.join(', ')}`)
  }
  if (spec.drive.arrivals !== undefined && spec.drive.rate === undefined) {
    throw invalidValue(label.arrivals, spec.drive.arrivals, `arrivals shape an open loop: give ${ref(label.rate)} too`)
  }
  if (spec.file) checkFile(spec, spec.file, label)
  if (spec.socket) checkSocket(spec.socket, label)
  for (const baseline of spec.vs) {
    if (!(BASELINES as readonly string[]).includes(baseline)) {
      throw invalidValue(label.vs, baseline, `use one of: ${BASELINES.join(', ')}`)
    }
    if (FILE_BASELINES.includes(baseline) && !(spec.op === 'file-read' || spec.op === 'file-write')) {
      throw invalidValue(label.vs, baseline, `${baseline} runs file workloads only: use it with ${ref(label.op)} file-read or file-write`)
    }
  }
  return spec
}

function checkFile(spec: WorkloadSpec, file: FileWorkloadSpec, label: FieldLabels): void {
  const kinds = kindsOf(spec)
  checkInteger(file.blockSize, 1, MAX_BLOCK_SIZE, label.blockSize)
  if (file.direct && file.blockSize % SECTOR !== 0) {
    throw invalidValue(label.blockSize, file.blockSize, `with ${ref(label.direct)} it must be a multiple of ${SECTOR} (e.g. 4k)`)
  }
  if (file.path !== undefined) {
    if (kinds.includes('file-write')) {
      throw invalidValue(
        label.file,
        file.path,
        `the tool never writes to your file: file-write lays out one of its own (leave ${ref(label.file)} out)`,
      )
    }
    const found = statSync(file.path, {throwIfNoEntry: false})
    if (!found) throw invalidValue(label.file, file.path, 'it does not exist; give an existing file or block device to read')
    // Judged before any workload runs, and without opening it: a FIFO with no writer would block.
    if (!found.isFile() && !found.isBlockDevice()) throw invalidValue(label.file, file.path, 'give a regular file or a block device')
  } else if (file.sizeBytes < file.blockSize) {
    throw invalidValue(label.fileSize, formatSize(file.sizeBytes), `it must hold at least one block (${formatSize(file.blockSize)})`)
  }
  const writes = kinds.includes('file-write')
  if (file.fsyncEvery > 0 && !writes) {
    throw invalidValue(label.fsyncEvery, file.fsyncEvery, 'only writes are synced: use it with file-write')
  }
  checkInteger(file.fsyncEvery, 0, Number.MAX_SAFE_INTEGER, label.fsyncEvery)
  if (file.writevBuffers > 1) {
    if (!writes) throw invalidValue(label.writevBuffers, file.writevBuffers, 'only writes are vectored: use it with file-write')
    checkInteger(file.writevBuffers, 1, 1024, label.writevBuffers)
    const each = file.blockSize / file.writevBuffers
    if (!Number.isInteger(each)) {
      throw invalidValue(label.writevBuffers, file.writevBuffers, `the block (${file.blockSize} bytes) must split into equal buffers`)
    }
    if (file.direct && each % SECTOR !== 0) {
      throw invalidValue(
        label.writevBuffers,
        file.writevBuffers,
        `with ${ref(label.direct)} each buffer must be a multiple of ${SECTOR} bytes (the block is ${file.blockSize})`,
      )
    }
  }
}

function checkSocket(socket: SocketWorkloadSpec, label: FieldLabels): void {
  if (!(TRANSPORTS as readonly string[]).includes(socket.transport)) {
    throw invalidValue(label.transport, socket.transport, `use one of: ${TRANSPORTS.join(', ')}`)
  }
  checkInteger(
    socket.messageSize,
    1,
    MAX_MESSAGE_SIZE,
    label.messageSize,
    'a connection sends a message, then receives it, so it must fit in the socket buffer',
  )
}

/**
 * A socket connection carries one message at a time, so its connections are the socket
 * workload's depth: `connections` sets the depth, and must agree with an explicit depth.
 */
function depthWithConnections(depth: number | undefined, connections: number | undefined, label: FieldLabels): number | undefined {
  if (connections === undefined) return depth
  if (depth !== undefined && depth !== connections) {
    throw invalidValue(
      label.connections,
      connections,
      `each connection carries one message at a time, so connections are the socket depth: leave ${ref(label.depth)} out or make it ${connections}`,
    )
  }
  return connections
}

function checkInteger(value: number, min: number, max: number, field: string, why?: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${field}: ${value} is not allowed; use a whole number from ${min} to ${max}` + (why ? ` (${why})` : ''))
  }
}

/** A workload as given (flags or a profile entry, units already converted); absent: not given. */
interface WorkloadInput extends Omit<LoopSpec, 'ringSize'> {
  name: string
  op: string
  timerNs: number
  ringSize?: number
  submitters: number
  depth?: number
  durationNs: number
  /** Measured ops instead of a duration; absent: the duration. */
  ops?: number
  warmupNs: number
  rate?: number
  arrivals?: string
  mix?: MixEntry[]
  file?: string
  fileSizeBytes?: number
  blockSize?: number
  random?: boolean
  direct?: boolean
  fsyncEvery?: number
  writevBuffers?: number
  transport?: string
  messageSize?: number
  connections?: number
  vs: string[]
}

const FILE_FIELDS = ['file', 'fileSizeBytes', 'blockSize', 'random', 'direct', 'fsyncEvery', 'writevBuffers'] as const
const SOCKET_FIELDS = ['transport', 'messageSize', 'connections'] as const
const FIELD_LABEL: Record<(typeof FILE_FIELDS)[number] | (typeof SOCKET_FIELDS)[number], keyof FieldLabels> = {
  file: 'file',
  fileSizeBytes: 'fileSize',
  blockSize: 'blockSize',
  random: 'random',
  direct: 'direct',
  fsyncEvery: 'fsyncEvery',
  writevBuffers: 'writevBuffers',
  transport: 'transport',
  messageSize: 'messageSize',
  connections: 'connections',
}

/** Applies the defaults and checks every rule: the one way flags and profiles become a WorkloadSpec. */
export function toWorkloadSpec(input: WorkloadInput, label: FieldLabels): WorkloadSpec {
  const partial = {op: input.op as OpName, mix: input.mix}
  const kinds = (OPS as readonly string[]).includes(input.op) ? kindsOf(partial) : []
  const notFor = (fields: readonly (keyof typeof FIELD_LABEL)[], applies: boolean, what: string): void => {
    if (applies) return
    const given = fields.find((field) => input[field] !== undefined && input[field] !== false)
    if (given) throw invalidValue(label[FIELD_LABEL[given]], String(input[given]), `it applies to ${what} only`)
  }
  notFor(FILE_FIELDS, usesFile(partial), 'file workloads (file-read, file-write, or a mix with them)')
  notFor(SOCKET_FIELDS, kinds.includes('socket'), 'socket workloads (socket, or a mix with it)')
  // 0 ops would silently mean "use the duration": refuse it as a duration of 0 is refused.
  if (input.ops !== undefined && input.ops < 1) {
    throw invalidValue(label.ops, input.ops, `run at least 1 measured op (or give ${ref(label.duration)})`)
  }
  const rate = input.rate
  const depth =
    (kinds.includes('socket') ? depthWithConnections(input.depth, input.connections, label) : input.depth) ??
    (rate === undefined ? 1 : DEFAULT_OPEN_LOOP_DEPTH)
  const drive: DriveSpec = {
    submitters: input.submitters,
    depth,
    durationNs: input.ops === undefined ? input.durationNs : 0,
    ops: input.ops ?? 0,
    warmupNs: input.warmupNs,
    ...(rate === undefined ? {} : {rate, arrivals: (input.arrivals ?? 'uniform') as ArrivalsName}),
  }
  if (rate === undefined && input.arrivals !== undefined) drive.arrivals = input.arrivals as ArrivalsName
  const spec: WorkloadSpec = {
    name: input.name,
    op: input.op as OpName,
    timerNs: input.timerNs,
    ...(input.mix ? {mix: input.mix} : {}),
    loop: {
      ringSize: input.ringSize ?? defaultRingSize(drive, input.opTimeoutNs !== undefined),
      ioPoll: input.ioPoll,
      singleIssuer: input.singleIssuer,
      opTimeoutNs: input.opTimeoutNs,
      shutdownTimeoutNs: input.shutdownTimeoutNs,
      ...(input.idleSpinNs ? {idleSpinNs: input.idleSpinNs} : {}),
      ...(input.submitBatch ? {submitBatch: input.submitBatch} : {}),
    },
    drive,
    vs: input.vs as BaselineName[],
  }
  if (usesFile(partial)) {
    spec.file = {
      ...(input.file === undefined ? {} : {path: input.file}),
      // A user's file is used whole unless a size is given (0 here: resolved when it is opened).
      sizeBytes: input.fileSizeBytes ?? (input.file === undefined ? DEFAULT_FILE_SIZE : 0),
      blockSize: input.blockSize ?? DEFAULT_BLOCK_SIZE,
      random: input.random ?? false,
      direct: input.direct ?? false,
      fsyncEvery: input.fsyncEvery ?? 0,
      writevBuffers: input.writevBuffers ?? 0,
    }
  }
  if (kinds.includes('socket')) {
    spec.socket = {transport: (input.transport ?? 'unix') as TransportName, messageSize: input.messageSize ?? 4096}
  }
  if (kinds.some((kind) => kind !== 'nop' && kind !== 'timer') || rate !== undefined) {
    // Fresh per run: a file left by another run can never pass for this one's data.
    spec.seed = 1 + Math.floor(Math.random() * 2 ** 48)
  }
  return checkWorkload(spec, label)
}

/**
 * The workload with its measured phase and warm-up replaced where given: run's --duration and
 * --warmup, a quicker look at a profile. A duration replaces an op count too.
 */
export function withPhases(spec: WorkloadSpec, phases: {durationNs?: number; warmupNs?: number}, durationLabel: string): WorkloadSpec {
  const {durationNs, warmupNs} = phases
  if (durationNs !== undefined && durationNs <= 0) throw invalidValue(durationLabel, '0', 'the measured phase must last longer than 0')
  return {
    ...spec,
    drive: {
      ...spec.drive,
      ...(durationNs === undefined ? {} : {durationNs, ops: 0}),
      ...(warmupNs === undefined ? {} : {warmupNs}),
    },
  }
}
