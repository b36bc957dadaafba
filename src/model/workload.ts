// A workload as data: what to run, through which loop configuration, driven how, compared with
// which baselines (built and checked by src/settings/workload.ts, by the rules of the settings table).

import {OP_KINDS} from './ops.generated.js'

/** The native core's kinds of op, or a mix of them. */
export const OPS = [...OP_KINDS, 'mix'] as const

export type OpName = (typeof OPS)[number]

/** The kinds a mix can be made of. */
export const MIX_KINDS = OP_KINDS

export type KindName = (typeof MIX_KINDS)[number]

export const BASELINES = ['raw', 'fio', 'node-fs', 'node-fs-uring'] as const

export type BaselineName = (typeof BASELINES)[number]

export type SystemName = 'loop' | BaselineName

export const TRANSPORTS = ['unix', 'tcp'] as const

export type TransportName = (typeof TRANSPORTS)[number]

/** How submitters wake a sleeping loop (native/core/loop/waker.h has each mechanism). */
export const WAKE_MECHANISMS = ['eventfd', 'futex', 'msg-ring', 'futex-op', 'busy-poll'] as const

export type WakeMechanism = (typeof WAKE_MECHANISMS)[number]

/**
 * The tool's choice where a workload names none, and the loop's (LoopConfig in loop.h): on the
 * shipped profiles futex + adaptive came within 10 % of the best of the sleep, fixed-spin and
 * eventfd combinations (ahead on 4 of 6) without burning an idle core (README: Choosing how to
 * wake and wait). A workload's spec always records the wake and wait it ran with, so a result
 * made before this default says so.
 */
export const DEFAULT_WAKE: WakeMechanism = 'futex'

export const ARRIVALS = ['uniform', 'poisson'] as const

export type ArrivalsName = (typeof ARRIVALS)[number]

/**
 * Where the loop's submitters run: on threads of their own that hand ops to the loop's thread,
 * or each as the driver of a loop of its own, on that loop's thread (no hand-off, no wake).
 */
export const DESIGNS = ['cross-thread', 'same-thread'] as const

export type DesignName = (typeof DESIGNS)[number]

export type WaitKind = 'sleep' | 'spin' | 'adaptive'

/** The default wait strategy (see DEFAULT_WAKE), at its default maximum spin. */
export const DEFAULT_WAIT: WaitKind = 'adaptive'

/** How the loop and its submitters wait for work (native/core/loop/wait_strategy.h). */
export interface WaitSpec {
  kind: WaitKind
  /** spin: how long each wait spins before it blocks; adaptive: the most its learned budget grows to; sleep: 0. */
  spinNs: number
}

export interface LoopSpec {
  /** Waiter and queue capacity; rounded up to a power of two by the loop. */
  ringSize: number
  ioPoll: boolean
  singleIssuer: boolean
  opTimeoutNs?: number
  shutdownTimeoutNs?: number
  /** How the loop and its submitters wait for work (absent only in results made before the default became adaptive: sleep). */
  wait?: WaitSpec
  /** Submit staged ops after at most this many (absent: all that are queued, then submit). */
  submitBatch?: number
  /** How submitters wake the loop when it sleeps (absent: same-thread, which has no wake; in results made before the default became futex: eventfd). */
  wake?: WakeMechanism
  // Ring knobs, on the loop's ring and the raw baseline's alike; each absent when off. In results
  // made before they came, singleIssuer meant SINGLE_ISSUER|DEFER_TASKRUN.
  /** SINGLE_ISSUER|DEFER_TASKRUN. */
  deferTaskrun?: true
  coopTaskrun?: true
  /** COOP_TASKRUN|TASKRUN_FLAG. */
  taskrunFlag?: true
  sqpoll?: true
  /** With sqpoll: the SQ thread's idle time before it sleeps. */
  sqpollIdleNs?: number
  /** With sqpoll: the CPU the SQ thread is pinned to. */
  sqpollCpu?: number
  /** CQ entries (CQSIZE). */
  cqSize?: number
  submitAll?: true
  /** NO_SQARRAY: no SQ index array, the tail indexes the SQEs. */
  noSqarray?: true
  /** The ring's fd registered (REGISTER_RING_FDS) and entered through its index. */
  ringFd?: true
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
  /** Where the submitters run (absent: cross-thread). */
  design?: DesignName
  /** The loop only: after the measured phase it stays up this long with nothing to do, and the process's CPU over that window is reported (absent: not measured). */
  idleNs?: number
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
  /** The file is in the ring's registered file table and ops name it by index; absent when not. */
  fixedFiles?: true
  /** Reads and writes are READ_FIXED / WRITE_FIXED into a registered buffer per op in flight; absent when not. */
  fixedBuffers?: true
}

export interface SocketWorkloadSpec {
  transport: TransportName
  messageSize: number
  /** Sends are SEND_ZC, each ended by its notification CQE; absent when not. */
  sendZc?: true
  /**
   * Each connection receives through one multishot RECV armed for the whole run, from a provided
   * buffer ring of `buffers` buffers of `bufferSize` bytes; absent: a RECV per message.
   */
  multishotRecv?: {buffers: number; bufferSize: number}
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
