// Flags (bench) and profile entries (run) become a WorkloadSpec here, and only here: the table's
// defaults applied, its ranges checked and the rules between settings enforced, every refusal
// naming the setting in its user's terms (the labels the source passes).

import {readFileSync, statSync} from 'node:fs'
import os from 'node:os'

import {
  DEFAULT_OPEN_LOOP_DEPTH,
  DEFAULT_RECV_BUFFERS,
  defaultRingSize,
  FILE_BASELINES,
  kindsOf,
  MAX_FIXED_BUFFERS,
  MAX_RECV_BUFFERS_PER_SUBMITTER,
  MAX_RING_ENTRIES,
  nextPowerOfTwo,
  parseWait,
  usesFile,
} from '../bench/spec.js'
import {invalidValue, refusedSwitch, UsageError} from '../errors.js'
import {
  ARRIVALS,
  type ArrivalsName,
  BASELINES,
  type BaselineName,
  DEFAULT_WAIT,
  DEFAULT_WAKE,
  DESIGNS,
  type DesignName,
  type DriveSpec,
  type FileWorkloadSpec,
  type MixEntry,
  type OpName,
  OPS,
  type SocketWorkloadSpec,
  TRANSPORTS,
  type TransportName,
  type WaitSpec,
  WAKE_MECHANISMS,
  type WakeMechanism,
  type WorkloadSpec,
} from '../model/workload.js'
import {durationInput, formatSize, textOf} from '../units.js'
import {
  type FieldLabels,
  type HelpGroup,
  type Setting,
  SETTING,
  type SettingKey,
  type SETTINGS,
  settingsIn,
  type SettingType,
} from './table.js'

const SECTOR = 512

type ValueOf<T extends SettingType> = T extends 'enum' | 'path'
  ? string
  : T extends 'list'
    ? string[]
    : T extends 'bool'
      ? boolean
      : T extends 'mix'
        ? MixEntry[]
        : T extends 'wait'
          ? WaitSpec
          : number

/** A workload as given (flags or a profile entry, units already converted); absent: not given. */
export type WorkloadInput = {name: string} & {
  -readonly [R in (typeof SETTINGS)[number] as R['key']]?: ValueOf<R['type']>
}

/** A field as named inside another field's message: the flag, or the profile field without its file and line. */
function ref(label: string): string {
  return label.slice(label.lastIndexOf(': ') + 1).trim()
}

/** The setting's range from the table (or a narrower maximum, with why); throws a UsageError naming it. */
export function checkRange(
  key: SettingKey,
  value: number,
  label: FieldLabels,
  max?: number,
  why?: string,
  least?: number,
  leastWhy?: string,
): void {
  const row: Setting = SETTING[key]
  const min = least ?? row.min ?? 0
  const most = max ?? row.max ?? Number.MAX_SAFE_INTEGER
  const reason = (value < min ? leastWhy : undefined) ?? why ?? row.maxWhy
  if (!Number.isInteger(value) || value < min || value > most) {
    throw new UsageError(
      `${label[key]}: ${value} is not allowed; use a whole number from ${min} to ${most}` + (reason ? ` (${reason})` : ''),
    )
  }
}

