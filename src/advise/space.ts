// The configurations `advise` chooses among: a short, explicit list of values for each tunable
// setting of the table (wake, wait, design, setup flags, registrations, submit batch), kept
// where the workload's op takes the setting and the probed kernel has it. The full cross
// product is far too large to run (thousands of configurations), so the race gets the default,
// then every choice changed alone (what each one buys), then seeded random combinations, as many
// as the budget can race.

import type {Interfaces} from '@oclif/core'

import {type Configuration, configuration, type Knob, knobOf, sameWorkload} from '../bench/compare.js'
import {kernelRefusals} from '../bench/kernel-needs.js'
import {UsageError} from '../errors.js'
import type {SkippedChoice} from '../model/advice.js'
import type {WorkloadSpec} from '../model/workload.js'
import {type FieldLabels, type Setting, SETTINGS} from '../settings/table.js'

/**
 * Each tunable setting with the values tried, most telling first, since a short budget races only
 * the first few alone: the design (no hand-off: 2.2× at NOP depth 32 here), then the wait and the
 * wake, which decide most of a cross-thread loop's cost.
 */
const CHOICES: ReadonlyArray<{flag: string; values: readonly string[]}> = [
  {flag: 'design', values: ['cross-thread', 'same-thread']},
  {flag: 'wait', values: ['adaptive', 'spin=50us', 'sleep']},
  {flag: 'wake', values: ['futex', 'eventfd', 'msg-ring', 'futex-op']},
  {flag: 'defer-taskrun', values: ['off', 'on']},
  {flag: 'coop-taskrun', values: ['off', 'on']},
  {flag: 'submit-batch', values: ['8', '32']},
  {flag: 'ring-fd', values: ['off', 'on']},
  {flag: 'no-sqarray', values: ['off', 'on']},
  {flag: 'sqpoll', values: ['off', 'on']},
  {flag: 'fixed-files', values: ['off', 'on']},
  {flag: 'fixed-buffers', values: ['off', 'on']},
]

/** Left out of the race whatever the kernel: each would be chosen for what it costs, not what it gains. */
const NOT_RACED: Record<string, string> = {
  'wake=busy-poll': 'burns a whole core even while the loop is idle; price it with bench --compare wake=futex,busy-poll',
}

export interface Planned extends Configuration {
  spec: WorkloadSpec
}

interface Space {
  /** The default first, then the choices alone, then combinations, in the order they would be raced. */
  candidates: Planned[]
  skipped: SkippedChoice[]
  /** Configurations the allowed values make together (the cross product). */
  configurations: number
}

/**
 * The space for the workload given by `flags`. Values the kernel lacks (by the probe, or
 * IOURING_BENCH_PROBE's document) are skipped with the probe's reason, as are choices the rules
 * refuse with the workload as given; `limit` caps how many candidates are listed, and the `fixed`
 * flags (those given) are not varied.
 */
export async function adviceSpace(
  flags: Record<string, unknown>,
  flagInput: Interfaces.FlagInput,
  labels: FieldLabels,
  options: {limit: number; random: () => number; fixed: ReadonlySet<string>},
): Promise<Space> {
  const asGiven = configuration([], flags, labels) as Planned
  // The workload as given is the user's: a setting the rules refuse is a usage error.
  if (asGiven.refused) throw new UsageError(asGiven.refused)
  const skipped: SkippedChoice[] = Object.entries(NOT_RACED).map(([pair, reason]) => {
    const [flag, value] = pair.split('=')
    return {knobs: {[flag]: value}, reason}
  })
  // Every value alone first: the rules and the kernel judge each, the kernel all in one probe.
  const tried: Array<{axis: number; knob: Knob; planned: Configuration}> = []
  for (const [axis, choice] of CHOICES.entries()) {
    const row = (SETTINGS as readonly Setting[]).find((entry) => entry.flag === choice.flag)!
    // A choice the user made (a flag given; --spin is a --wait) stays as given: the program may
    // not be free to change it.
    const given = options.fixed.has(choice.flag) || (choice.flag === 'wait' && options.fixed.has('spin'))
    if (given || (row.ops && !row.ops.includes(asGiven.spec.op))) continue
    for (const value of choice.values) {
      // A batch as large as the ops a loop can have in flight limits nothing: the same workload.
      if (choice.flag === 'submit-batch' && Number(value) >= asGiven.spec.drive.submitters * asGiven.spec.drive.depth) continue
      const knob = await knobOf(choice.flag, value, '--advise', `${choice.flag}=${value}`, flagInput)
      tried.push({axis, knob, planned: configuration([knob], flags, labels)})
    }
  }
  const refusals = await kernelRefusals(tried.flatMap(({planned}) => (planned.spec ? [planned.spec] : [])))
  const byAxis = new Map<number, Knob[]>()
  const given = new Set<Knob>()
  const alone: Planned[] = []
  for (const {axis, knob, planned} of tried) {
    const reason = planned.refused ?? refusals.get(planned.name)
    if (reason) {
      skipped.push({knobs: planned.knobs, reason})
      continue
    }
    byAxis.set(axis, [...(byAxis.get(axis) ?? []), knob])
    if (sameWorkload(planned.spec, asGiven.spec)) given.add(knob)
    else alone.push(planned as Planned)
  }
  const axes = [...byAxis.values()].filter((values) => values.length > 1)
  const configurations = axes.reduce((product, values) => product * values.length, 1)
  const candidates: Planned[] = [asGiven]
  const add = (planned: Configuration): void => {
    if (!planned.spec || candidates.length >= options.limit) return
    if (candidates.some((entry) => sameWorkload(entry.spec, planned.spec))) return
    candidates.push(planned as Planned)
  }
  alone.forEach(add)
  // Combinations: a value of each axis drawn at random; a draw the rules refuse is drawn again,
  // up to a bound, so a space with few allowed combinations ends.
  for (let draws = 0; candidates.length < Math.min(options.limit, configurations) && draws < options.limit * 20; draws++) {
    // Only the knobs that change the workload as given name the combination.
    const knobs = axes.map((values) => values[Math.floor(options.random() * values.length)]).filter((knob) => !given.has(knob))
    add(configuration(knobs, flags, labels))
  }
  return {candidates, skipped, configurations}
}
