// The workload flags of every command that takes settings as flags, made from the settings
// table, and the way back from parsed flags to a WorkloadInput.

import {Flags, type Interfaces} from '@oclif/core'

import {parseMix, parseWait} from '../bench/spec.js'
import {durationFlag, durationOrNoneFlag, integerFlag, listFlag, numberFlag, sizeFlag} from '../flags.js'
import {defaultText, type FieldLabels, type Setting, SETTING, type SettingKey, SETTINGS} from './table.js'
import type {WorkloadInput} from './workload.js'

type RowOf<K extends SettingKey> = Extract<(typeof SETTINGS)[number], {key: K}>

/** What a setting's flag parses to, by the row's type (a duration that may be `none` is null then). */
type ValueOf<K extends SettingKey, O> = RowOf<K>['type'] extends 'bool'
  ? boolean
  : RowOf<K>['type'] extends 'int' | 'number' | 'size'
    ? number
    : RowOf<K>['type'] extends 'duration'
      ? RowOf<K> extends {orNone: true}
        ? O extends {orNone: false}
          ? number
          : number | null
        : number
      : RowOf<K>['type'] extends 'list'
        ? string[]
        : string

/** The table's default is the flag's when it always applies (not only within a help group). */
type HasDefault<K extends SettingKey, O> = 'default' extends keyof O
  ? undefined extends O['default']
    ? false
    : true
  : RowOf<K> extends {default: unknown}
    ? RowOf<K> extends {group: string}
      ? false
      : true
    : false

type WorkloadFlag<K extends SettingKey, O> = RowOf<K>['type'] extends 'bool'
  ? Interfaces.BooleanFlag<boolean>
  : Interfaces.OptionFlag<HasDefault<K, O> extends true ? ValueOf<K, O> : ValueOf<K, O> | undefined>

/**
 * What a command may say differently of a setting: its own help text and default (`undefined`:
 * none, the flag is unset unless given), and `orNone: false` where a timeout must be given.
 */
interface FlagOverrides {
  description?: string
  default?: number | string | boolean | string[]
  orNone?: false
}

/** The flag of one setting: its name, parse, help and default from its row, typed by the row's type. */
export function workloadFlag<K extends SettingKey, const O extends FlagOverrides = Record<never, never>>(
  key: K,
  overrides?: O,
): WorkloadFlag<K, O> {
  const row: Setting = SETTING[key]
  const orNone = row.orNone === true && overrides?.orNone !== false
  const overridesDefault = overrides !== undefined && 'default' in overrides
  // Defaults that always apply are oclif's (shown as it shows them); the others, which hold only
  // where the setting applies or depend on other settings, are told in words.
  const always = row.default !== undefined && row.group === undefined
  const flagDefault = overridesDefault ? overrides.default : always ? row.default : undefined
  const shown = always || overridesDefault ? '' : defaultText(row)
  const values = row.type === 'enum' ? `: ${row.values!.join(', ')}` : row.type === 'mix' ? ` (kinds: ${row.values!.join(', ')})` : ''
  const options = {
    // `none` is a flag's way to leave a timeout or the baselines out; a profile leaves the field out.
    description:
      overrides?.description ??
      row.help + values + (orNone || row.type === 'list' ? ', or none' : '') + (shown ? ` [default: ${shown}]` : ''),
    ...(row.group ? {helpGroup: row.group} : {}),
    ...(row.helpValue ? {helpValue: row.helpValue} : {}),
    ...(flagDefault === undefined ? {} : {default: Array.isArray(flagDefault) ? [...(flagDefault as string[])] : flagDefault}),
  }
  return flagOfType(row, orNone, options) as WorkloadFlag<K, O>
}

function flagOfType(row: Setting, orNone: boolean, options: {description: string; default?: unknown}) {
  // The default's type follows the row's, which workloadFlag's return type already says.
  const withDefault = options as {description: string}
  switch (row.type) {
    case 'bool':
      return Flags.boolean(withDefault)
    case 'int':
      return integerFlag(withDefault)
    case 'number':
      return numberFlag(withDefault)
    case 'size':
      return sizeFlag(withDefault)
    case 'duration':
      return orNone ? durationOrNoneFlag(withDefault) : durationFlag(withDefault)
    case 'list':
      return listFlag({...withDefault, defaultHelp: async () => defaultText(row)})
    default:
      return Flags.string(withDefault)
  }
}

/** Every workload flag, by flag name, as the table gives it. */
export function workloadFlags(): Interfaces.FlagInput {
  return Object.fromEntries(SETTINGS.map((row) => [row.flag, workloadFlag(row.key)]))
}

/** The settings given as flags (`none` leaves a timeout or the baselines out). */
export function inputFromFlags(name: string, flags: Record<string, unknown>, label: FieldLabels): WorkloadInput {
  const input: Record<string, unknown> = {name}
  for (const row of SETTINGS as readonly Setting[]) {
    const value = flags[row.flag]
    if (value === undefined || value === null) continue
    if (row.type === 'mix') input[row.key] = parseMix(value as string, label[row.key as keyof FieldLabels])
    else if (row.type === 'wait') input[row.key] = parseWait(value as string, label[row.key as keyof FieldLabels])
    else if (row.type === 'list') input[row.key] = (value as string[]).includes('none') ? [] : value
    else input[row.key] = value
  }
  return input as WorkloadInput
}
