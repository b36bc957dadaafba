// `bench --compare` and `--config`: the configurations one run compares. Each --compare is one knob
// with the values to try (`sqpoll=off,on`; several multiply out, the first varying slowest); each
// --config is one whole configuration (`'sqpoll=on sqpoll-idle=10ms'`, a knob=value pair per
// word), listed after the product. A knob is any workload flag, its value written as on the
// command line (booleans: on/off), so a configuration is the command's flags with its knobs
// replacing theirs, checked by the same rules.

import type {Interfaces} from '@oclif/core'

import {invalidValue, UsageError} from '../errors.js'
import {DEFAULT_GATE, minimumTrials} from '../gate/gate.js'
import {comparisonOf} from './comparison.js'
import {runSession, type SessionOutcome} from './session.js'
import type {WorkloadSpec} from '../model/workload.js'
import {inputFromFlags} from '../settings/flags.js'
import {type FieldLabels, type Setting, SETTINGS} from '../settings/table.js'
import {toWorkloadSpec} from '../settings/workload.js'

const COMPARE_FLAG = '--compare'
const CONFIG_FLAG = '--config'

/**
 * Trials of each configuration unless --trials says: enough for the exact test to reach p < 0.05
 * among up to 6 rows compared (Holm), more when there are more rows (compareTrials).
 */
export const COMPARE_TRIALS = 5

/** The default trials for `configurations` run side by side: enough for any row to pass Holm's first threshold. */
function compareTrials(configurations: number): number {
  return Math.max(COMPARE_TRIALS, minimumTrials(DEFAULT_GATE.alpha, configurations - 1))
}
/** Each trial starts a fresh loop and warms it up; with trials interleaved this is paid per trial. */
export const COMPARE_WARMUP_NS = 100_000_000

/** The name of the configuration that sets no knob: the command's own flags. */
const AS_GIVEN = 'as given'

/** Knobs a configuration cannot set: the baselines are the run's (each configuration runs them
 * alike), and a mix's value is itself a list. */
const NOT_KNOBS: Record<string, string> = {
  vs: "the baselines are the whole run's: give --vs once",
  mix: 'a mix is a list itself: compare mixes as workloads of a profile (run)',
}

const BOOLEAN_WORDS: Record<string, boolean> = {on: true, off: false, true: true, false: false, yes: true, no: false, '1': true, '0': false}

export interface Configuration {
  /** "sqpoll=on ring-fd=off", or AS_GIVEN. */
  name: string
  /** The knobs it sets, as written (booleans as on/off). */
  knobs: Record<string, string>
  /** Absent when the rules refuse the combination (`refused` says why): it does not run. */
  spec?: WorkloadSpec
  refused?: string
  /** Set when the same workload as an earlier configuration: it does not run again. */
  sameAs?: string
}

export interface Knob {
  row: Setting
  /** As the user wrote it, booleans as on/off. */
  shown: string
  /** As the flag would have parsed it. */
  value: unknown
}

/**
 * The configurations to compare, the reference first: the first one listed, unless none of them
 * is the command's flags as given, which then come first (so `--compare sqpoll=on` is priced
 * against the run without it). Throws a UsageError for an unknown knob, a bad value, or a
 * configuration the settings' rules refuse.
 */
