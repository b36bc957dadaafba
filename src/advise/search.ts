// The search of `advise`: successive halving (Karnin, Koren & Somekh 2013; Jamieson & Talwalkar
// 2016) over interleaved trials, with racing inside each stage (Birattari et al.'s F-race idea,
// with the gate's exact Mann-Whitney U in place of Friedman's test): every stage gives each
// candidate still in the race its share of the trials left, round by round in a fresh random
// order (so drift touches all alike); a candidate significantly worse than the leader is dropped
// as soon as the test says so, and at the end of a stage the worse half by median goes. Pure:
// the runner says what a trial measured and how many more trials the budget holds, so the same
// search runs on the loop (src/advise/advise.ts) and on a synthetic space whose best is known
// (scripts/bench/advise-quality.mjs).

import {median, shuffle} from 'simple-statistics'

import {mannWhitneyU} from '../gate/statistics.js'
import type {Bounds, Objective, TrialFigures} from '../model/advice.js'

export type TrialOutcome = {figures: TrialFigures} | {failed: string}

export interface SearchRunner<C> {
  trial(candidate: C): Promise<TrialOutcome>
  /** How many more trials the budget holds (an estimate, from how long trials have taken). */
  trialsLeft(): number
  /** Stop now (Ctrl-C): the search ends with what it has. */
  stopped(): boolean
}

export interface SearchOptions {
  objective: Objective
  /** balanced: the bounds given; absent, the default candidate's own medians (+ DEFAULT_BOUND_SLACK). */
  bounds?: Omit<Bounds, 'source'>
  /** Index of the default configuration among the candidates (the reference of unbounded balanced). */
  defaultIndex: number
  alpha: number
  /** A candidate never dropped (the default: the final check's reference); it races beside the field. */
  keep?: number
  /** Seeded: the order of trials in each round. */
  random: () => number
  /** Trials already run, by candidate index (the default's, timed before the field was sized). */
  prior?: ReadonlyMap<number, TrialFigures[]>
  /** Called after every round, for a progress display. */
  onRound?: (state: SearchState<unknown>) => void
}

export interface Entry<C> {
  candidate: C
  trials: TrialFigures[]
  state: 'racing' | 'dropped' | 'failed'
  reason?: string
}

export interface SearchState<C> {
  entries: Entry<C>[]
  rounds: number
  trialsRun: number
  /** The best racing candidate so far, by median score. */
  leader?: Entry<C>
}

/** Trials a candidate needs before the test may drop it: 4 against 4 can reach p = 0.029. */
export const TRIALS_TO_DROP = 4

/** An unbounded balanced search keeps p99 and CPU per op within this much of the default's medians. */
export const DEFAULT_BOUND_SLACK = 0.1

/** A score per trial, higher is better and positive, so a ratio of two is meaningful. */
export function trialScore(figures: TrialFigures, objective: Objective, bounds?: Omit<Bounds, 'source'>): number {
  switch (objective) {
    case 'throughput':
      return figures.opsPerSec
    case 'p99':
      return 1e9 / Math.max(figures.p99Ns, 1)
    case 'cpu':
      return 1e9 / Math.max(figures.cpuNsPerOp, 1e-3)
    case 'balanced': {
      if (!bounds) return figures.opsPerSec
      // Outside a bound, the throughput counts for less the further out it is: a steep, smooth
      // penalty, so a trial just past a bound by noise is not thrown away outright.
      const over = Math.max(1, figures.p99Ns / bounds.p99Ns, figures.cpuNsPerOp / bounds.cpuNsPerOp)
      return figures.opsPerSec / over ** 4
    }
  }
}

/** Medians of a candidate's trials. */
export function medianFigures(trials: TrialFigures[]): TrialFigures {
  return {
    opsPerSec: median(trials.map((trial) => trial.opsPerSec)),
    p50Ns: median(trials.map((trial) => trial.p50Ns)),
    p99Ns: median(trials.map((trial) => trial.p99Ns)),
    cpuNsPerOp: median(trials.map((trial) => trial.cpuNsPerOp)),
  }
}

/** Whether medians stay within bounds. */
export function withinBounds(figures: TrialFigures, bounds: Omit<Bounds, 'source'>): boolean {
  return figures.p99Ns <= bounds.p99Ns && figures.cpuNsPerOp <= bounds.cpuNsPerOp
}

