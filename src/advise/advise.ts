// `advise`: races the configurations of src/advise/space.ts for one workload within a time
// budget (src/advise/search.ts), checks the winner against the default in a final interleaved
// A/B with longer trials, and writes the advice: a ranked table, one recommendation with its
// price, what was skipped and why.

import type {Interfaces} from '@oclif/core'
import {median} from 'simple-statistics'

import {ratioTo} from '../bench/comparison.js'
import {COMPARE_TRIALS, type Configuration, configuration} from '../bench/compare.js'
import {checkLimits} from '../bench/needs.js'
import {runWorkload} from '../bench/run.js'
import {usesFile} from '../bench/spec.js'
import {openTestFile, releaseTestFile, type TestFile} from '../bench/test-file.js'
import {EnvironmentError, UsageError} from '../errors.js'
import {DEFAULT_GATE, minimumTrials} from '../gate/gate.js'
import {holmAdjusted, seededRandom} from '../gate/statistics.js'
import {onInterrupt} from '../interrupt.js'
import {
  ADVICE_SCHEMA_VERSION,
  type AdviceDocument,
  type Bounds,
  type Candidate,
  type FinalCheck,
  type Objective,
  type TrialFigures,
} from '../model/advice.js'
import {hostInfo, kernelInfo} from '../host.js'
import {toolInfo} from '../model/envelope.js'
import type {ComparedRatio} from '../model/result.js'
import type {WorkloadSpec} from '../model/workload.js'
import {compareReleases} from '../probe/kernel.js'
import {sectionOf} from '../probe/kernel-table.js'
import {ratioWords} from '../report/comparison.js'
import {statusLine} from '../report/progress.js'
import {resultDocument, spreadOf} from '../report/result.js'
import {needsOf} from '../settings/needs.js'
import {type FieldLabels, type Setting, SETTINGS} from '../settings/table.js'
import {withPhases} from '../settings/workload.js'
import {formatCount, formatDuration} from '../units.js'
import {boundsFrom, type Entry, medianFigures, ranked, search, trialScore, withinBounds} from './search.js'
import {adviceSpace, type Planned} from './space.js'

/** Trials of the winner and of the default in the final A/B where the budget holds them, each twice a search trial's length. */
export const FINAL_TRIALS = 6
/** What starting a trial costs beyond its phases (a fresh loop and ring), until one has been timed. */
const TRIAL_OVERHEAD_MS = 60
/** The final A/B at full length gets at most this share of the budget; else it runs the fewest trials a test can judge, at search length. */
const FINAL_SHARE = 0.25

interface AdviseRequest {
  /** The workload's flags (bench's, parsed), its flags as written, and how a knob parses. */
  flags: Record<string, unknown>
  given: string[]
  flagInput: Interfaces.FlagInput
  labels: FieldLabels
  objective: Objective
  bounds?: {p99Ns?: number; cpuNsPerOp?: number}
  budgetNs: number
  trialNs: number
  warmupNs: number
  toolVersion: string
  progress: boolean
}

interface AdviseOutcome {
  document: AdviceDocument
  interrupted: boolean
  /** Bounds given that the advised configuration does not meet: the closest, for the one-line error. */
  unmet?: string
}

/**
 * How many candidates a search of `trials` can race: successive halving with one round per stage
 * costs about 2n trials (n, n/2, n/4 ...), and a third is left for the stages to repeat rounds.
 * On a synthetic space (scripts/bench/advise-quality.mjs) the search finds the best it is given
 * almost always; what it is not given it cannot find, so the field is as wide as the budget allows.
 */
function fieldSize(trials: number): number {
  return Math.max(2, Math.floor(trials / 3))
}

/** A trial's wall time before one was timed: its phases and the start of a fresh loop. */
function foreseenTrialMs(trialNs: number, warmupNs: number): number {
  return (trialNs + warmupNs) / 1e6 + TRIAL_OVERHEAD_MS
}

/** The least budget that answers: the default timed, one round of two, and a final check the test can judge. */
export function minimumBudgetNs(trialNs: number, warmupNs: number): number {
  return (3 + 2 * minimumTrials(DEFAULT_GATE.alpha)) * foreseenTrialMs(trialNs, warmupNs) * 1e6
}

