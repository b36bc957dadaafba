// What a run needs of the process's limits: descriptors (sockets, files, rings) and address
// space (threads, slots, buffers), estimated from its spec. Checked before anything runs, so a
// limit too low ends in one line naming it, not in EMFILE, std::bad_alloc or V8's own abort; and
// used again to explain a native failure that a limit caused anyway.

import {availableParallelism} from 'node:os'

import type {EnvironmentError} from '../errors.js'
import {DESCRIPTORS_TO_START, type Limit, limitTooLow, MIB, NODE_ADDRESS_SPACE, readLimit} from '../limits.js'
import type {NativeError} from '../model/native.js'
import type {WorkloadSpec} from '../model/workload.js'
import {kindsOf, MAX_RING_ENTRIES} from './spec.js'

/**
 * Descriptors the process holds once its modules are loaded (stdio, libuv's epoll and eventfds,
 * the addon, a baseline's pipes or worker): measured at 20, with room.
 */
const DESCRIPTORS_AT_REST = 24
/** The loop's ring and its eventfd; the raw baseline has the ring only. */
const LOOP_DESCRIPTORS = 2
/** Each native thread's stack: glibc's default, from RLIMIT_STACK. */
const STACK_BYTES = 8 * MIB
/**
 * The malloc arena glibc gives a new thread when the address space allows (64 MiB; it reserves
 * twice that for a moment while aligning one). Under a tight RLIMIT_AS glibc would share arenas
 * instead, but the arenas it does map race V8 for the rest, so they are counted as needed.
 */
const ARENA_BYTES = 64 * MIB
/** Room for V8's heap to grow while the run reports (measured: tens of MiB). */
const JS_HEADROOM_BYTES = 32 * MIB
/** Per in-flight slot: ring entries, waiters, the op, its completion (measured: about 2.3 KiB). */
const SLOT_BYTES = 3 * 1024

/** Slots each system keeps in flight: the loop per submitter, the raw ring in one thread. */
function slots(spec: WorkloadSpec): {loop: number; raw: number} {
  const perOp = spec.loop.opTimeoutNs === undefined ? 1 : 2
  return {loop: spec.drive.depth, raw: Math.min(spec.drive.submitters * spec.drive.depth, MAX_RING_ENTRIES / perOp)}
}

/** Descriptors one submitter's op source opens for `slots` slots: two per connection, one per file. */
function sourceDescriptors(spec: WorkloadSpec, slotCount: number): number {
  return kindsOf(spec).reduce((sum, kind) => {
    if (kind === 'socket') return sum + 2 * slotCount + (spec.socket?.transport === 'tcp' ? 1 : 0)
    if (kind === 'file-read' || kind === 'file-write') return sum + 1
    return sum
  }, 0)
}

/** Descriptors the run holds at its peak: the loop's, or the raw ring's, whichever is more. */
export function descriptorsNeeded(spec: WorkloadSpec): number {
  const {loop, raw} = slots(spec)
  const loopNeeds = LOOP_DESCRIPTORS + spec.drive.submitters * sourceDescriptors(spec, loop)
  const rawNeeds = spec.vs.includes('raw') ? 1 + sourceDescriptors(spec, raw) : 0
  return Math.max(DESCRIPTORS_TO_START, DESCRIPTORS_AT_REST + Math.max(loopNeeds, rawNeeds))
}

/** Bytes a slot's op carries: its file block or socket message (a mix: the largest). */
function bufferBytes(spec: WorkloadSpec): number {
  return Math.max(
    0,
    ...kindsOf(spec).map((kind) =>
      kind === 'socket' ? (spec.socket?.messageSize ?? 0) : kind.startsWith('file-') ? (spec.file?.blockSize ?? 0) : 0,
    ),
  )
}

/** The loop's native threads: the run's own, the loop's and each submitter's. */
function loopThreads(spec: WorkloadSpec): number {
  return 2 + spec.drive.submitters
}

