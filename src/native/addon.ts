// The one typed wrapper over the native addon. Everything else in src/ talks to the native core
// through this file.
//
// The addon is loaded on first use, so commands that do not need it (help, report) start even
// where it cannot load; when it cannot, the error says why and what to do (exit 3).

import {createRequire} from 'node:module'
import path from 'node:path'
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

interface Addon {
  runBench(
    request: NativeBenchRequest,
    onProgress?: (progress: NativeProgress) => void,
  ): {promise: Promise<NativeBenchResult>; cancel(): void}
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

/** Every loop counter's report name and meaning, in the order the core declares them. */
export function loopCounterInfo(): Array<{name: string; help: string}> {
  return load().loopCounterInfo()
}

export function addonBuild(): {countersEnabled: boolean} {
  return load().build
}