async function compareConfigurations(
  given: {axes: string[]; wholes: string[]},
  flags: Record<string, unknown>,
  flagInput: Interfaces.FlagInput,
  labels: FieldLabels,
): Promise<Configuration[]> {
  const axes: Knob[][] = []
  for (const text of given.axes) {
    const [name, values] = splitPair(text.trim(), COMPARE_FLAG, text)
    const listed = values.split(',').map((value) => value.trim())
    const twice = listed.find((value, i) => listed.indexOf(value) !== i)
    if (twice !== undefined) throw new UsageError(`${COMPARE_FLAG}: '${text}' lists ${twice} twice; give each value once`)
    axes.push(await Promise.all(listed.map((value) => knobOf(name, value, COMPARE_FLAG, text, flagInput))))
  }
  const wholes: Knob[][] = []
  for (const text of given.wholes) {
    const words = text.trim().split(/\s+/).filter(Boolean)
    if (words.length === 0)
      throw new UsageError(`${CONFIG_FLAG}: '' is not allowed; give knob=value pairs such as 'sqpoll=on sqpoll-idle=10ms'`)
    wholes.push(
      await Promise.all(
        words.map((word) => {
          const [name, value] = splitPair(word, CONFIG_FLAG, text)
          return knobOf(name, value, CONFIG_FLAG, text, flagInput)
        }),
      ),
    )
  }
  const product = crossProduct(axes).filter((knobs) => knobs.length > 0)
  product.forEach((knobs) => refuseRepeatedKnob(knobs, COMPARE_FLAG))
  wholes.forEach((knobs) => refuseRepeatedKnob(knobs, CONFIG_FLAG))
  const combinations = product.map((knobs) => configuration(knobs, flags, labels))
  refuseValuesNeverAllowed(axes, product, combinations)
  // A whole configuration is the user's own: one the rules refuse is a usage error.
  const configurations = [...combinations, ...wholes.map((knobs) => refusedOrThrow(configuration(knobs, flags, labels)))]
  const asGiven = refusedOrThrow(configuration([], flags, labels))
  const all = configurations.some((entry) => sameWorkload(entry.spec, asGiven.spec)) ? configurations : [asGiven, ...configurations]
  return all.map((entry, i) => {
    const earlier = all.slice(0, i).find((other) => sameWorkload(other.spec, entry.spec))
    return earlier ? {...entry, sameAs: earlier.name} : entry
  })
}

/**
 * A combination of the product the rules refuse (sqpoll=on with defer-taskrun=on) is listed as
 * not allowed and the rest run; but a value refused in every combination it is in (cq-size=16
 * below the ring, sqpoll-cpu=99 on two CPUs) is a bad value: exit 2 with its first refusal.
 */
function refuseValuesNeverAllowed(axes: Knob[][], product: Knob[][], combinations: Configuration[]): void {
  for (const knob of axes.flat()) {
    const containing = combinations.filter((_, i) => product[i].includes(knob))
    const refused = containing.find((entry) => entry.refused)
    if (refused && containing.every((entry) => entry.refused)) {
      throw new UsageError(`configuration '${refused.name}': ${refused.refused}`)
    }
  }
}

function refusedOrThrow(entry: Configuration): Configuration {
  if (entry.refused) throw new UsageError(entry.name === AS_GIVEN ? entry.refused : `configuration '${entry.name}': ${entry.refused}`)
  return entry
}

/**
 * Runs every configuration, trials interleaved (A B C A B C ...), and adds the comparison to the
 * result. Unless given, --vs is none (the configurations are compared with each other; `--vs raw`
 * prices each against the raw ring with the same knobs) and the warm-up is COMPARE_WARMUP_NS.
 */
export async function runComparison(
  given: {axes: string[]; wholes: string[]},
  flags: Record<string, unknown>,
  explicit: (flag: string) => boolean,
  flagInput: Interfaces.FlagInput,
  labels: FieldLabels,
  options: {toolVersion: string; trials?: number; progress: boolean},
): Promise<SessionOutcome> {
  const other = explicit('vs') ? (flags.vs as string[]).find((baseline) => baseline !== 'raw' && baseline !== 'none') : undefined
  if (other) {
    throw invalidValue(
      '--vs',
      other,
      `a comparison prices the loop, and the raw ring with the same knobs: give --vs raw or leave it out (run ${other} without --compare and --config)`,
    )
  }
  const base = {...flags, ...(explicit('vs') ? {} : {vs: ['none']}), ...(explicit('warmup') ? {} : {warmup: COMPARE_WARMUP_NS})}
  const configurations = await compareConfigurations(given, base, flagInput, labels)
  const specs = configurations.flatMap((entry) => (entry.spec && !entry.sameAs ? [entry.spec] : []))
  const trials = options.trials ?? compareTrials(specs.length)
  const outcome = await runSession(specs, {...options, trials, skipRefused: true})
  outcome.document.comparison = comparisonOf(configurations, outcome.document, outcome.refused, trials)
  return outcome
}

const PAIR_FORMS: Record<string, string> = {
  [COMPARE_FLAG]: 'give one knob and its values, e.g. sqpoll=off,on',
  [CONFIG_FLAG]: "give knob=value pairs, e.g. 'sqpoll=on sqpoll-idle=10ms'",
}

