// The table of a `bench --compare` run: each configuration's loop over its trials, and its
// throughput against the reference's with the gate's statistics (a ratio of medians, its
// bootstrap interval, an exact Mann-Whitney U test), so a difference within the trials' spread
// is marked as such rather than read as a gain.

import {median} from 'simple-statistics'

import {DEFAULT_GATE} from '../gate/gate.js'
import {holmAdjusted, mannWhitneyU, ratioInterval} from '../gate/statistics.js'
import type {
  ComparedConfiguration,
  ComparedFigures,
  ComparedRatio,
  Comparison,
  ResultDocument,
  SystemResult,
  WorkloadResult,
} from '../model/result.js'
import type {SystemName} from '../model/workload.js'
import {spreadOf, workloadFromTrials} from '../report/result.js'

/** A configuration as listed (src/bench/compare.ts): its name, its knobs, and whether it repeats an earlier one. */
interface ListedConfiguration {
  name: string
  knobs: Record<string, string>
  refused?: string
  sameAs?: string
}

/** A system in each trial that measured it to the end (a trial it failed in counts only what came before the failure). */
function measuredTrials(workload: WorkloadResult | undefined, system: SystemName): SystemResult[] {
  return (workload?.trials ?? []).flatMap((trial) =>
    trial.systems.filter((entry) => entry.system === system && entry.ops > 0 && !entry.error),
  )
}

function trialOpsPerSec(workload: WorkloadResult | undefined, system: SystemName): number[] {
  return measuredTrials(workload, system).map((trial) => trial.opsPerSec)
}

/**
 * Median ops/s of `trials` over the reference's, with the gate's interval and test; whether it is
 * significant is settled over the whole family (adjustFamily).
 */
export function ratioTo(reference: number[], trials: number[]): ComparedRatio | undefined {
  if (reference.length === 0 || trials.length === 0) return undefined
  const {pValue} = mannWhitneyU(reference, trials)
  return {
    opsPerSec: median(trials) / median(reference),
    interval: ratioInterval(reference, trials, DEFAULT_GATE.confidence),
    pValue,
    adjustedPValue: pValue,
    significant: false,
  }
}

/** Adjusts a family of ratios' p-values together (Holm) and marks those below alpha. */
function adjustFamily(ratios: ComparedRatio[], alpha: number): void {
  holmAdjusted(ratios.map((ratio) => ratio.pValue)).forEach((adjusted, i) => {
    ratios[i].adjustedPValue = adjusted
    ratios[i].significant = adjusted < alpha
  })
}

/** Of the measured phase: the counters count the ops it ended. */
export function perOp(system: SystemResult, count: number | undefined): number {
  const ops = system.counters.opsCompleted || system.ops
  return ops > 0 ? (count ?? 0) / ops : 0
}

function figuresOf(workload: WorkloadResult, loop: SystemResult, rawReference: number[], isReference: boolean): ComparedFigures {
  const trials = measuredTrials(workload, 'loop')
  const raw = workload.systems.find((system) => system.system === 'raw' && system.ops > 0)
  const rawTrials = trialOpsPerSec(workload, 'raw')
  const rawRatio = isReference ? undefined : ratioTo(rawReference, rawTrials)
  return {
    opsPerSec: spreadOf(trials.map((trial) => trial.opsPerSec)),
    p50: spreadOf(trials.map((trial) => trial.latency.p50)),
    p99: spreadOf(trials.map((trial) => trial.latency.p99)),
    cpuNsPerOp: loop.cpu.nsPerOp,
    ioThreadsNsPerOp: loop.cpu.ioThreadsNsPerOp ?? null,
    entersPerOp: perOp(loop, loop.counters.enterCalls),
    wakesPerOp: perOp(loop, loop.counters.wakesSent),
    vsRaw: workload.ratios.find((ratio) => ratio.baseline === 'raw')?.opsPerSec ?? null,
    ...(raw
      ? {
          raw: {
            opsPerSec: spreadOf(rawTrials),
            cpuNsPerOp: raw.cpu.nsPerOp,
            entersPerOp: perOp(raw, raw.counters.enterCalls),
            ...(rawRatio ? {versusReference: rawRatio} : {}),
          },
        }
      : {}),
  }
}

/**
 * The workload and its loop over the trials its loop measured to the end: a later trial that
 * failed ended its trials, and its CPU, counters and partial ops are none of its figures.
 */
function measuredPart(workload: WorkloadResult): [WorkloadResult, SystemResult] {
  const loopOf = (of: WorkloadResult) => of.systems.find((system) => system.system === 'loop')!
  if (!loopOf(workload).error) return [workload, loopOf(workload)]
  const trials = workload.trials.filter((trial) => !trial.systems.some((system) => system.system === 'loop' && system.error))
  const measured = workloadFromTrials(workload.spec, trials, {interrupted: workload.interrupted})
  return [measured, loopOf(measured)]
}

function workloadNamed(document: ResultDocument, name: string): WorkloadResult | undefined {
  return document.workloads.find((entry) => entry.name === name)
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
  const measured = (name: string): boolean => measuredTrials(workloadNamed(document, name), 'loop').length > 0
  // The first that ran: a skipped first configuration leaves the others something to be divided by.
  const reference = (configurations.find((entry) => measured(entry.name)) ?? configurations[0]).name
  const referenceWorkload = workloadNamed(document, reference)
  const referenceTrials = trialOpsPerSec(referenceWorkload, 'loop')
  const rawReference = trialOpsPerSec(referenceWorkload, 'raw')
  const rows = configurations.map((configuration): ComparedConfiguration => {
    const row: ComparedConfiguration = {name: configuration.name, knobs: configuration.knobs}
    if (configuration.refused) return {...row, skipped: `not allowed: ${configuration.refused}`}
    if (configuration.sameAs) return {...row, skipped: `the same workload as '${configuration.sameAs}'`}
    const workload = workloadNamed(document, configuration.name)
    const loop = workload?.systems.find((system) => system.system === 'loop')
    const ran = measuredTrials(workload, 'loop').length
    const why = refused.get(configuration.name) ?? (ran > 0 ? undefined : (loop?.error?.explanation ?? 'it measured nothing'))
    if (!workload || !loop || why) return {...row, skipped: why ?? 'it did not run'}
    const isReference = configuration.name === reference
    row.figures = figuresOf(...measuredPart(workload), rawReference, isReference)
    if (loop.error) row.failed = `trial ${ran + 1} failed: ${loop.error.explanation}`
    const ratio = isReference ? undefined : ratioTo(referenceTrials, trialOpsPerSec(workload, 'loop'))
    if (ratio) row.versusReference = ratio
    return row
  })
  // The loop's ratios are one family, the raw rings' another: each answers its own question.
  adjustFamily(
    rows.flatMap((row) => row.versusReference ?? []),
    alpha,
  )
  adjustFamily(
    rows.flatMap((row) => row.figures?.raw?.versusReference ?? []),
    alpha,
  )
  return {reference, trials, alpha, confidence, configurations: rows}
}
