// What the settings need of the kernel beyond the loop's baseline, from the table's `needs`: each
// flag, or flag and enum value, that a kernel may lack. bench and run check a workload's needs
// against a probe before measuring (src/bench/kernel-needs.ts); probe-kernel lists every one with
// whether the probed kernel has it (src/probe/evaluate.ts).

import type {WorkloadSpec} from '../model/workload.js'
import {type KernelNeeds, type Setting, SETTINGS} from './table.js'

export interface FlagNeed {
  /** As a user writes it: '--single-issuer', '--wake futex-op'. */
  flag: string
  /** Its name for `probe-kernel --require`: 'single-issuer', 'wake=futex-op'. */
  requirement: string
  /** Names of src/probe/kernel-table.json, every one needed. */
  features: readonly string[]
}

type PerValueNeeds = {readonly [value: string]: KernelNeeds}

function isPerValue(needs: KernelNeeds | PerValueNeeds): needs is PerValueNeeds {
  return typeof needs === 'object' && !Array.isArray(needs)
}

function flagNeed(row: Setting, value: string | null, needs: KernelNeeds): FlagNeed {
  return {
    flag: value === null ? `--${row.flag}` : `--${row.flag} ${value}`,
    requirement: value === null ? row.flag : `${row.flag}=${value}`,
    features: typeof needs === 'string' ? [needs] : needs,
  }
}

/** Every flag and enum value that needs more of the kernel, in the table's order. */
export function flagNeeds(rows: readonly Setting[] = SETTINGS): FlagNeed[] {
  return rows.flatMap((row) => {
    const {needs} = row
    if (needs === undefined) return []
    if (!isPerValue(needs)) return [flagNeed(row, null, needs)]
    return Object.entries(needs).map(([value, valueNeeds]) => flagNeed(row, value, valueNeeds))
  })
}

/** What a workload needs: the needs of each setting it turns on, and of each enum value it chose. */
export function needsOf(spec: WorkloadSpec, rows: readonly Setting[] = SETTINGS): FlagNeed[] {
  return rows.flatMap((row) => {
    const {needs} = row
    if (needs === undefined || !row.fromSpec) return []
    const value = row.fromSpec(spec)
    if (!isPerValue(needs)) return value === undefined || value === null || value === false ? [] : [flagNeed(row, null, needs)]
    return typeof value === 'string' && Object.hasOwn(needs, value) ? [flagNeed(row, value, needs[value])] : []
  })
}
