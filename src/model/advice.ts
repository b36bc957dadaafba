// The advice document (`advise --json`, schemas/advice.schema.json): which configuration of the
// loop to use for one workload on this kernel and box, found by racing short interleaved trials
// (src/advise/), checked against the default in a final A/B, with what each candidate costs.

import type {Envelope} from './envelope.js'
import type {ComparedRatio, Spread} from './result.js'
import type {WorkloadSpec} from './workload.js'

export const ADVICE_SCHEMA_VERSION = 1

/** What the search maximises (`balanced`: the best throughput within the p99 and CPU bounds). */
export const OBJECTIVES = ['throughput', 'p99', 'cpu', 'balanced'] as const
export type Objective = (typeof OBJECTIVES)[number]

/** Upper bounds of a `balanced` search, in ns; from the flags, or the default's own figures. */
export interface Bounds {
  p99Ns: number
  cpuNsPerOp: number
  /** 'given' by the user, or 'default': no worse than the default configuration measured. */
  source: 'given' | 'default'
}

/** The headline figures of one short trial of a candidate. */
export interface TrialFigures {
  opsPerSec: number
  p50Ns: number
  p99Ns: number
  /** Every thread of the process, io_uring's kernel threads included. */
  cpuNsPerOp: number
}

export interface Candidate {
  /** The knobs it sets on top of the workload as given, as `--flag value` words would set them. */
  knobs: Record<string, string>
  /** The exact flags to reproduce it: the workload's flags as given, then its knobs. */
  flags: string
  /** Trials it ran, in the order they ran. */
  trials: TrialFigures[]
  /** Its figures over those trials (medians, with min and max). */
  opsPerSec?: Spread
  p50Ns?: Spread
  p99Ns?: Spread
  cpuNsPerOp?: Spread
  /** Its median throughput over the default's, with the gate's interval and test. */
  versusDefault?: ComparedRatio
  /** Where the search left it: the winner, still in the race when time ran out, or dropped. */
  outcome: 'winner' | 'finalist' | 'dropped' | 'failed'
  /** Why it was dropped or failed: "significantly slower than the leader after 4 trials (p 0.03)". */
  reason?: string
  /** balanced: whether its medians stay within the bounds. */
  withinBounds?: boolean
  /** On the throughput-vs-CPU Pareto front of the candidates measured. */
  pareto: boolean
  /** Kernel features it needs beyond the default's, with the first Linux version of each. */
  needs: string[]
}

/** A choice left out before the search, and why (the kernel lacks it, the rules refuse it). */
export interface SkippedChoice {
  knobs: Record<string, string>
  reason: string
}

/** The final interleaved A/B of the winner against the default, with more trials than the search gave either. */
export interface FinalCheck {
  trials: number
  /** Each final trial's length: twice a search trial's where the budget holds FINAL_TRIALS of each, else a search trial's. */
  trialNs: number
  default: TrialFigures[]
  winner: TrialFigures[]
  /** Winner over default, each a ratio of medians with its interval and exact test (`opsPerSec` holds the ratio). */
  opsPerSec: ComparedRatio
  p99: ComparedRatio
  cpuNsPerOp: ComparedRatio
}

export interface AdviceDocument extends Envelope<'advice'> {
  createdAt: string
  workload: WorkloadSpec
  /** The workload's flags as given (the default configuration). */
  flags: string
  objective: Objective
  bounds?: Bounds
  budgetNs: number
  /** Time the search and the final check took. */
  elapsedNs: number
  /** The length of each search trial (final.trialNs gives the final check's). */
  trialNs: number
  /** Configurations the choices make (their full cross product), and how many were raced. */
  space: {configurations: number; raced: number; trials: number; crossProductTrials: number}
  /** Ranked best first by the objective; the default is among them. */
  candidates: Candidate[]
  skipped: SkippedChoice[]
  final?: FinalCheck
  /** The advice in one sentence, with its price; "keep the default" when nothing beat it. */
  recommendation: string
  /** The recommended configuration's knobs (empty: the default). */
  recommended: Record<string, string>
  /** Interrupted (Ctrl-C) or out of budget before the final check: the best so far, not checked. */
  partial: boolean
  /** Why the advice is limited ("the budget allowed 5 of 40 configurations"), if it is. */
  notes: string[]
}