function splitPair(word: string, field: string, text: string): [string, string] {
  const at = word.indexOf('=')
  if (at <= 0 || at === word.length - 1 || /\s/.test(word)) throw new UsageError(`${field}: '${text}' is not allowed; ${PAIR_FORMS[field]}`)
  return [word.slice(0, at), word.slice(at + 1)]
}

/** A knob's value parsed as its flag parses it, so a bad one is refused as the flag would refuse it. */
export async function knobOf(name: string, text: string, field: string, given: string, flagInput: Interfaces.FlagInput): Promise<Knob> {
  const row = (SETTINGS as readonly Setting[]).find((entry) => entry.flag === name)
  if (!row) {
    const knobs = SETTINGS.filter((entry) => !(entry.key in NOT_KNOBS)).map((entry) => entry.flag)
    throw new UsageError(`${field}: '${given}' names no knob '${name}'; use a workload flag of bench: ${knobs.join(', ')}`)
  }
  if (row.key in NOT_KNOBS) throw new UsageError(`${field}: '${given}': --${name} cannot be compared; ${NOT_KNOBS[row.key]}`)
  if (text === '') throw new UsageError(`${field}: '${given}' gives --${name} an empty value`)
  if (row.type === 'bool') {
    const value = BOOLEAN_WORDS[text.toLowerCase()]
    if (value === undefined) throw new UsageError(`--${name}: '${text}' is not allowed; use on or off`)
    return {row, shown: value ? 'on' : 'off', value}
  }
  const flag = flagInput[name] as {parse?: (input: string, context: unknown, options: unknown) => Promise<unknown>}
  return {row, shown: text, value: flag.parse ? await flag.parse(text, {}, {...flag, name}) : text}
}

/** Every combination of one value per axis, the first axis varying slowest. */
function crossProduct(axes: Knob[][]): Knob[][] {
  return axes.reduce<Knob[][]>(
    (combinations, values) => combinations.flatMap((combination) => values.map((value) => [...combination, value])),
    [[]],
  )
}

function refuseRepeatedKnob(knobs: Knob[], field: string): void {
  const names = knobs.map((knob) => knob.row.flag)
  const twice = names.find((name, i) => names.indexOf(name) !== i)
  if (twice) {
    const hint = field === COMPARE_FLAG ? ` (its values go in one --compare, e.g. ${twice}=a,b)` : ''
    throw new UsageError(`${field}: --${twice} is given twice in one configuration; give it once${hint}`)
  }
}

/** Flags that say one thing two ways: a knob of one replaces the other (a duration knob, the run's --ops). */
const EITHER_OR: Record<string, string> = {duration: 'ops', ops: 'duration'}

/** The command's flags with the knobs replacing theirs, as a workload, or why the rules refuse it. */
export function configuration(knobs: Knob[], flags: Record<string, unknown>, labels: FieldLabels): Configuration {
  const name = knobs.length === 0 ? AS_GIVEN : knobs.map((knob) => `${knob.row.flag}=${knob.shown}`).join(' ')
  const merged: Record<string, unknown> = {...flags}
  for (const knob of knobs) {
    merged[knob.row.flag] = knob.value
    if (knob.row.flag in EITHER_OR) delete merged[EITHER_OR[knob.row.flag]]
  }
  const shown = Object.fromEntries(knobs.map((knob) => [knob.row.flag, knob.shown]))
  try {
    return {name, knobs: shown, spec: toWorkloadSpec(inputFromFlags(name, merged, labels), labels)}
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    return {name, knobs: shown, refused: error.message}
  }
}

/** The same workload, whatever its name and the random seed of its data. */
export function sameWorkload(a: WorkloadSpec | undefined, b: WorkloadSpec | undefined): boolean {
  if (!a || !b) return false
  // Keys sorted: two specs built from different flags may list the same fields in another order.
  const sorted = (_key: string, value: unknown): unknown =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([x], [y]) => (x < y ? -1 : 1)))
      : value
  const comparable = ({name: _name, seed: _seed, ...rest}: WorkloadSpec): string => JSON.stringify(rest, sorted)
  return comparable(a) === comparable(b)
}
