// Runs a workload through the loop and then through each baseline, one after the other in the
// same process, so every figure has a ratio measured under the same conditions.

import {type NativeBenchRequest, type NativeBenchResult, type NativeProgress, runBench} from '../native/addon.js'
import type {BaselineName, WorkloadSpec} from './spec.js'

export type SystemName = 'loop' | BaselineName

export interface SystemRun {
  system: SystemName
  native: NativeBenchResult
}

export interface WorkloadRun {
  spec: WorkloadSpec
  systems: SystemRun[]
  interrupted: boolean
}

export interface ProgressEvent {
  workload: WorkloadSpec
  system: SystemName
  progress: NativeProgress
}

export interface RunOptions {
  onProgress?: (event: ProgressEvent) => void
  /** Aborting stops the current system early (its partial result is kept) and skips the rest. */
  signal?: AbortSignal
}

export function nativeRequest(spec: WorkloadSpec, system: SystemName): NativeBenchRequest {
  return {
    system: system === 'loop' ? 'loop' : 'raw',
    loop: {
      size: spec.loop.ringSize,
      ioPoll: spec.loop.ioPoll,
      singleIssuer: spec.loop.singleIssuer,
      opTimeoutNs: spec.loop.opTimeoutNs,
      shutdownTimeoutNs: spec.loop.shutdownTimeoutNs,
    },
    workload: {op: spec.op, timerNs: spec.timerNs},
    drive: {
      submitters: spec.drive.submitters,
      depth: spec.drive.depth,
      durationNs: spec.drive.durationNs,
      ops: spec.drive.ops,
      warmupNs: spec.drive.warmupNs,
    },
    progressIntervalMs: 250,
  }
}

export async function runWorkload(spec: WorkloadSpec, options: RunOptions = {}): Promise<WorkloadRun> {
  const run: WorkloadRun = {spec, systems: [], interrupted: false}
  for (const system of ['loop', ...spec.vs] as SystemName[]) {
    if (options.signal?.aborted) {
      run.interrupted = true
      break
    }
    const job = runBench(nativeRequest(spec, system), (progress) =>
      options.onProgress?.({workload: spec, system, progress}),
    )
    const cancel = (): void => job.cancel()
    options.signal?.addEventListener('abort', cancel, {once: true})
    try {
      const native = await job.result
      run.systems.push({system, native})
      if (native.stats.interrupted) run.interrupted = true
      // A loop the kernel refused leaves nothing to compare the baselines with.
      if (system === 'loop' && native.error) break
    } finally {
      options.signal?.removeEventListener('abort', cancel)
    }
  }
  return run
}
