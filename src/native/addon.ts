// The one typed wrapper over the native addon. Everything else in src/ talks to the native core
// through this file.
//
// The addon is loaded on first use, so commands that do not need it (help, report) start even
// where it cannot load; when it cannot, the error says why and what to do (exit 3).

import {createRequire} from 'node:module'
import {fileURLToPath} from 'node:url'

import {EnvironmentError} from '../errors.js'

export type NativeSystem = 'loop' | 'raw'
export type NativeOp = 'nop' | 'timer'

export interface NativeLoopConfig {
  size: number
  ioPoll: boolean
  singleIssuer: boolean
  opTimeoutNs?: number
  shutdownTimeoutNs?: number
}

export interface NativeDrive {
  submitters: number
  depth: number
  /** Measured phase length; ignored when `ops` > 0. */
  durationNs: number
  ops: number
  warmupNs: number
}

export interface NativeBenchRequest {
  system: NativeSystem
  loop: NativeLoopConfig
  workload: {op: NativeOp; timerNs?: number}
  drive: NativeDrive
  progressIntervalMs?: number
}

/** Loop counters by report name (see native/core/counters.h), plus the pendingOperations gauge. */
export type NativeCounters = Record<string, number>

export interface NativeProgress {
  elapsedNs: number
  measuring: boolean
  opsEnded: number
  counters: NativeCounters
}

export interface NativeError {
  call: string
  errno: number
  /** errno name, e.g. "EINVAL"; empty when the cause is not an errno */
  code: string
  detail: string
  message: string
}

export interface NativeStats {
  ops: number
  expected: number
  timedOut: number
  abandoned: number
  /** Results other than the op's normal one, by value (e.g. "-22": 3). */
  unexpected: Record<string, number>
  elapsedNs: number
  allOps: number
  cpu: {userNs: number; systemNs: number}
  interrupted: boolean
  latency: {
    count: number
    minNs: number
    maxNs: number
    /** Non-empty histogram buckets as [lowest value, count, ...] in HdrHistogram's layout. */
    buckets: Float64Array
  }
}

export interface NativeRing {
  sqEntries: number
  cqEntries: number
  setupFlags: number
  setupFlagNames: string
  features: number
}

export interface NativeBenchResult {
  stats: NativeStats
  counters: NativeCounters
  ring: NativeRing
  error: NativeError | null
}

export interface BenchJob {
  result: Promise<NativeBenchResult>
  /** Asks the run to stop issuing ops; `result` then resolves with what was measured. */
  cancel(): void
}

/** A system call's outcome in the raw probe: errno and its name are null when ok. */
export interface RawOutcome {
  ok: boolean
  errno: number | null
  error: string | null
}

/** One io_uring_setup on a real ring (schemas/raw-probe.schema.json `$defs.setupTrial`). */
export interface RawSetupTrial extends RawOutcome {
  flags: number
  /** e.g. 'SINGLE_ISSUER|DEFER_TASKRUN', or 'none' */
  flagNames: string
  entries: number
  cqEntries: number | null
  granted: {sqEntries: number; cqEntries: number} | null
}

export interface RawNumberedName {
  op: number
  name: string
}

export interface RawBehaviourTest {
  ringFlags: number
  ringFlagNames: string
  ring: RawOutcome
  events: Array<{what: string; result: number; resultName: string | null; flags: number; more: boolean}>
  works: boolean
  detail: string
  elapsedUs: number
}

export type RawLimit = number | 'unlimited'

/**
 * The raw kernel probe, rawProbeVersion 1: facts from real tests on one kernel, as the addon and
 * the static iouring-probe print them. schemas/raw-probe.schema.json describes every field.
 */
export interface RawProbe {
  rawProbeVersion: 1
  elapsedUs: number
  build: {headerOpLast: number; namedSetupFlags: number; namedFeatures: number; namedOpcodes: number; namedRegisterOps: number}
  kernel: {sysname: string; release: string; version: string; machine: string; versionSignature: string | null}
  environment: {
    ioUringDisabled: number | null
    ioUringGroup: number | null
    seccompMode: number | null
    seccompFilters: number | null
    noNewPrivs: boolean | null
    capEff: string | null
    capSysAdmin: boolean | null
    capSysNice: boolean | null
    capIpcLock: boolean | null
    uid: number
    euid: number
    gid: number
    egid: number
    groups: number[]
    memlock: {soft: RawLimit; hard: RawLimit}
  }
  setup: RawSetupTrial
  features: {mask: number; names: string[]} | null
  query: RawOutcome & {
    nrRequestOpcodes?: number
    nrRegisterOpcodes?: number
    featureFlags?: number
    featureNames?: string[]
    ringSetupFlags?: number
    ringSetupFlagNames?: string[]
    enterFlags?: number
    sqeFlags?: number
  }
  setupTrials: RawSetupTrial[]
  opcodes: (RawOutcome & {lastOp: number; opsLen: number; supported: RawNumberedName[]}) | null
  registerOps: {
    byQuery: number | null
    byRestrictions: number | null
    restrictions: RawOutcome | null
    elapsedUs: number
    known: RawNumberedName[]
  }
  behaviour: {
    multishotPoll: RawBehaviourTest | null
    multishotPollSingleIssuer: RawBehaviourTest | null
    extArgWait: RawBehaviourTest | null
    linkTimeout: RawBehaviourTest | null
    iopollPollAdd: RawBehaviourTest | null
  }
  errors: string[]
}

interface Addon {
  runBench(
    request: NativeBenchRequest,
    onProgress?: (progress: NativeProgress) => void,
  ): {promise: Promise<NativeBenchResult>; cancel(): void}
  probeKernel(): Promise<string>
  loopCounterInfo(): Array<{name: string; help: string}>
  build: {countersEnabled: boolean}
}

let addon: Addon | undefined

function load(): Addon {
  if (addon) return addon
  if (process.platform !== 'linux') {
    throw new EnvironmentError(
      `io_uring is Linux-only; this is ${process.platform}, so the native loop cannot run here`,
    )
  }
  const nativeDir = process.env.IOURING_BENCH_NATIVE_DIR ?? fileURLToPath(new URL('../../native', import.meta.url))
  const require = createRequire(import.meta.url)
  try {
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => Addon
    addon = nodeGypBuild(nativeDir)
    return addon
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error)
    throw new EnvironmentError(
      `the native addon could not be loaded (${reason}); build it with 'npm run build:native' ` +
        `(needs g++, make, python3 and liburing-dev)`,
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

export function addonBuild(): {countersEnabled: boolean} {
  return load().build
}
