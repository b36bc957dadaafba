// The regression gate: a candidate run against a saved baseline run of the same profile.
//
// For each workload and metric it compares the trial values of both sides, not two single
// numbers: a change is "worse" (or "better") only when it is both significant (exact two-sided
// Mann-Whitney U test, p < alpha) and at least the profile's minimum effect (the ratio of the
// medians at least minEffect worse, or the baseline's at least minEffect worse than the
// candidate's). Anything else is "same". The bootstrap interval of the ratio is
// reported with every verdict, so a reader sees how sure the gate is.

import {median} from 'simple-statistics'

import {UsageError} from '../errors.js'
import {GATE_METRICS, type GateConfig, type GateMetric, type GateReport, type Verdict, type VerdictKind} from '../model/gate.js'
import type {ResultDocument, SystemResult, WorkloadResult} from '../model/result.js'
import {mannWhitneyU, ratioInterval, smallestPValue} from './statistics.js'

const BIGGER_IS_BETTER: Record<GateMetric, boolean> = {opsPerSec: true, p50: false, p99: false, vsRaw: true}

export const METRIC_LABELS: Record<GateMetric, string> = {
  opsPerSec: 'ops/s',
  p50: 'p50 latency',
  p99: 'p99 latency',
  vsRaw: 'throughput ÷ raw ring',
}

export const DEFAULT_GATE: GateConfig = {
  alpha: 0.05,
  confidence: 0.95,
  metrics: {opsPerSec: {minEffect: 0.1}, p50: {minEffect: 0.1}, p99: {minEffect: 0.25}},
}

/** Refuses a baseline from another machine or kernel unless allowed: the figures would not compare. */
export function checkSameHost(
  baseline: Pick<ResultDocument, 'host' | 'kernel'>,
  candidate: Pick<ResultDocument, 'host' | 'kernel'>,
  allowChange: boolean,
): void {
  const differences = [
    ['host', baseline.host.hostname, candidate.host.hostname],
    ['CPU', `${baseline.host.cpus} × ${baseline.host.cpuModel}`, `${candidate.host.cpus} × ${candidate.host.cpuModel}`],
    ['kernel', baseline.kernel.release, candidate.kernel.release],
  ]
    .filter(([, before, now]) => before !== now)
    .map(([what, before, now]) => `${what} ${before} (baseline) vs ${now} (now)`)
  if (differences.length > 0 && !allowChange) {
    throw new UsageError(
      `--baseline: measured elsewhere: ${differences.join('; ')}; make a baseline here with --save-baseline, or pass --allow-host-change`,
    )
  }
}

/** The trial values of one metric of a workload's loop. */
function trialValues(workload: WorkloadResult, metric: GateMetric): number[] {
  const loops = workload.trials.map((trial) => trial.systems.find((system) => system.system === 'loop'))
  const raws = workload.trials.map((trial) => trial.systems.find((system) => system.system === 'raw'))
  return loops.flatMap((loop, i): number[] => {
    if (!loop || loop.error) return []
    if (metric === 'vsRaw') {
      const raw: SystemResult | undefined = raws[i]
      return raw && raw.opsPerSec > 0 ? [loop.opsPerSec / raw.opsPerSec] : []
    }
    return [metric === 'opsPerSec' ? loop.opsPerSec : loop.latency[metric]]
  })
}

export function judge(workload: string, metric: GateMetric, baseline: number[], candidate: number[], config: GateConfig): Verdict {
  const minEffect = config.metrics[metric]?.minEffect ?? 0
  const ratio = median(candidate) / median(baseline)
  const interval = ratioInterval(baseline, candidate, config.confidence)
  const {pValue} = mannWhitneyU(baseline, candidate)
  // The effect in the metric's own sense, each way: a 30% minimum effect on p99 is worse at 1.3×
  // the baseline and better when the baseline is 1.3× the candidate, so swapping the two sides
  // swaps the verdict. For throughput, worse is a 30% drop (0.7×).
  const bigger = BIGGER_IS_BETTER[metric]
  const worseBy = bigger ? 1 - ratio : ratio - 1
  const betterBy = bigger ? 1 - 1 / ratio : 1 / ratio - 1
  const significant = pValue < config.alpha
  const large = Math.max(worseBy, betterBy) >= minEffect
  const verdict: VerdictKind = significant && large ? (worseBy > 0 ? 'worse' : 'better') : 'same'
  const change = `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`
  const reason = !significant
    ? `${change} is within the trials' spread (p = ${pValue.toFixed(3)} ≥ ${config.alpha})`
    : !large
      ? `${change} is significant (p = ${pValue.toFixed(3)}) but smaller than the minimum effect of ${(minEffect * 100).toFixed(0)}%`
      : `${change}, significant (p = ${pValue.toFixed(3)}) and beyond the minimum effect of ${(minEffect * 100).toFixed(0)}%`
  return {workload, metric, verdict, baseline, candidate, ratio, interval, pValue, minEffect, reason}
}