/** The final check that fits `leftMs`: FINAL_TRIALS pairs twice as long, else the fewest the test can judge at search length. */
function finalPlan(leftMs: number, trialMs: number, trialNs: number): {pairs: number; trialNs: number} {
  const longMs = trialMs + trialNs / 1e6
  if (2 * FINAL_TRIALS * longMs <= leftMs) return {pairs: FINAL_TRIALS, trialNs: 2 * trialNs}
  return {pairs: Math.max(1, Math.min(minimumTrials(DEFAULT_GATE.alpha), Math.floor(leftMs / (2 * trialMs)))), trialNs}
}

export async function advise(request: AdviseRequest): Promise<AdviseOutcome> {
  const started = Date.now()
  const deadline = started + request.budgetNs / 1e6
  const abort = new AbortController()
  const dispose = onInterrupt(() => abort.abort())
  const status = request.progress && process.stderr.isTTY ? statusLine(process.stderr) : undefined
  // A file to read is laid out once and read by every trial; written files are each trial's own.
  let shared: TestFile | undefined
  try {
    const asGiven = configuration([], request.flags, request.labels)
    if (!asGiven.spec) throw new UsageError(asGiven.refused)
    checkLimits([asGiven.spec])
    if (usesFile(asGiven.spec) && asGiven.spec.op === 'file-read' && asGiven.spec.file?.path === undefined) {
      shared = await openTestFile(asGiven.spec, abort.signal)
    }
    const phased = (spec: WorkloadSpec, durationNs: number): WorkloadSpec => {
      const timed = withPhases(spec, {durationNs, warmupNs: request.warmupNs}, '--duration')
      return shared && timed.file ? {...timed, file: {...timed.file, path: shared.path, sizeBytes: shared.sizeBytes}} : timed
    }
    let trialsTimed = 0
    let trialMsSum = 0
    const trial = async (spec: WorkloadSpec, durationNs: number): Promise<{figures: TrialFigures} | {failed: string}> => {
      const began = Date.now()
      const run = await runWorkload(phased(spec, durationNs), {signal: abort.signal})
      if (durationNs === request.trialNs) {
        trialsTimed++
        trialMsSum += Date.now() - began
      }
      const loop = resultDocument([{spec, runs: [run]}], request.toolVersion).workloads[0]?.systems[0]
      if (!loop || loop.error) return {failed: loop?.error?.explanation ?? 'it measured nothing'}
      if (loop.ops === 0) return {failed: run.interrupted ? 'interrupted' : 'it measured nothing'}
      return {figures: {opsPerSec: loop.opsPerSec, p50Ns: loop.latency.p50, p99Ns: loop.latency.p99, cpuNsPerOp: loop.cpu.nsPerOp}}
    }
    const trialMs = (): number => (trialsTimed > 0 ? trialMsSum / trialsTimed : foreseenTrialMs(request.trialNs, request.warmupNs))
    // The default's first trial times a trial on this box (a file laid out per trial included)
    // before the field is sized; a default the kernel refuses ends the run here.
    status?.('advise · timing a trial of the default')
    const first = await trial(asGiven.spec, request.trialNs)
    if ('failed' in first && !abort.signal.aborted) throw new EnvironmentError(first.failed)
    const prior = new Map('figures' in first && !abort.signal.aborted ? [[0, [first.figures]]] : [])
    const finalMs = Math.min(
      Math.max(FINAL_SHARE * (request.budgetNs / 1e6), 2 * minimumTrials(DEFAULT_GATE.alpha) * trialMs()),
      2 * FINAL_TRIALS * (trialMs() + request.trialNs / 1e6),
    )
    const searchDeadline = deadline - finalMs
    const limit = abort.signal.aborted ? 1 : fieldSize(Math.floor((searchDeadline - Date.now()) / trialMs()))
    const random = seededRandom(1)
    const fixed = new Set(request.given.filter((word) => word.startsWith('--')).map((word) => word.slice(2)))
    const space = await adviceSpace(request.flags, request.flagInput, request.labels, {limit, random, fixed})
    checkLimits(space.candidates.map((planned) => planned.spec))
    const given = request.bounds
    const bounds =
      given && (given.p99Ns !== undefined || given.cpuNsPerOp !== undefined)
        ? {p99Ns: given.p99Ns ?? Infinity, cpuNsPerOp: given.cpuNsPerOp ?? Infinity}
        : undefined
    const options = {objective: request.objective, bounds, defaultIndex: 0, keep: 0, alpha: DEFAULT_GATE.alpha, random, prior}
    const state = await search(
      space.candidates,
      {
        trial: (planned) => trial(planned.spec, request.trialNs),
        trialsLeft: () => Math.floor((searchDeadline - Date.now()) / trialMs()),
        stopped: () => abort.signal.aborted,
      },
      {
        ...options,
        onRound: (now) => {
          const racing = now.entries.filter((entry) => entry.state === 'racing').length
          const leader = now.leader as Entry<Planned> | undefined
          const left = Math.max(0, (deadline - Date.now()) / 1000)
          status?.(
            `advise · ${racing} of ${now.entries.length} configurations racing · ${now.trialsRun + prior.size} trials · leader: ` +
              `${leader ? `${leader.candidate.name} (${formatCount(medianFigures(leader.trials).opsPerSec)} ops/s)` : '-'} · ${left.toFixed(0)} s left`,
          )
        },
      },
    )
    const effectiveBounds = request.objective === 'balanced' ? boundsFrom(options, state.entries[0].trials) : undefined
    const score = (entry: Entry<Planned>): number =>
      entry.trials.length > 0 ? median(entry.trials.map((figures) => trialScore(figures, request.objective, effectiveBounds))) : -Infinity
    const order = ranked(state.entries, score)
    const leader = order.find((entry) => entry.state === 'racing' && entry.trials.length > 0)
    // The final A/B: the leader against the default, interleaved, with the time left.
    let final: FinalCheck | undefined
    const defaultEntry = state.entries[0]
    if (leader && leader !== defaultEntry && !abort.signal.aborted) {
      status?.(`advise · final check: ${leader.candidate.name} against the default`)
      const plan = finalPlan(deadline - Date.now(), trialMs(), request.trialNs)
      const runs: {default: TrialFigures[]; winner: TrialFigures[]} = {default: [], winner: []}
      for (let i = 0; i < plan.pairs && !abort.signal.aborted; i++) {
        for (const [side, planned] of [
          ['default', defaultEntry.candidate],
          ['winner', leader.candidate],
        ] as const) {
          const outcome = await trial(planned.spec, plan.trialNs)
          if ('figures' in outcome && !abort.signal.aborted) runs[side].push(outcome.figures)
        }
      }
      if (runs.default.length > 0 && runs.winner.length > 0) final = finalCheck(runs.default, runs.winner, plan.trialNs)
    }
    status?.clear()
    const document = adviceDocument(request, {
      started,
      space,
      order,
      leader,
      final,
      bounds: effectiveBounds && {...effectiveBounds, source: bounds ? 'given' : 'default'},
      trialsRun: state.trialsRun + prior.size,
      interrupted: abort.signal.aborted,
    })
    const advised = document.candidates.find((candidate) => candidate.outcome === 'winner')
    return {
      document,
      interrupted: abort.signal.aborted,
      unmet: bounds && advised?.withinBounds === false ? closest(document) : undefined,
    }
  } finally {
    status?.done()
    if (shared) releaseTestFile(shared)
    dispose()
  }
}