/**
 * Address space the run adds to this process: stacks and malloc arenas of its threads, slots,
 * buffers (node-fs runs in a Node process of its own).
 */
export function addressSpaceNeeded(spec: WorkloadSpec): number {
  const {loop} = slots(spec)
  const slotBytes = spec.drive.submitters * loop * (SLOT_BYTES + bufferBytes(spec))
  return threadsAddressSpace(loopThreads(spec)) + slotBytes
}

/**
 * Native threads' stacks and arenas, with room for V8's heap beside them. glibc makes at most
 * 8 arenas per CPU; the one beyond the threads is the moment an arena is aligned.
 */
function threadsAddressSpace(threads: number): number {
  const arenas = Math.min(threads + 1, 8 * availableParallelism())
  return threads * STACK_BYTES + JS_HEADROOM_BYTES + arenas * ARENA_BYTES
}

function needsText(spec: WorkloadSpec): string {
  return `${loopThreads(spec)} threads, ${spec.drive.submitters * slots(spec).loop} ops in flight, a ring of ${spec.loop.ringSize}`
}

function descriptorError(spec: WorkloadSpec): EnvironmentError | null {
  const files = readLimit('RLIMIT_NOFILE')
  const needed = descriptorsNeeded(spec)
  return files && files.soft < needed ? limitTooLow('RLIMIT_NOFILE', files, needed, 'this run') : null
}

/** The address-space message for a run that adds `added` bytes to Node's own. */
function addressSpaceMessage(space: Limit, added: number, why: string): EnvironmentError {
  return limitTooLow('RLIMIT_AS', space, NODE_ADDRESS_SPACE + added, 'this run', why)
}

/**
 * Refused up front below what the run maps when it can (arenas included): above the bare
 * minimum glibc would make do by sharing arenas, but the arenas its threads take race V8 for the
 * rest, and V8 aborts the process when it loses (1 drill in 6 under 1.14 GiB did).
 */
function addressSpaceError(added: number, why: string): EnvironmentError | null {
  const space = readLimit('RLIMIT_AS')
  return space && space.soft < NODE_ADDRESS_SPACE + added ? addressSpaceMessage(space, added, why) : null
}

/** Throws an EnvironmentError naming the first limit too low for the largest of these runs. */
export function checkLimits(specs: WorkloadSpec[]): void {
  for (const spec of specs) {
    const error = descriptorError(spec) ?? addressSpaceError(addressSpaceNeeded(spec), needsText(spec))
    if (error) throw error
  }
}

/**
 * The limit behind a native failure of a run of `spec`, as one sentence, or null when no limit
 * explains it: out of descriptors (EMFILE), or memory or a thread refused under RLIMIT_AS.
 */
export function limitBehind(error: NativeError, spec: WorkloadSpec): string | null {
  if (error.code === 'EMFILE') return descriptorError(spec)?.message ?? null
  return addressSpaceBehind(error, addressSpaceNeeded(spec), needsText(spec))
}

/** Throws an EnvironmentError when RLIMIT_AS is too low for native work of `threads` threads and no slots to speak of (a drill round). */
export function checkThreadLimits(threads: number): void {
  const error = addressSpaceError(threadsAddressSpace(threads), `${threads} threads`)
  if (error) throw error
}

/** The same as limitBehind for such work. */
export function threadLimitBehind(error: NativeError, threads: number): string | null {
  return addressSpaceBehind(error, threadsAddressSpace(threads), `${threads} threads`)
}

/** Memory (ENOMEM) or a thread (EAGAIN from pthread_create) refused under a finite RLIMIT_AS. */
function addressSpaceBehind(error: NativeError, added: number, why: string): string | null {
  const refused = error.code === 'ENOMEM' || (error.code === 'EAGAIN' && error.call === 'pthread_create')
  const space = refused ? readLimit('RLIMIT_AS') : null
  return space && space.soft !== Infinity ? addressSpaceMessage(space, added, why).message : null
}
