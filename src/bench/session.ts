// Runs a list of workloads the way every measuring command does: with the progress display,
// handling of SIGINT, SIGTERM and SIGHUP (stop, keep what was measured, exit 128 + the signal),
// and the result document at the end.

import {EnvironmentError, ToolError} from '../errors.js'
import {onInterrupt} from '../interrupt.js'
import type {ResultDocument} from '../model/result.js'
import type {WorkloadSpec} from '../model/workload.js'
import {progressDisplay} from '../report/progress.js'
import {firstFailure, resultDocument} from '../report/result.js'
import {checkKernelNeeds, kernelRefusals} from './kernel-needs.js'
import {checkLimits} from './needs.js'
import {runWorkload, type WorkloadRun} from './run.js'

interface SessionOptions {
  toolVersion: string
  /** Runs of each workload, interleaved across workloads (A B A B ...) so drift touches all alike. */
  trials?: number
  /** Show the live status line (only takes effect on a TTY). */
  progress: boolean
  /**
   * Run on past a workload the kernel cannot run (by the probe, or refused when its loop starts),
   * which is left out with the reason (`bench --compare`); the session fails only when nothing
   * ran. Otherwise the first such refusal ends the session.
   */
  skipRefused?: boolean
}

export interface SessionOutcome {
  document: ResultDocument
  /**
   * Why the session ended early, reported after what was measured: a system the kernel refused
   * (exit 3), or a later workload that could not start, e.g. a refused --file (its own status).
   */
  failure?: ToolError
  /** Whether anything was measured at all. */
  measured: boolean
  /** With skipRefused: the workloads the probe said this kernel cannot run, and why (by name). */
  refused: Map<string, string>
}

export async function runSession(specs: WorkloadSpec[], options: SessionOptions): Promise<SessionOutcome> {
  checkLimits(specs)
  const refused = options.skipRefused ? await kernelRefusals(specs) : new Map<string, string>()
  if (!options.skipRefused) await checkKernelNeeds(specs)
  const display = progressDisplay(options.progress)
  const abort = new AbortController()
  const dispose = onInterrupt(() => abort.abort())
  const workloads = specs.filter((spec) => !refused.has(spec.name)).map((spec) => ({spec, runs: [] as WorkloadRun[], refused: false}))
  const trials = options.trials ?? 1
  let stopped: ToolError | undefined
  try {
    trialLoop: for (let trial = 1; trial <= trials; trial++) {
      for (const workload of workloads) {
        if (workload.refused) continue
        let run: WorkloadRun
        try {
          run = await runWorkload(workload.spec, {
            onProgress: (event) => display.update(event, trials > 1 ? `trial ${trial}/${trials}` : undefined),
            signal: abort.signal,
          })
        } catch (error) {
          // A workload that cannot start (its file refused, no room to lay one out) ends the
          // session; what the workloads before it measured is still reported and saved.
          if (!(error instanceof ToolError) || !workloads.some(({runs}) => runs.length > 0)) throw error
          stopped = error
          break trialLoop
        }
        workload.runs.push(run)
        if (abort.signal.aborted) break trialLoop
        // A loop the kernel refused will be refused alike in every later trial.
        if (run.systems[0]?.native?.error) {
          if (!options.skipRefused || workloads.every((entry) => entry.refused || entry === workload)) break trialLoop
          workload.refused = true
        }
      }
    }
  } finally {
    display.done()
    dispose()
  }
  const document = resultDocument(workloads, options.toolVersion)
  if (abort.signal.aborted) document.interrupted = true
  const measured = document.workloads.some((workload) => workload.systems.some((system) => system.ops > 0))
  const failed = options.skipRefused && measured ? undefined : (firstFailure(document)?.error?.explanation ?? refused.values().next().value)
  return {document, failure: failed === undefined ? stopped : new EnvironmentError(failed), measured, refused}
}