/** The ring size's range, halved when an op timeout links a second SQ entry to every op. */
export function checkRingSize(ringSize: number, timed: boolean, label: FieldLabels): void {
  if (timed) {
    const maxRing = MAX_RING_ENTRIES / 2
    const why = `with an op timeout each op takes two SQ entries, so the kernel maximum of ${MAX_RING_ENTRIES} allows ${maxRing}`
    checkRange('ringSize', ringSize, label, maxRing, why)
  } else {
    checkRange('ringSize', ringSize, label)
  }
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
  checkRange('submitters', spec.drive.submitters, label)
  checkRange('depth', spec.drive.depth, label)

  const timed = spec.loop.opTimeoutNs !== undefined
  checkRingSize(spec.loop.ringSize, timed, label)
  checkRingKnobs(spec.loop, spec.drive, spec.vs, spec.socket?.multishotRecv !== undefined, label)
  if (spec.loop.submitBatch !== undefined) checkRange('submitBatch', spec.loop.submitBatch, label)
  if (timed && spec.loop.opTimeoutNs! <= 0) {
    throw invalidValue(label.opTimeout, '0', 'an op timeout must be longer than 0')
  }
  if (kinds.includes('stall') && !timed) {
    throw invalidValue(label.op, spec.op, `a stalled op ends only by its timeout: give ${ref(label.opTimeout)} (e.g. 10ms)`)
  }

  if (spec.drive.ops > 0) {
    checkRange('ops', spec.drive.ops, label)
  } else if (spec.drive.durationNs <= 0) {
    throw invalidValue(label.duration, '0', `the measured phase must last longer than 0 (or give ${ref(label.ops)})`)
  }
  const maxRate = SETTING.rate.max
  if (spec.drive.rate !== undefined && !(spec.drive.rate > 0 && spec.drive.rate <= maxRate)) {
    throw invalidValue(label.rate, spec.drive.rate, `give ops per second above 0 and at most ${maxRate} (leave it out for a closed loop)`)
  }
  if (spec.drive.arrivals !== undefined && !(ARRIVALS as readonly string[]).includes(spec.drive.arrivals)) {
    throw invalidValue(label.arrivals, spec.drive.arrivals, `use one of: ${ARRIVALS.join(', ')}`)
  }
  if (spec.drive.design !== undefined && !(DESIGNS as readonly string[]).includes(spec.drive.design)) {
    throw invalidValue(label.design, spec.drive.design, `use one of: ${DESIGNS.join(', ')}`)
  }
  if (spec.drive.idleNs !== undefined && spec.drive.design === 'same-thread') {
    throw invalidValue(
      label.idle,
      durationInput(spec.drive.idleNs),
      `it prices an idle loop thread: with ${ref(label.design)} same-thread each loop ends with its submitter`,
    )
  }
  if (spec.drive.arrivals !== undefined && spec.drive.rate === undefined) {
    throw invalidValue(label.arrivals, spec.drive.arrivals, `arrivals shape an open loop: give ${ref(label.rate)} too`)
  }
  if (spec.file) checkFile(spec, spec.file, label)
  if (spec.socket) checkSocket(spec.socket, label)
  if (spec.socket?.multishotRecv) checkMultishotRecv(spec, spec.socket.multishotRecv, label)
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
  checkRange('blockSize', file.blockSize, label)
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
  checkRange('fsyncEvery', file.fsyncEvery, label)
  if (file.writevBuffers > 1) {
    if (!writes) throw invalidValue(label.writevBuffers, file.writevBuffers, 'only writes are vectored: use it with file-write')
    checkRange('writevBuffers', file.writevBuffers, label)
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
  if (file.fixedBuffers) checkFixedBuffers(spec.drive, file, label)
}

/** A registered buffer per op in flight, for plain reads and writes (no vectored op has a fixed form). */
function checkFixedBuffers(drive: DriveSpec, file: FileWorkloadSpec, label: FieldLabels): void {
  if (file.writevBuffers > 1) {
    throw refusedSwitch(label.fixedBuffers, `WRITEV has no fixed-buffer form: leave out ${ref(label.writevBuffers)} or this`)
  }
  const inFlight = drive.submitters * drive.depth
  if (inFlight > MAX_FIXED_BUFFERS) {
    throw refusedSwitch(
      label.fixedBuffers,
      `it registers a buffer per op in flight and the kernel takes at most ${MAX_FIXED_BUFFERS}; submitters x depth is ${inFlight}`,
    )
  }
}

function checkSocket(socket: SocketWorkloadSpec, label: FieldLabels): void {
  if (!(TRANSPORTS as readonly string[]).includes(socket.transport)) {
    throw invalidValue(label.transport, socket.transport, `use one of: ${TRANSPORTS.join(', ')}`)
  }
  checkRange('messageSize', socket.messageSize, label)
  if (socket.sendZc && socket.transport !== 'tcp') {
    throw refusedSwitch(
      label.sendZc,
      `zero-copy sends need a TCP socket (the kernel has none for AF_UNIX): give ${ref(label.transport)} tcp`,
    )
  }
}

/**
 * A multishot receive per connection: its ring a power of two of buffers, all a submitter's
 * buffers within bounds, and a loop with room for the receives, which stay in flight all run
 * long, besides the ops (else the sends could not run and nothing would arrive).
 */
function checkMultishotRecv(spec: WorkloadSpec, multishot: {buffers: number; bufferSize: number}, label: FieldLabels): void {
  if (spec.op === 'mix') {
    throw refusedSwitch(
      label.multishotRecv,
      `a mix gives each slot ops of any kind, so no connection keeps a receive of its own: use ${ref(label.op)} socket`,
    )
  }
  checkRange('recvBuffers', multishot.buffers, label)
  if (multishot.buffers !== nextPowerOfTwo(multishot.buffers)) {
    throw invalidValue(
      label.recvBuffers,
      multishot.buffers,
      `a buffer ring holds a power of two of buffers, e.g. ${nextPowerOfTwo(multishot.buffers)}`,
    )
  }
  checkRange('recvBufferSize', multishot.bufferSize, label)
  const {depth, submitters, design} = spec.drive
  if (depth * multishot.buffers > MAX_RECV_BUFFERS_PER_SUBMITTER) {
    const most = nextPowerOfTwo(Math.floor(MAX_RECV_BUFFERS_PER_SUBMITTER / depth) + 1) / 2
    throw invalidValue(
      label.recvBuffers,
      multishot.buffers,
      `a submitter holds at most ${MAX_RECV_BUFFERS_PER_SUBMITTER} receive buffers and it has ${depth} connections: give at most ${most}` +
        (most === 0 ? ` (fewer connections)` : '') +
        ` (the default is ${DEFAULT_RECV_BUFFERS})`,
    )
  }
  const perLoop = design === 'same-thread' ? depth : submitters * depth
  const largest = spec.loop.opTimeoutNs === undefined ? MAX_RING_ENTRIES : MAX_RING_ENTRIES / 2
  const why = `with ${ref(label.multishotRecv)} each connection keeps a receive in flight besides its op`
  if (2 * perLoop > largest) {
    const held = design === 'same-thread' ? ref(label.connections) : `${ref(label.submitters)} x ${ref(label.connections)}`
    throw invalidValue(
      label.multishotRecv,
      `${perLoop} connections`,
      `each connection keeps a receive in flight besides its op, so a loop of at most ${largest} holds ${largest / 2} connections: lower ${held}`,
    )
  }
  if (nextPowerOfTwo(spec.loop.ringSize) < 2 * perLoop) {
    throw invalidValue(label.ringSize, spec.loop.ringSize, `${why}: give at least ${2 * perLoop} for the loop's ${perLoop} connections`)
  }
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

/** The table's default for a setting not given. */
function orDefault<
  K extends 'op' | 'timer' | 'submitters' | 'design' | 'duration' | 'warmup' | 'blockSize' | 'fileSize' | 'transport' | 'messageSize',
>(input: WorkloadInput, key: K): NonNullable<WorkloadInput[K]> {
  return (input[key] ?? SETTING[key].default) as NonNullable<WorkloadInput[K]>
}

/** The wait strategy given, by --wait or by its shorthand --spin (0: sleep), else the default. */
function waitOf(input: WorkloadInput, label: FieldLabels): WaitSpec {
  if (input.spin !== undefined && input.wait !== undefined) {
    throw invalidValue(label.spin, durationInput(input.spin), `it is shorthand for ${ref(label.wait)} spin=DUR: give one of them`)
  }
  if (input.wait) return input.wait
  if (input.spin !== undefined) return input.spin > 0 ? {kind: 'spin', spinNs: input.spin} : {kind: 'sleep', spinNs: 0}
  return parseWait(DEFAULT_WAIT, 'wait')
}

/** The wake mechanism given, else the default; a same-thread loop has none to choose. */
function wakeOf(input: WorkloadInput, design: DesignName | undefined, label: FieldLabels): {wake?: WakeMechanism} {
  if (input.wake !== undefined && !(WAKE_MECHANISMS as readonly string[]).includes(input.wake)) {
    throw invalidValue(label.wake, input.wake, `use one of: ${WAKE_MECHANISMS.join(', ')}`)
  }
  if (design !== 'same-thread') return {wake: (input.wake ?? DEFAULT_WAKE) as WakeMechanism}
  if (input.wake !== undefined) {
    throw invalidValue(
      label.wake,
      input.wake,
      `it is how submitter threads wake the loop's thread: with ${ref(label.design)} same-thread there is no other thread to wake it`,
    )
  }
  return {}
}

/** The ring knobs given, each only when on (the loop's fields stay absent when off). */
function ringKnobsOf(input: WorkloadInput): Partial<WorkloadSpec['loop']> {
  const on = (key: 'deferTaskrun' | 'coopTaskrun' | 'taskrunFlag' | 'sqpoll' | 'submitAll' | 'noSqarray' | 'ringFd') =>
    input[key] ? {[key]: true as const} : {}
  return {
    ...on('deferTaskrun'),
    ...on('coopTaskrun'),
    ...on('taskrunFlag'),
    ...on('sqpoll'),
    ...(input.sqpollIdle !== undefined ? {sqpollIdleNs: input.sqpollIdle} : {}),
    ...(input.sqpollCpu !== undefined ? {sqpollCpu: input.sqpollCpu} : {}),
    ...(input.cqSize !== undefined ? {cqSize: input.cqSize} : {}),
    ...on('submitAll'),
    ...on('noSqarray'),
    ...on('ringFd'),
  }
}

/** The rules between ring knobs, and between a knob and this machine or the ring's size. */
function checkRingKnobs(loop: WorkloadSpec['loop'], drive: DriveSpec, vs: readonly string[], streams: boolean, label: FieldLabels): void {
  if (!loop.sqpoll) {
    if (loop.sqpollIdleNs !== undefined)
      throw invalidValue(label.sqpollIdle, durationInput(loop.sqpollIdleNs), `it sets the SQ thread of ${ref(label.sqpoll)}: give that too`)
    if (loop.sqpollCpu !== undefined)
      throw invalidValue(label.sqpollCpu, loop.sqpollCpu, `it pins the SQ thread of ${ref(label.sqpoll)}: give that too`)
  }
  if (loop.sqpoll) {
    // The kernel refuses the task-run flags on an SQPOLL ring: its SQ thread, not the loop, issues.
    const taskrun = (['deferTaskrun', 'coopTaskrun', 'taskrunFlag'] as const).find((key) => loop[key])
    if (taskrun)
      throw refusedSwitch(
        label[taskrun],
        `the kernel refuses it on an SQPOLL ring (its SQ thread, not the loop, issues): leave out ${ref(label.sqpoll)} or this`,
      )
  }
  const idle = SETTING.sqpollIdle
  if (loop.sqpollIdleNs !== undefined && (loop.sqpollIdleNs < idle.min || loop.sqpollIdleNs > idle.max)) {
    throw invalidValue(
      label.sqpollIdle,
      durationInput(loop.sqpollIdleNs),
      `use ${durationInput(idle.min)} to ${durationInput(idle.max)} (the kernel counts it in whole milliseconds)`,
    )
  }
  if (loop.sqpollCpu !== undefined) checkAllowedCpu(loop.sqpollCpu, label)
  if (loop.cqSize !== undefined) checkCqSize(loop.cqSize, loop, drive, vs, streams, label)
}

/** The CPUs this process may run on (its affinity), from /proc/self/status; every online CPU if unreadable. */
function allowedCpus(): number[] {
  const match = /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileOr('/proc/self/status'))
  if (!match) return Array.from({length: os.availableParallelism()}, (_, cpu) => cpu)
  return match[1].split(',').flatMap((range) => {
    const [first, last = first] = range.split('-').map(Number)
    return Array.from({length: last - first + 1}, (_, index) => first + index)
  })
}

function readFileOr(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

/** The SQ thread can be pinned only to a CPU this process may use (the kernel refuses others). */
function checkAllowedCpu(cpu: number, label: FieldLabels): void {
  const allowed = allowedCpus()
  if (!allowed.includes(cpu)) throw invalidValue(label.sqpollCpu, cpu, `use a CPU this process may run on: ${allowed.join(', ')}`)
}

/** The CQ must hold at least the SQ entries of every ring the run makes: the loop's, and the raw baseline's. */
function checkCqSize(
  cqSize: number,
  loop: WorkloadSpec['loop'],
  drive: DriveSpec,
  vs: readonly string[],
  streams: boolean,
  label: FieldLabels,
): void {
  const perOp = loop.opTimeoutNs === undefined ? 1 : 2
  // The loop rounds its size up to a power of two; the raw ring holds every submitter's depth,
  // with an SQ entry per slot besides to arm its multishot receive.
  const rings = [{what: "the loop's ring", entries: nextPowerOfTwo(loop.ringSize) * perOp}]
  if (vs.includes('raw')) {
    const perSlot = perOp + (streams ? 1 : 0)
    rings.push({
      what: 'the raw ring',
      entries: nextPowerOfTwo(Math.min(drive.submitters * drive.depth, Math.floor(MAX_RING_ENTRIES / perSlot)) * perSlot),
    })
  }
  const largest = rings.reduce((a, b) => (b.entries > a.entries ? b : a))
  const why =
    `the CQ must hold at least the ${largest.entries} SQ entries of ${largest.what}` +
    (perOp === 2 ? ' (two per op with an op timeout)' : '')
  // Below the ring's entries the range shown starts there; otherwise it is the table's.
  checkRange('cqSize', cqSize, label, undefined, undefined, cqSize < largest.entries ? largest.entries : undefined, why)
}

/** Applies the defaults and checks every rule: the one way flags and profiles become a WorkloadSpec. */
export function toWorkloadSpec(input: WorkloadInput, label: FieldLabels): WorkloadSpec {
  const op = orDefault(input, 'op')
  const partial = {op: op as OpName, mix: input.mix}
  const kinds = (OPS as readonly string[]).includes(op) ? kindsOf(partial) : []
  const notFor = (group: HelpGroup, applies: boolean, what: string): void => {
    if (applies) return
    const given = settingsIn(group).find((key) => input[key] !== undefined && input[key] !== false)
    if (!given) return
    const allowed = `it applies to ${what} only`
    throw input[given] === true ? refusedSwitch(label[given], allowed) : invalidValue(label[given], textOf(input[given]), allowed)
  }
  notFor('FILE', usesFile(partial), 'file workloads (file-read, file-write, or a mix with them)')
  notFor('SOCKET', kinds.includes('socket'), 'socket workloads (socket, or a mix with it)')
  // 0 ops would silently mean "use the duration": refuse it as a duration of 0 is refused.
  if (input.ops !== undefined && input.ops < 1) {
    throw invalidValue(label.ops, input.ops, `run at least 1 measured op (or give ${ref(label.duration)})`)
  }
  const rate = input.rate
  const depth =
    (kinds.includes('socket') ? depthWithConnections(input.depth, input.connections, label) : input.depth) ??
    (rate === undefined ? 1 : DEFAULT_OPEN_LOOP_DEPTH)
  const drive: DriveSpec = {
    submitters: orDefault(input, 'submitters'),
    depth,
    durationNs: input.ops === undefined ? orDefault(input, 'duration') : 0,
    ops: input.ops ?? 0,
    warmupNs: orDefault(input, 'warmup'),
    design: orDefault(input, 'design') as DesignName,
    ...(input.idle ? {idleNs: input.idle} : {}),
    ...(rate === undefined ? {} : {rate, arrivals: (input.arrivals ?? SETTING.arrivals.default) as ArrivalsName}),
  }
  if (rate === undefined && input.arrivals !== undefined) drive.arrivals = input.arrivals as ArrivalsName
  const spec: WorkloadSpec = {
    name: input.name,
    op: op as OpName,
    timerNs: orDefault(input, 'timer'),
    ...(input.mix ? {mix: input.mix} : {}),
    loop: {
      ringSize: input.ringSize ?? defaultRingSize(drive, input.opTimeout !== undefined, input.multishotRecv === true),
      ioPoll: input.ioPoll ?? false,
      singleIssuer: input.singleIssuer ?? false,
      opTimeoutNs: input.opTimeout,
      shutdownTimeoutNs: input.shutdownTimeout,
      wait: waitOf(input, label),
      ...(input.submitBatch !== undefined ? {submitBatch: input.submitBatch} : {}),
      ...wakeOf(input, drive.design, label),
      ...ringKnobsOf(input),
    },
    drive,
    vs: (input.vs ?? [...SETTING.vs.default]) as BaselineName[],
  }
  if (usesFile(partial)) {
    spec.file = {
      ...(input.file === undefined ? {} : {path: input.file}),
      // A user's file is used whole unless a size is given (0 here: resolved when it is opened).
      sizeBytes: input.fileSize ?? (input.file === undefined ? SETTING.fileSize.default : 0),
      blockSize: orDefault(input, 'blockSize'),
      random: input.random ?? false,
      direct: input.direct ?? false,
      fsyncEvery: input.fsyncEvery ?? 0,
      writevBuffers: input.writevBuffers ?? 0,
      ...(input.fixedFiles ? {fixedFiles: true as const} : {}),
      ...(input.fixedBuffers ? {fixedBuffers: true as const} : {}),
    }
  }
  if (kinds.includes('socket')) {
    spec.socket = {
      transport: orDefault(input, 'transport') as TransportName,
      messageSize: orDefault(input, 'messageSize'),
      ...(input.sendZc ? {sendZc: true as const} : {}),
      ...(input.multishotRecv
        ? {
            multishotRecv: {
              buffers: input.recvBuffers ?? DEFAULT_RECV_BUFFERS,
              bufferSize: input.recvBufferSize ?? orDefault(input, 'messageSize'),
            },
          }
        : {}),
    }
  }
  if (!input.multishotRecv) {
    // Each sizes the buffer ring of a multishot receive: alone it would silently do nothing.
    for (const key of ['recvBuffers', 'recvBufferSize'] as const) {
      if (input[key] !== undefined) {
        throw invalidValue(label[key], input[key], `it sizes the buffer ring of ${ref(label.multishotRecv)}: give that too`)
      }
    }
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
