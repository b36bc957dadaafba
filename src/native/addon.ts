// The one typed wrapper over the native addon. Everything else in src/ talks to the native core
// through this file.
//
// The addon is loaded on first use, so commands that do not need it (help, report) start even
// where it cannot load; when it cannot, the error says why and what to do (exit 3).

import {createRequire} from 'node:module'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import type {OP_KINDS} from '../model/ops.generated.js'
import {EnvironmentError} from '../errors.js'
import type {NativeSettings} from '../settings/table.js'
import type {NativeCounters, NativeDrillMode, NativeError, NativeHistogram, NativeLivenessResult, NativeProgress, NativeRing, RawProbe} from '../model/native.js'

export type NativeSystem = 'loop' | 'raw'
export type NativeOp = (typeof OP_KINDS)[number]

// The bench request is complete: every field is sent, null where a setting is unset (the native
// struct's default holds). The settings' fields and their types come from their rows of the
// settings table; benchRequestFields() lists the fields as the addon reads them.

export interface NativeBenchRequest {
  system: NativeSystem
  loop: NativeSettings['loop']
  workload: NativeSettings['workload'] & {
    /** Seeds the test data, random offsets, mix choices and arrivals. */
    seed: number | null
    file: NativeFile | null
    socket: NativeSettings['socket'] | null
  }
  drive: NativeSettings['drive']
  progressIntervalMs: number
}

/** The file the run laid out or opened, and how much of it the ops use. */
type NativeFile = NativeSettings['file'] & {
  path: string
  sizeBytes: number
  /** The file holds the tool's pattern (laid out with the workload's seed): check every read. */
  verify: boolean
}

/** How measured ops ended, for all ops or for one kind. */
export interface NativeOpStats {
  ops: number
  expected: number
  timedOut: number
  abandoned: number
  /** The right length, but not the bytes that were written. */
  corrupt: number
  /** Results other than the op's normal one, by value (e.g. "-22": 3). */
  unexpected: Record<string, number>
  bytes: number
  /** From each op's intended start (closed loop: its issue) to its end. */
  latency: NativeHistogram
  /** Open loop only: from each op's actual issue to its end. */
  service?: NativeHistogram
  /** Ops ended by their op timeout: how late the loop handled the -ETIMEDOUT past the deadline (submitted + timeout). */
  timeoutLateness: NativeHistogram
  /** ...handled before their deadline (a timeout that fired early). */
  timeoutsEarly: number
}

export interface NativeStats extends NativeOpStats {
  /** Per kind of op, when the workload has more than one (a mix, writes with fsyncs). */
  kinds: Array<NativeOpStats & {name: string}>
  /** Open loop: measured ops due while every in-flight slot was busy. */
  late: number
  /** Open loop: ops due in the measured phase but never issued. */
  missed: number
  /** Write workloads: the blocks written, read back after the run. */
  readBack: {blocks: number; corrupt: number; firstCorruptOffset: number; errno: number; code: string}
  elapsedNs: number
  allOps: number
  /** Every op handed to the loop (the raw ring), warm-up included. */
  issued: number
  /**
   * ioThreadsNs: of systemNs, io_uring's kernel threads the run's rings made (SQPOLL, io-wq).
   * Context switches of the system's own threads; instructions and cycles of every thread of the
   * run, or the errno name of the perf_event_open that failed.
   */
  cpu: NativeCpu
  interrupted: boolean
}

export interface NativeCpu {
  userNs: number
  systemNs: number
  ioThreadsNs: number
  voluntarySwitches: number
  involuntarySwitches: number
  instructions?: number
  cycles?: number
  /** Kernel mode not allowed (perf_event_paranoid): user mode alone counted. */
  hardwareUserOnly?: boolean
  /** Of the time the counters were enabled, the share they counted (below 1: multiplexed, scaled). */
  hardwareCountedShare?: number
  hardwareCountersError?: string
}

export interface NativeBenchResult {
  stats: NativeStats
  counters: NativeCounters
  ring: NativeRing
  /** The loop, when the run measured an idle window: the process's CPU over it. */
  idle: {windowNs: number; userNs: number; systemNs: number} | null
  error: NativeError | null
}