/** The bounds a balanced search holds to: as given, or the default's medians plus the slack. */
export function boundsFrom(options: Pick<SearchOptions, 'bounds'>, defaultTrials: TrialFigures[]): Omit<Bounds, 'source'> | undefined {
  if (options.bounds) return options.bounds
  if (defaultTrials.length === 0) return undefined
  const figures = medianFigures(defaultTrials)
  return {p99Ns: figures.p99Ns * (1 + DEFAULT_BOUND_SLACK), cpuNsPerOp: figures.cpuNsPerOp * (1 + DEFAULT_BOUND_SLACK)}
}

/** The candidates ranked best first: racing and dropped by median score, failed last. */
export function ranked<C>(entries: Entry<C>[], score: (entry: Entry<C>) => number): Entry<C>[] {
  const measured = entries.filter((entry) => entry.trials.length > 0)
  const order = (entry: Entry<C>): number => (entry.state === 'racing' ? 0 : entry.state === 'dropped' ? 1 : 2)
  return [...measured.sort((a, b) => order(a) - order(b) || score(b) - score(a)), ...entries.filter((entry) => entry.trials.length === 0)]
}

export async function search<C>(candidates: C[], runner: SearchRunner<C>, options: SearchOptions): Promise<SearchState<C>> {
  const state: SearchState<C> = {
    entries: candidates.map((candidate, index) => ({candidate, trials: [...(options.prior?.get(index) ?? [])], state: 'racing'})),
    rounds: 0,
    trialsRun: 0,
  }
  const racing = (): Entry<C>[] => state.entries.filter((entry) => entry.state === 'racing')
  const kept = options.keep === undefined ? undefined : state.entries[options.keep]
  // The candidates that can still be dropped: the search ends when one is left.
  const field = (): Entry<C>[] => racing().filter((entry) => entry !== kept)
  // Decided: no other candidate left, or one that has been measured (beside a kept one, a lone
  // other still has to run, or the caller gets a leader with no trials).
  const decided = (): boolean => {
    const rest = field()
    return rest.length === 0 || (rest.length === 1 && (kept === undefined || rest[0].trials.length > 0))
  }
  const scores = (entry: Entry<C>): number[] => {
    const bounds = options.objective === 'balanced' ? boundsFrom(options, state.entries[options.defaultIndex].trials) : undefined
    return entry.trials.map((trial) => trialScore(trial, options.objective, bounds))
  }
  const medianScore = (entry: Entry<C>): number => (entry.trials.length > 0 ? median(scores(entry)) : -Infinity)
  const leader = (): Entry<C> | undefined => ranked(racing(), medianScore)[0]

  const round = async (): Promise<boolean> => {
    for (const entry of shuffle(racing(), options.random)) {
      // The budget is checked before every trial: trials slower than foreseen end the search.
      if (runner.stopped() || runner.trialsLeft() < 1) return false
      const outcome = await runner.trial(entry.candidate)
      // A trial cut short by the stop is no measurement.
      if (runner.stopped()) return false
      state.trialsRun++
      if ('failed' in outcome) {
        entry.state = 'failed'
        entry.reason = outcome.failed
      } else {
        entry.trials.push(outcome.figures)
      }
    }
    state.rounds++
    dropSignificantlyWorse()
    state.leader = leader()
    options.onRound?.(state)
    return true
  }

  const dropSignificantlyWorse = (): void => {
    const best = leader()
    if (!best || best.trials.length < TRIALS_TO_DROP) return
    const bestScores = scores(best)
    for (const entry of racing()) {
      if (entry === best || entry === kept || entry.trials.length < TRIALS_TO_DROP) continue
      const {pValue} = mannWhitneyU(bestScores, scores(entry))
      if (pValue < options.alpha && medianScore(entry) < medianScore(best)) {
        entry.state = 'dropped'
        entry.reason = `significantly worse than the leader after ${entry.trials.length} trials (p ${pValue.toFixed(3)})`
      }
    }
  }

  while (!decided() && !runner.stopped()) {
    const alive = racing().length
    // Stages left if every one halves the field; each gets an equal share of what is left.
    const stagesLeft = Math.max(1, Math.ceil(Math.log2(field().length)))
    // At least one round while the budget holds one trial each: the caller sized the field to it.
    const left = runner.trialsLeft()
    if (left < alive) break
    const rounds = Math.max(1, Math.floor(left / (alive * stagesLeft)))
    for (let i = 0; i < rounds && !decided(); i++) {
      if (!(await round())) return state
    }
    const rest = field()
    if (rest.length <= 1) break
    const better = ranked(rest, medianScore).slice(0, Math.ceil(rest.length / 2))
    for (const entry of rest) {
      if (better.includes(entry)) continue
      entry.state = 'dropped'
      entry.reason = `in the worse half by median after ${entry.trials.length} trials (successive halving)`
    }
    state.leader = leader()
  }
  return state
}