export function finalCheck(defaults: TrialFigures[], winners: TrialFigures[], trialNs: number): FinalCheck {
  const ratio = (metric: keyof TrialFigures) =>
    ratioTo(
      defaults.map((figures) => figures[metric]),
      winners.map((figures) => figures[metric]),
    )!
  const ratios = {opsPerSec: ratio('opsPerSec'), p99: ratio('p99Ns'), cpuNsPerOp: ratio('cpuNsPerOp')}
  // One comparison each, no family: significant is the plain test.
  for (const entry of Object.values(ratios)) entry.significant = entry.pValue < DEFAULT_GATE.alpha
  return {trials: Math.min(defaults.length, winners.length), trialNs, default: defaults, winner: winners, ...ratios}
}

/**
 * The final check's ratio for the objective, and whether the winner gained: significantly lower
 * p99 or CPU per op, significantly more ops/s; balanced, within the bounds in the final check and
 * either the default is not, or it is significantly faster.
 */
export function objectiveGain(
  final: FinalCheck,
  objective: Objective,
  bounds?: Bounds,
): {ratio: ComparedRatio; gain: boolean; what: string} {
  const lower = (ratio: ComparedRatio): boolean => ratio.significant && ratio.opsPerSec < 1
  const faster = final.opsPerSec.significant && final.opsPerSec.opsPerSec > 1
  switch (objective) {
    case 'p99':
      return {ratio: final.p99, gain: lower(final.p99), what: 'p99'}
    case 'cpu':
      return {ratio: final.cpuNsPerOp, gain: lower(final.cpuNsPerOp), what: 'CPU per op'}
    case 'balanced': {
      const within = (trials: TrialFigures[]): boolean => !bounds || withinBounds(medianFigures(trials), bounds)
      return {ratio: final.opsPerSec, gain: within(final.winner) && (!within(final.default) || faster), what: 'ops/s'}
    }
    case 'throughput':
      return {ratio: final.opsPerSec, gain: faster, what: 'ops/s'}
  }
}