interface BenchJob {
  result: Promise<NativeBenchResult>
  /** Asks the run to stop issuing ops; `result` then resolves with what was measured. */
  cancel(): void
}

/** Complete like the bench request: every field is sent, null where DrillSpec's default holds (drillRequestFields() lists them). */
export interface NativeDrillRequest {
  rounds: number
  seed: number
  /** 0: a random power of two from 1 to 256 per round. */
  ringSize: number
  /** 0: a random number from 1 to 4 per round. */
  submitters: number
  /** Round r shuts down with the r-th (cyclically); null waits for every op. */
  shutdownTimeoutsNs: Array<number | null>
  /** Each round picks one; null: no op timeout. */
  opTimeoutsNs: Array<number | null>
  ops: NativeOp[]
  /** Each requester issues from 1 to this many ops before it drops its handle. */
  maxOpsPerSubmitter: number | null
  /** Timer ops of a round last a random time up to this. */
  maxTimerNs: number | null
  roundDeadlineNs: number
  /** The file ops' scratch file goes in a fresh directory under this one. */
  scratchDir: string
}

export interface NativeDrillResult {
  modes: NativeDrillMode[]
  roundsRun: number
  hungRounds: number
  missingEnds: number
  repeatedEnds: number
  unexpectedEnds: number
  countMismatches: number
  abandonedHandedBack: number
  /** The first few failed checks; `roundSeed` is a decimal string (64 bits). */
  failures: Array<{round: number; roundSeed: string; what: string}>
  /** Descriptors open in the process before and after the drill (-1: not counted). */
  fdsBefore: number
  fdsAfter: number
  loopLeftRunning: boolean
  interrupted: boolean
  error: NativeError | null
}

interface NativeDrillProgress {
  roundsDone: number
  rounds: number
  ops: number
}

interface DrillJob {
  result: Promise<NativeDrillResult>
  /** Stops the drill after the round under way; `result` then has the rounds run. */
  cancel(): void
}

interface Addon {
  runShutdownDrill(
    request: NativeDrillRequest,
    onProgress?: (progress: NativeDrillProgress) => void,
  ): {promise: Promise<NativeDrillResult>; cancel(): void}
  runLiveness(request: {opTimeoutNs: number; watchdogNs: number}): Promise<NativeLivenessResult>
  runBench(
    request: NativeBenchRequest,
    onProgress?: (progress: NativeProgress) => void,
  ): {promise: Promise<NativeBenchResult>; cancel(): void}
  probeKernel(): Promise<string>
  loopCounterInfo(): Array<{name: string; help: string}>
  benchRequestFields(): string[]
  drillRequestFields(): string[]
  layOutTestFile(path: string, sizeBytes: number, seed: number): {promise: Promise<void>; cancel(): void}
  testFileInfo(path: string): TestFileInfo
  probeDirectRead(path: string, blockSize: number): NativeFileError | null
  pageCacheResidency(path: string, sizeBytes: number): number
}

/** A failed call on a test file: an Error shaped like Node's fs errors. */
export interface NativeFileError extends Error {
  code: string
  errno: number
  syscall: string
  path: string
}

interface TestFileInfo {
  /** Size of the regular file, or of the block device. */
  sizeBytes: number
  /** The file system holding it (statfs), e.g. "ext4", "tmpfs". */
  filesystem: string
}

let addon: Addon | undefined

function load(): Addon {
  if (addon) return addon
  if (process.platform !== 'linux') {
    throw new EnvironmentError(
      `io_uring is Linux-only; this is ${process.platform}, so the native loop cannot run here`,
    )
  }
  const packageRoot = path.resolve(fileURLToPath(new URL('../..', import.meta.url)))
  const nativeDir = process.env.IOURING_BENCH_NATIVE_DIR ?? path.join(packageRoot, 'native')
  const require = createRequire(import.meta.url)
  try {
    // The prebuilt addon in native/prebuilds/ when it fits this machine, else a source build.
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => Addon
    addon = nodeGypBuild(nativeDir)
    return addon
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
    // The package's own install script builds it: the one command that works for a clone, a
    // project dependency, a global install and npx alike (npm 11 skips dependencies' scripts).
    throw new EnvironmentError(
      `the native addon could not be loaded (${reason}); build it from source with ` +
        `'npm run install --prefix ${packageRoot}' (needs g++, make, python3, pkg-config and liburing-dev)`,
    )
  }
}

