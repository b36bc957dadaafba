// `probe-kernel --require NAME...`: a CI pre-check. A name is one of this tool's own needs
// (loop, and what each bench flag that needs more of the kernel needs, named as the flag without
// its dashes, with its value for an enum: single-issuer, op-timeout, wake=futex-op) or an io_uring
// constant (a setup flag, feature, opcode or register op), case-insensitive, with or without its
// IORING_ prefix. Each is answered from the probe, never from the release.

import {invalidValue} from '../errors.js'
import type {Assessment, ProbeEvaluation, Requirement, RequirementKind, RequirementResult} from '../model/probe.js'
import {flagNeeds} from '../settings/needs.js'
import {assessKernelName} from './evaluate.js'
import {FEATURES, OPCODES, REGISTER_OPS, type Section, SETUP_FLAGS} from './kernel-table.js'

/** This tool's own needs, by the name of the `bench` flag they stand for (and its value). */
const TOOL_REQUIREMENTS: Record<string, (evaluation: ProbeEvaluation) => Assessment> = {
  loop: (evaluation) => evaluation.verdict.loop,
  ...Object.fromEntries(flagNeeds().map((need) => [need.requirement, (evaluation: ProbeEvaluation) => benchFlag(evaluation, need.flag)])),
}

function benchFlag(evaluation: ProbeEvaluation, flag: string): Assessment {
  const found = evaluation.verdict.benchFlags.find((candidate) => candidate.flag === flag)
  if (!found) throw new Error(`no verdict for bench ${flag}`)
  return {met: found.works, reason: found.reason}
}

const KERNEL_SECTIONS: Array<{section: Section; kind: RequirementKind; alias: string; label: string}> = [
  {section: SETUP_FLAGS, kind: 'setupFlag', alias: 'SETUP_', label: 'a setup flag'},
  {section: FEATURES, kind: 'feature', alias: 'FEAT_', label: 'a feature'},
  {section: OPCODES, kind: 'opcode', alias: 'OP_', label: 'an opcode'},
  // Register op names carry their own REGISTER_/UNREGISTER_ already.
  {section: REGISTER_OPS, kind: 'registerOp', alias: '', label: 'a register op'},
]

/**
 * Resolves each name (once, however often it is given), or throws a UsageError (exit 2) naming
 * the first unknown one and every known one.
 */
export function resolveRequirements(names: string[]): Array<Requirement & {given: string}> {
  const resolved = new Map<string, Requirement & {given: string}>()
  for (const given of names) {
    const found = resolve(given)
    if (!found) throw invalidValue('--require', given, `use ${knownNames()}`)
    if (!resolved.has(found.name)) resolved.set(found.name, {...found, given})
  }
  return [...resolved.values()]
}

function resolve(given: string): Requirement | null {
  const text = given.trim()
  if (text.toLowerCase() in TOOL_REQUIREMENTS) return {name: text.toLowerCase(), kind: 'tool'}
  const constant = text.toUpperCase().replace(/^IORING_/, '')
  for (const {section, kind, alias} of KERNEL_SECTIONS) {
    const bare = alias && constant.startsWith(alias) ? constant.slice(alias.length) : constant
    if (section.byName(bare)) return {name: bare, kind}
  }
  return null
}

function knownNames(): string {
  const sections = KERNEL_SECTIONS.map(({section, label}) => `${label} (${section.entries.map((entry) => entry.name).join(', ')})`)
  return `${Object.keys(TOOL_REQUIREMENTS).join(', ')}, ${sections.slice(0, -1).join(', ')} or ${sections[sections.length - 1]}; case does not matter and IORING_ prefixes are accepted`
}

export function checkRequirements(requirements: Array<Requirement & {given: string}>, evaluation: ProbeEvaluation): RequirementResult[] {
  return requirements.map((requirement) => ({...requirement, ...assess(requirement, evaluation)}))
}

function assess({name, kind}: Requirement, evaluation: ProbeEvaluation): Assessment {
  if (kind === 'tool') return TOOL_REQUIREMENTS[name](evaluation)
  const {usability} = evaluation
  // Whatever the kernel knows, none of it can be used without a ring.
  if (!usability.usable) return {met: false, reason: `io_uring cannot be used here: ${usability.cause?.summary}`}
  const found = KERNEL_SECTIONS.find((candidate) => candidate.kind === kind)
  if (!found) throw new Error(`no kernel section for requirement kind ${kind}`)
  return assessKernelName(evaluation, found.section, name)
}
