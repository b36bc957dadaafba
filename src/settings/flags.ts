// The workload flags of bench (and of any command that takes a workload from flags), made from
// the settings table, and the way back from parsed flags to a WorkloadInput.

import {Flags, type Interfaces} from '@oclif/core'

import {parseMix} from '../bench/spec.js'
import {durationFlag, durationOrNoneFlag, integerFlag, listFlag, numberFlag, sizeFlag} from '../flags.js'
import {defaultText, type FieldLabels, type Setting, SETTINGS} from './table.js'
import type {WorkloadInput} from './workload.js'

function flagOf(row: Setting) {
  const values = row.type === 'enum' ? `: ${row.values!.join(', ')}` : row.type === 'mix' ? ` (kinds: ${row.values!.join(', ')})` : ''
  // Defaults that always apply are oclif's (shown as it shows them); the others, which hold only
  // where the setting applies or depend on other settings, are told in words.
  const always = row.default !== undefined && row.group === undefined
  const shown = always ? '' : defaultText(row)
  const options = {
    // `none` is a flag's way to leave a timeout or the baselines out; a profile leaves the field out.
    description: row.help + values + (row.orNone || row.type === 'list' ? ', or none' : '') + (shown ? ` [default: ${shown}]` : ''),
    ...(row.group ? {helpGroup: row.group} : {}),
    ...(row.helpValue ? {helpValue: row.helpValue} : {}),
  }
  switch (row.type) {
    case 'bool':
      return Flags.boolean(options)
    case 'int':
      return integerFlag({...options, ...(always ? {default: row.default as number} : {})})
    case 'number':
      return numberFlag(options)
    case 'size':
      return sizeFlag(options)
    case 'duration':
      if (row.orNone) return durationOrNoneFlag(options)
      return durationFlag({...options, ...(always ? {default: row.default as number} : {})})
    case 'list':
      return listFlag({...options, default: [...(row.default as string[])], defaultHelp: async () => defaultText(row)})
    default:
      return Flags.string({...options, ...(always ? {default: row.default as string} : {})})
  }
}

/** Every workload flag, by flag name. */
export function workloadFlags(): Interfaces.FlagInput {
  return Object.fromEntries(SETTINGS.map((row) => [row.flag, flagOf(row)]))
}

/** The settings given as flags (`none` leaves a timeout or the baselines out). */
export function inputFromFlags(name: string, flags: Record<string, unknown>, label: FieldLabels): WorkloadInput {
  const input: Record<string, unknown> = {name}
  for (const row of SETTINGS as readonly Setting[]) {
    const value = flags[row.flag]
    if (value === undefined || value === null) continue
    if (row.type === 'mix') input[row.key] = parseMix(value as string, label[row.key as keyof FieldLabels])
    else if (row.type === 'list') input[row.key] = (value as string[]).includes('none') ? [] : value
    else input[row.key] = value
  }
  return input as WorkloadInput
}