/** Starts one benchmark on a native thread; the JS thread stays free. */
export function runBench(
  request: NativeBenchRequest,
  onProgress?: (progress: NativeProgress) => void,
): BenchJob {
  const job = load().runBench(request, (progress) => {
    try {
      onProgress?.(progress)
    } catch {
      // A failing progress display must not take the run down with it.
    }
  })
  return {result: job.promise, cancel: () => job.cancel()}
}

/** Starts a shutdown drill on a native thread of its own (its rounds run on threads of theirs). */
export function runShutdownDrill(request: NativeDrillRequest, onProgress?: (progress: NativeDrillProgress) => void): DrillJob {
  const job = load().runShutdownDrill(request, (progress) => {
    try {
      onProgress?.(progress)
    } catch {
      // A failing progress display must not take the drill down with it.
    }
  })
  return {result: job.promise, cancel: () => job.cancel()}
}

/**
 * The seed's size-2 liveness scenario, without and then with op timeouts (a few hundred ms, off
 * the JS thread). Rejects with an EnvironmentError when its sockets cannot be made.
 */
export async function runLiveness(request: {opTimeoutNs: number; watchdogNs: number}): Promise<NativeLivenessResult> {
  try {
    return await load().runLiveness(request)
  } catch (error) {
    if (error instanceof EnvironmentError) throw error
    throw new EnvironmentError(`the liveness scenario could not set up its sockets: ${(error as Error).message}`)
  }
}

/**
 * Probes this kernel (about 20 ms, on libuv's pool: the JS thread stays free). Never rejects for
 * what the kernel refuses; that is what the result reports.
 */
export async function probeKernel(): Promise<RawProbe> {
  return JSON.parse(await load().probeKernel()) as RawProbe
}

/** Every loop counter's report name and meaning, in the order the core declares them. */
export function loopCounterInfo(): Array<{name: string; help: string}> {
  return load().loopCounterInfo()
}

/** Every field of the bench request as the addon reads it, `group.name` (the request's own bare). */
export function benchRequestFields(): string[] {
  return load().benchRequestFields()
}

/** Every field of the drill request as the addon reads it. */
export function drillRequestFields(): string[] {
  return load().drillRequestFields()
}

/**
 * Creates `path` holding `sizeBytes` of the tool's self-describing pattern for `seed`, synced so
 * it sits clean in the page cache; rejects with a NativeFileError (removing what it created),
 * also when `signal` is aborted (code ECANCELED; the layout stops within a MiB).
 */
export async function layOutTestFile(path: string, sizeBytes: number, seed: number, signal?: AbortSignal): Promise<void> {
  const job = load().layOutTestFile(path, sizeBytes, seed)
  await cancelledBy(signal, job.promise, () => job.cancel())
}

/** Awaits a native job's `outcome`, cancelling the job when `signal` is (or already was) aborted. */
export async function cancelledBy<T>(signal: AbortSignal | undefined, outcome: Promise<T>, cancel: () => void): Promise<T> {
  if (signal?.aborted) cancel()
  signal?.addEventListener('abort', cancel, {once: true})
  try {
    return await outcome
  } finally {
    signal?.removeEventListener('abort', cancel)
  }
}

/** Size and file system of a regular file or block device; throws a NativeFileError. */
export function testFileInfo(path: string): TestFileInfo {
  return load().testFileInfo(path)
}

/** Why `path` cannot be read with O_DIRECT in `blockSize` blocks, or null when it can. */
export function probeDirectRead(path: string, blockSize: number): NativeFileError | null {
  return load().probeDirectRead(path, blockSize)
}

/** The share (0..1) of the file's first `sizeBytes` in the page cache. */
export function pageCacheResidency(path: string, sizeBytes: number): number {
  return load().pageCacheResidency(path, sizeBytes)
}
