// The one place the TypeScript side knows io_uring by name and by kernel release:
// src/probe/kernel-table.json, shared with the native probe (whose names a native test holds to
// it). Versions here explain what a probe found; they never stand in for a probe.

import {readFileSync} from 'node:fs'

export interface TableEntry {
  /** The bit (flags, features) or the number (opcodes, register ops). */
  number: number
  /** Without the section's prefix: 'SINGLE_ISSUER', 'EXT_ARG', 'READ_MULTISHOT', 'REGISTER_PROBE'. */
  name: string
  /** The first Linux release with it, 'major.minor'. */
  firstKernel: string
  /** The release is from kernel history, not from the man pages. */
  hist: boolean
  note: string | null
}

export type SectionName = 'setupFlags' | 'features' | 'opcodes' | 'registerOps'

export interface Section {
  name: SectionName
  /** 'IORING_SETUP_', 'IORING_FEAT_', 'IORING_OP_', 'IORING_' */
  prefix: string
  entries: TableEntry[]
  /** What to call a number the table has no name for: 'bit21', 'op65', 'register_op38'. */
  unnamed(number: number): string
  byNumber(number: number): TableEntry | undefined
  byName(name: string): TableEntry | undefined
}

type MilestoneName =
  'io_uring' | 'max_entries_32768' | 'memlock_free_rings' | 'unprivileged_sqpoll' | 'multishot_poll' | 'io_uring_disabled'

interface Milestone {
  firstKernel: string
  /** What arrived, e.g. 'multishot POLL_ADD (IORING_POLL_ADD_MULTI)'. */
  text: string
}

interface RawEntry {
  bit?: number
  op?: number
  name: string
  firstKernel: string
  hist?: boolean
  note?: string
}

interface RawTable {
  tableVersion: number
  setupFlags: {prefix: string; entries: RawEntry[]}
  features: {prefix: string; entries: RawEntry[]}
  opcodes: {prefix: string; entries: RawEntry[]}
  registerOps: {prefix: string; entries: RawEntry[]}
  milestones: {entries: Array<{name: MilestoneName; firstKernel: string; text: string}>}
}

// From dist/probe/ or src/probe/ alike: the JSON stays where the native test reads it.
const TABLE_URL = new URL('../../src/probe/kernel-table.json', import.meta.url)

const table = JSON.parse(readFileSync(TABLE_URL, 'utf8')) as RawTable

// The native probe's spelling of numbers it has no name for (native/core/uring_names.cc).
const UNNAMED_PREFIX: Record<SectionName, string> = {setupFlags: 'bit', features: 'bit', opcodes: 'op', registerOps: 'register_op'}

function section(name: SectionName): Section {
  const raw = table[name]
  const entries: TableEntry[] = raw.entries.map((entry) => ({
    number: entry.bit ?? entry.op ?? -1,
    name: entry.name,
    firstKernel: entry.firstKernel,
    hist: entry.hist ?? false,
    note: entry.note ?? null,
  }))
  const byNumber = new Map(entries.map((entry) => [entry.number, entry]))
  const byName = new Map(entries.map((entry) => [entry.name, entry]))
  return {
    name,
    prefix: raw.prefix,
    entries,
    unnamed: (number) => `${UNNAMED_PREFIX[name]}${number}`,
    byNumber: (number) => byNumber.get(number),
    byName: (entryName) => byName.get(entryName),
  }
}

export const SETUP_FLAGS = section('setupFlags')
export const FEATURES = section('features')
export const OPCODES = section('opcodes')
export const REGISTER_OPS = section('registerOps')

/** The section that names `name` (names are unique across sections), or undefined. */
export function sectionOf(name: string): Section | undefined {
  return [SETUP_FLAGS, FEATURES, OPCODES, REGISTER_OPS].find((candidate) => candidate.byName(name))
}

const milestones = new Map(table.milestones.entries.map((entry) => [entry.name, {firstKernel: entry.firstKernel, text: entry.text}]))

export function milestone(name: MilestoneName): Milestone {
  const found = milestones.get(name)
  if (!found) throw new Error(`src/probe/kernel-table.json has no milestone '${name}'`)
  return found
}

/** The table's name for a number, or the native probe's spelling of an unnamed one. */
export function nameOf(section: Section, number: number): string {
  return section.byNumber(number)?.name ?? section.unnamed(number)
}

/** The set bits of a mask, lowest first. */
export function bitsOf(mask: number): number[] {
  const bits: number[] = []
  for (let bit = 0; bit < 53 && 2 ** bit <= mask; bit++) {
    if (Math.floor(mask / 2 ** bit) % 2 === 1) bits.push(bit)
  }
  return bits
}
