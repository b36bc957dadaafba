// Runs a workload through the loop and then through each baseline, one after the other in the
// same process and on the same file, so every figure has a ratio measured under the same
// conditions.

import type {NativeProgress} from '../model/native.js'
import type {ProgressEvent} from '../model/progress.js'
import type {SystemName, WorkloadSpec} from '../model/workload.js'
import {cancelledBy, type NativeBenchRequest, type NativeBenchResult, runBench} from '../native/addon.js'
import type {MeasuredBaseline} from './baseline.js'
import {nativeSettings} from '../settings/table.js'
import {FIO_MISSING, fioVersion, runFio} from './fio.js'
import {runNodeFs} from './node-fs.js'
import {usesFile} from './spec.js'
import {openTestFile, releaseTestFile, type TestFile} from './test-file.js'

export interface SystemRun {
  system: SystemName
  /** The loop and the raw ring. */
  native?: NativeBenchResult
  /** fio and node-fs. */
  measured?: MeasuredBaseline
  /** Why this baseline did not run; the run went on without it. */
  skipped?: string
  /** Why this baseline failed. */
  failed?: string
  /** The loop and the raw ring: where the run stood at the end of each window (the timeline). */
  windows?: WindowEnd[]
}

/** Ops and bytes ended since the system started (warm-up included), at `elapsedNs`. */
export type WindowEnd = Pick<NativeProgress, 'elapsedNs' | 'measuring' | 'opsEnded' | 'bytesEnded'>

export interface WorkloadRun {
  spec: WorkloadSpec
  systems: SystemRun[]
  /** The file of a file workload; `removed` once the tool has removed its own. */
  file?: TestFile & {removed: boolean}
  interrupted: boolean
}

interface RunOptions {
  onProgress?: (event: ProgressEvent) => void
  /** Aborting stops the current system early (its partial result is kept) and skips the rest. */
  signal?: AbortSignal
}

/** The progress line is a per-second line, like t/io_uring's. */
const DISPLAY_INTERVAL_NS = 1e9
/** About this many windows make a run's throughput timeline: fine enough to show a stall or a
 * drift, never finer than 20 ms (scheduler noise) nor coarser than the progress line's second.
 * A run of N ops has no length to divide: it gets the finest, 20 ms (result.ts merges a long run's). */
const TIMELINE_WINDOWS = 50
const MIN_WINDOW_MS = 20

function windowMs(spec: WorkloadSpec): number {
  if (spec.drive.ops > 0) return MIN_WINDOW_MS
  const runMs = (spec.drive.durationNs + spec.drive.warmupNs) / 1e6
  return Math.min(1000, Math.max(MIN_WINDOW_MS, Math.round(runMs / TIMELINE_WINDOWS)))
}

/**
 * The native request: every field the addon reads (its benchRequestFields), null where a setting
 * is unset so the native struct's default holds. The settings come from their rows of the table;
 * the rest is the request's frame and what the run resolves.
 */
export function nativeRequest(spec: WorkloadSpec, system: 'loop' | 'raw', file?: TestFile): NativeBenchRequest {
  const settings = nativeSettings(spec)
  return {
    system,
    loop: settings.loop,
    workload: {
      ...settings.workload,
      seed: spec.seed ?? null,
      socket: spec.socket ? settings.socket : null,
      // The file the run laid out or opened, and how much of it the ops use.
      file: spec.file && file ? {...settings.file, path: file.path, sizeBytes: file.sizeBytes, verify: file.createdByTool} : null,
    },
    drive: settings.drive,
    progressIntervalMs: windowMs(spec),
  }
}

async function runNative(spec: WorkloadSpec, system: 'loop' | 'raw', file: TestFile | undefined, options: RunOptions): Promise<SystemRun> {
  const windows: WindowEnd[] = []
  let shownNs = -Infinity
  const job = runBench(nativeRequest(spec, system, file), (progress) => {
    const {elapsedNs, measuring, opsEnded, bytesEnded} = progress
    windows.push({elapsedNs, measuring, opsEnded, bytesEnded})
    // The progress line keeps its per-second rate however fine the timeline's windows are.
    if (elapsedNs - shownNs < DISPLAY_INTERVAL_NS) return
    shownNs = elapsedNs
    options.onProgress?.({workload: spec, system, progress})
  })
  return {system, native: await cancelledBy(options.signal, job.result, () => job.cancel()), windows}
}

async function runBaseline(
  spec: WorkloadSpec,
  system: Exclude<SystemName, 'loop' | 'raw'>,
  file: TestFile,
  options: RunOptions,
): Promise<SystemRun> {
  if (system === 'fio' && (await fioVersion()) === undefined) return {system, skipped: FIO_MISSING}
  const run =
    system === 'fio' ? await runFio(spec, file, options.signal) : await runNodeFs(spec, file, system === 'node-fs-uring', options.signal)
  return {system, ...run}
}

export async function runWorkload(spec: WorkloadSpec, options: RunOptions = {}): Promise<WorkloadRun> {
  const run: WorkloadRun = {spec, systems: [], interrupted: false}
  let file: TestFile | undefined
  try {
    file = usesFile(spec) ? await openTestFile(spec, options.signal) : undefined
  } catch (error) {
    // Interrupted while the file was laid out: nothing ran.
    if (!options.signal?.aborted) throw error
    run.interrupted = true
    return run
  }
  if (file) run.file = {...file, removed: false}
  try {
    for (const system of ['loop', ...spec.vs] as SystemName[]) {
      if (options.signal?.aborted) {
        run.interrupted = true
        break
      }
      const result =
        system === 'loop' || system === 'raw'
          ? await runNative(spec, system, file, options)
          : await runBaseline(spec, system, file!, options)
      run.systems.push(result)
      if (result.native?.stats.interrupted || result.measured?.interrupted) run.interrupted = true
      // A loop the kernel refused leaves nothing to compare the baselines with.
      if (system === 'loop' && result.native?.error) break
    }
  } finally {
    if (file) {
      releaseTestFile(file)
      run.file!.removed = file.createdByTool
    }
  }
  return run
}
