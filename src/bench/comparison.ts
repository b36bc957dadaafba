// The table of a `bench --compare` run: each configuration's loop over its trials, and its
// throughput against the reference's with the gate's statistics (a ratio of medians, its
// bootstrap interval, an exact Mann-Whitney U test), so a difference within the trials' spread
// is marked as such rather than read as a gain.

import {median} from 'simple-statistics'

import {DEFAULT_GATE} from '../gate/gate.js'
import {mannWhitneyU, ratioInterval} from '../gate/statistics.js'
import type {ComparedConfiguration, ComparedFigures, Comparison, ResultDocument, SystemResult, WorkloadResult} from '../model/result.js'
import {spreadOf} from '../report/result.js'

/** A configuration as listed (src/bench/compare.ts): its name, its knobs, and whether it repeats an earlier one. */
interface ListedConfiguration {
  name: string
  knobs: Record<string, string>
  sameAs?: string
}

/** The loop's ops/s in each trial that measured it. */
function trialOpsPerSec(workload: WorkloadResult): number[] {
  return workload.trials.flatMap((trial) => {
    const loop = trial.systems.find((system) => system.system === 'loop')
    return loop && loop.ops > 0 ? [loop.opsPerSec] : []
  })
}

function figuresOf(workload: WorkloadResult, loop: SystemResult): ComparedFigures {
  const trials = workload.trials.flatMap((trial) => trial.systems.filter((system) => system.system === 'loop' && system.ops > 0))
  const perOp = (count: number | undefined): number => (loop.cpu.ops > 0 ? (count ?? 0) / loop.cpu.ops : 0)
  return {
    opsPerSec: spreadOf(trials.map((trial) => trial.opsPerSec)),
    p50: spreadOf(trials.map((trial) => trial.latency.p50)),
    p99: spreadOf(trials.map((trial) => trial.latency.p99)),
    cpuNsPerOp: loop.cpu.nsPerOp,
    ioThreadsNsPerOp: loop.cpu.ioThreadsNsPerOp ?? null,
    entersPerOp: perOp(loop.counters.enterCalls),
    wakesPerOp: perOp(loop.counters.wakesSent),
    vsRaw: workload.ratios.find((ratio) => ratio.baseline === 'raw')?.opsPerSec ?? null,
  }
}

/**
 * The comparison of the configurations as measured in `document` (one workload per configuration
 * that ran, named as it is); `refused` gives why the others did not run.
 */
export function comparisonOf(
  configurations: ListedConfiguration[],
  document: ResultDocument,
  refused: Map<string, string>,
  trials: number,
): Comparison {
  const {alpha, confidence} = DEFAULT_GATE
  const reference = configurations[0].name
  const referenceTrials = (() => {
    const workload = document.workloads.find((entry) => entry.name === reference)
    return workload ? trialOpsPerSec(workload) : []
  })()
  const rows = configurations.map((configuration): ComparedConfiguration => {
    const row: ComparedConfiguration = {name: configuration.name, knobs: configuration.knobs}
    if (configuration.sameAs) return {...row, skipped: `the same workload as '${configuration.sameAs}'`}
    const workload = document.workloads.find((entry) => entry.name === configuration.name)
    const loop = workload?.systems.find((system) => system.system === 'loop')
    const why = refused.get(configuration.name) ?? (loop?.ops ? undefined : (loop?.error?.explanation ?? 'it measured nothing'))
    if (!workload || !loop || why) return {...row, skipped: why ?? 'it did not run'}
    row.figures = figuresOf(workload, loop)
    const trials = trialOpsPerSec(workload)
    if (configuration.name !== reference && referenceTrials.length > 0 && trials.length > 0) {
      const {pValue} = mannWhitneyU(referenceTrials, trials)
      row.versusReference = {
        opsPerSec: median(trials) / median(referenceTrials),
        interval: ratioInterval(referenceTrials, trials, confidence),
        pValue,
        significant: pValue < alpha,
      }
    }
    return row
  })
  return {reference, trials, alpha, confidence, configurations: rows}
}