/** The Linux versions a configuration needs beyond the default's: "--defer-taskrun (Linux 6.1)". */
function extraNeeds(spec: WorkloadSpec, reference: WorkloadSpec): string[] {
  const before = new Set(needsOf(reference).map((need) => need.flag))
  return needsOf(spec)
    .filter((need) => !before.has(need.flag))
    .map((need) => {
      const versions = need.features.map((name) => sectionOf(name)?.byName(name)?.firstKernel).filter((version) => version !== undefined)
      const newest = versions.sort((a, b) => compareReleases(a, b)).at(-1)
      return newest === undefined ? need.flag : `${need.flag} (Linux ${newest})`
    })
}

/** A word as a shell takes it: quoted when it holds anything but plain characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`
}

/** The settings given by name alone (`--sqpoll`), which a configuration writes as on/off. */
export const SWITCHES: ReadonlySet<string> = new Set(
  (SETTINGS as readonly Setting[]).filter((row) => row.type === 'bool').map((row) => row.flag),
)

/** The exact flags of a configuration: the workload's as given, with its knobs replacing theirs. */
export function flagsOf(given: string[], knobs: Record<string, string>): string {
  const words: string[] = []
  for (let i = 0; i < given.length; i++) {
    const flag = given[i].slice(2)
    const takesValue = !SWITCHES.has(flag)
    if (!(flag in knobs)) words.push(given[i], ...(takesValue ? [shellWord(given[i + 1])] : []))
    if (takesValue) i++
  }
  for (const [flag, value] of Object.entries(knobs)) {
    if (!SWITCHES.has(flag)) words.push(`--${flag}`, shellWord(value))
    else if (value === 'on') words.push(`--${flag}`)
  }
  return words.join(' ')
}

interface Outcome {
  started: number
  space: {candidates: Planned[]; skipped: AdviceDocument['skipped']; configurations: number}
  order: Entry<Planned>[]
  leader?: Entry<Planned>
  final?: FinalCheck
  bounds?: Bounds
  trialsRun: number
  interrupted: boolean
}