/**
 * Judges every workload of the candidate that the baseline also has, on the metrics its gate
 * config names. `configFor` gives each workload's config (from its profile).
 */
export function compare(baseline: ResultDocument, candidate: ResultDocument, configFor: (workload: string) => GateConfig): GateReport {
  const verdicts: Verdict[] = []
  const notes: string[] = []
  let alpha = DEFAULT_GATE.alpha
  let confidence = DEFAULT_GATE.confidence
  for (const now of candidate.workloads) {
    const before = baseline.workloads.find((workload) => workload.name === now.name)
    if (!before) {
      notes.push(`${now.name}: not in the baseline; not judged`)
      continue
    }
    const changed = specChanges(before, now)
    if (changed) notes.push(`${now.name}: the workload changed since the baseline (${changed})`)
    const config = configFor(now.name)
    ;({alpha, confidence} = config)
    for (const metric of GATE_METRICS) {
      if (!config.metrics[metric]) continue
      const b = trialValues(before, metric)
      const c = trialValues(now, metric)
      if (b.length === 0 || c.length === 0) {
        notes.push(`${now.name}: no ${METRIC_LABELS[metric]} on ${b.length === 0 ? 'the baseline' : 'this run'}; not judged`)
        continue
      }
      verdicts.push(judge(now.name, metric, b, c, config))
    }
  }
  for (const before of baseline.workloads) {
    if (!candidate.workloads.some((workload) => workload.name === before.name)) {
      notes.push(`${before.name}: in the baseline but not run now`)
    }
  }
  return {passed: verdicts.every((v) => v.verdict !== 'worse'), alpha, confidence, verdicts, notes}
}

/**
 * The fewest trials a side for which the exact test can give p < alpha at all (every trial of
 * one side beyond every trial of the other); with fewer, no regression can ever be found. Among
 * `comparisons` tests adjusted by Holm, the smallest p must be below alpha / comparisons.
 */
export function minimumTrials(alpha: number, comparisons = 1): number {
  let trials = 1
  while (comparisons * smallestPValue(trials, trials) >= alpha) trials++
  return trials
}

/** Refuses a trial count for a baseline or a gate that the gate's test can never find significant. */
export function checkGateTrials(trials: number, alpha: number, field: string): void {
  const minimum = minimumTrials(alpha)
  if (trials < minimum) {
    throw new UsageError(
      `${field}: ${trials} is too few for the regression gate: with ${trials} trial${trials === 1 ? '' : 's'} a side its exact Mann-Whitney U test never gives p below ${smallestPValue(trials, trials).toFixed(3)}, not below alpha ${alpha}; use at least ${minimum} (5 or more recommended)`,
    )
  }
}

/** The gate needs enough trials on each side for any difference to be significant. */
export function checkTrials(baselineTrials: number, trials: number, alpha: number): void {
  const floor = smallestPValue(baselineTrials, trials)
  if (floor >= alpha) {
    throw new UsageError(
      `trials: ${baselineTrials} (baseline) and ${trials} (now) are too few for the gate: the smallest p-value they can give is ${floor.toFixed(3)}, not below alpha ${alpha}; use at least ${minimumTrials(alpha)} trials on each side (5 or more recommended)`,
    )
  }
}

/** "drive.depth: 256 → 1, op: nop → timer": how a workload's spec differs between two results. */
export function specChanges(before: WorkloadResult, now: WorkloadResult): string {
  const flatten = (value: unknown, prefix = ''): Record<string, string> =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value).flatMap(([key, inner]) => Object.entries(flatten(inner, prefix ? `${prefix}.${key}` : key))),
        )
      : {[prefix]: JSON.stringify(value)}
  const a = flatten(before.spec)
  const b = flatten(now.spec)
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((key) => a[key] !== b[key])
    .map((key) => `${key}: ${a[key] ?? 'unset'} → ${b[key] ?? 'unset'}`)
    .join(', ')
}