function adviceDocument(request: AdviseRequest, outcome: Outcome): AdviceDocument {
  const {order, leader, final, bounds, space} = outcome
  const reference = space.candidates[0]
  const defaultEntry = order.find((entry) => entry.candidate === reference)!
  const defaultOps = defaultEntry.trials.map((figures) => figures.opsPerSec)
  const measured = order.filter((entry) => entry.trials.length > 0)
  const medians = new Map(measured.map((entry) => [entry, medianFigures(entry.trials)]))
  const pareto = (entry: Entry<Planned>): boolean => {
    const mine = medians.get(entry)
    if (!mine) return false
    return ![...medians.values()].some(
      (other) =>
        other !== mine &&
        other.opsPerSec >= mine.opsPerSec &&
        other.cpuNsPerOp <= mine.cpuNsPerOp &&
        (other.opsPerSec > mine.opsPerSec || other.cpuNsPerOp < mine.cpuNsPerOp),
    )
  }
  const gain = final ? objectiveGain(final, request.objective, bounds) : undefined
  const winner = leader && leader !== defaultEntry && gain?.gain ? leader : defaultEntry
  // Within the bounds by the final check's medians where it ran the configuration, else the search's.
  const finalTrials = (entry: Entry<Planned>): TrialFigures[] | undefined =>
    final && entry === leader ? final.winner : final && entry === defaultEntry ? final.default : undefined
  const candidates: Candidate[] = order.map((entry) => {
    const figures = medians.get(entry)
    const spread = (metric: keyof TrialFigures) => spreadOf(entry.trials.map((trial) => trial[metric]))
    const versus =
      entry !== defaultEntry && figures
        ? ratioTo(
            defaultOps,
            entry.trials.map((trial) => trial.opsPerSec),
          )
        : undefined
    return {
      knobs: entry.candidate.knobs,
      flags: flagsOf(request.given, entry.candidate.knobs),
      trials: entry.trials,
      ...(figures
        ? {opsPerSec: spread('opsPerSec'), p50Ns: spread('p50Ns'), p99Ns: spread('p99Ns'), cpuNsPerOp: spread('cpuNsPerOp')}
        : {}),
      ...(versus ? {versusDefault: versus} : {}),
      outcome: entry === winner ? 'winner' : entry.state === 'racing' ? 'finalist' : entry.state,
      ...(entry.reason ? {reason: entry.reason} : {}),
      ...(bounds && figures ? {withinBounds: withinBounds(medianFigures(finalTrials(entry) ?? entry.trials), bounds)} : {}),
      pareto: pareto(entry),
      needs: extraNeeds(entry.candidate.spec, reference.spec),
    }
  })
  const ratios = candidates.flatMap((candidate) => candidate.versusDefault ?? [])
  holmAdjusted(ratios.map((ratio) => ratio.pValue)).forEach((adjusted, i) => {
    ratios[i].adjustedPValue = adjusted
    ratios[i].significant = adjusted < DEFAULT_GATE.alpha
  })
  const notes: string[] = []
  if (space.candidates.length < space.configurations) {
    notes.push(
      `the ${formatDuration(request.budgetNs)} budget raced ${space.candidates.length} of the ${space.configurations} configurations the choices make: the default, ${
        space.candidates.length > 1 ? 'each choice alone first, then random combinations' : 'nothing else'
      }; a longer --budget races more`,
    )
  }
  if (final && final.trials < minimumTrials(DEFAULT_GATE.alpha)) {
    notes.push(
      `the budget left ${final.trials} final trials of each side, too few for the test to call any difference significant (${minimumTrials(DEFAULT_GATE.alpha)} needed); a longer --budget`,
    )
  }
  if (outcome.interrupted) {
    notes.push(
      final
        ? 'interrupted during the final check: its trials so far decide'
        : 'interrupted: the best so far, not checked against the default',
    )
  } else if (leader && leader !== defaultEntry && !final) notes.push('the budget left no time for the final check against the default')
  const flags = flagsOf(request.given, {})
  const recommended = winner.candidate.knobs
  return {
    schemaVersion: ADVICE_SCHEMA_VERSION,
    kind: 'iouring-bench/advice',
    tool: toolInfo(request.toolVersion),
    host: hostInfo(),
    kernel: kernelInfo(),
    createdAt: new Date().toISOString(),
    workload: reference.spec,
    flags,
    objective: request.objective,
    ...(bounds ? {bounds} : {}),
    budgetNs: request.budgetNs,
    elapsedNs: (Date.now() - outcome.started) * 1e6,
    trialNs: request.trialNs,
    space: {
      configurations: space.configurations,
      raced: space.candidates.length,
      trials: outcome.trialsRun + (final ? 2 * final.trials : 0),
      crossProductTrials: space.configurations * COMPARE_TRIALS,
    },
    candidates,
    skipped: space.skipped,
    ...(final ? {final} : {}),
    recommendation: recommendation(request, candidates, leader && leader !== defaultEntry ? leader.candidate : undefined, final, bounds),
    recommended,
    partial: outcome.interrupted,
    notes,
  }
}

function recommendation(
  request: AdviseRequest,
  candidates: Candidate[],
  leader: Configuration | undefined,
  final: FinalCheck | undefined,
  bounds: Bounds | undefined,
): string {
  const winner = candidates.find((candidate) => candidate.outcome === 'winner')!
  const flags = (text: string): string => `\`${text || '(the defaults)'}\``
  const within = bounds
    ? ` within p99 ≤ ${formatDuration(bounds.p99Ns)} and CPU/op ≤ ${formatDuration(bounds.cpuNsPerOp)}${bounds.source === 'default' ? ' (the default’s own, +10 %)' : ''}`
    : ''
  if (Object.keys(winner.knobs).length > 0 && final) {
    const {ratio, what} = objectiveGain(final, request.objective, bounds)
    const others = [
      what === 'ops/s' ? undefined : `ops/s ${ratioWords(final.opsPerSec)}`,
      what === 'p99' ? undefined : `p99 ${ratioWords(final.p99)}`,
      what === 'CPU per op' ? undefined : `CPU per op ${ratioWords(final.cpuNsPerOp)}`,
    ].filter(Boolean)
    const needs = winner.needs.length > 0 ? `, needs ${winner.needs.join(', ')}` : ''
    return `${flags(winner.flags)}: ${ratioWords(ratio)} the default's ${what}, ${others.join(', ')}${needs}${within}.`
  }
  const raced = candidates.filter((candidate) => candidate.trials.length > 0).length
  if (candidates.length === 1)
    return `Keep the default, ${flags(winner.flags)}: nothing to race, every choice is given as a flag or missing on this kernel.`
  if (!leader) return `Keep the default, ${flags(winner.flags)}: none of the ${raced} configurations raced did better${within}.`
  const best = candidates.find((candidate) => candidate.knobs === leader.knobs)
  if (!final)
    return `Keep the default, ${flags(winner.flags)}, for now: the leader, ${flags(best?.flags ?? leader.name)}, was not checked against it.`
  const {ratio, what} = objectiveGain(final, request.objective, bounds)
  return `Keep the default, ${flags(winner.flags)}: the best of ${raced} configurations raced, ${flags(best?.flags ?? leader.name)}, was not better in the final check (${what} ${ratioWords(ratio)}, p ${ratio.pValue.toFixed(3)}${within}).`
}

/** The configurations nearest to the bounds, for the error when none met them. */
function closest(document: AdviceDocument): string {
  const bounds = document.bounds!
  const distance = (candidate: Candidate): number =>
    Math.max(candidate.p99Ns!.median / bounds.p99Ns, candidate.cpuNsPerOp!.median / bounds.cpuNsPerOp)
  return document.candidates
    .filter((candidate) => candidate.p99Ns)
    .sort((a, b) => distance(a) - distance(b))
    .slice(0, 3)
    .map(
      (candidate) =>
        `\`${candidate.flags}\` (p99 ${formatDuration(candidate.p99Ns!.median)}, CPU/op ${formatDuration(candidate.cpuNsPerOp!.median)})`,
    )
    .join('; ')
}

/** Refuses bounds for an objective that has none. */
export function checkBounds(objective: Objective, bounds: {p99Ns?: number; cpuNsPerOp?: number}): void {
  if (objective !== 'balanced' && (bounds.p99Ns !== undefined || bounds.cpuNsPerOp !== undefined)) {
    const flag = bounds.p99Ns !== undefined ? '--max-p99' : '--max-cpu-per-op'
    throw new UsageError(`${flag}: not allowed with --objective ${objective}; bounds apply to --objective balanced`)
  }
}
