// Profiles: YAML files naming workloads, validated against schemas/profile.schema.json (ajv) and
// then by the same range rules as `bench` flags. Every error names the file, the line, the field,
// what was given and what is allowed.

import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

import {Ajv2020, type ErrorObject} from 'ajv/dist/2020.js'
import {LineCounter, parseDocument, type Node as YamlNode} from 'yaml'

import {parseMix, parseWait} from '../bench/spec.js'
import {oneLine, shown, UsageError} from '../errors.js'
import {DEFAULT_GATE} from '../gate/gate.js'
import type {GateConfig} from '../model/gate.js'
import type {WorkloadSpec} from '../model/workload.js'
import {profileLabels, type Setting, type SettingKey, SETTINGS} from '../settings/table.js'
import {toWorkloadSpec, type WorkloadInput} from '../settings/workload.js'
import {DURATION_HINT, parseDuration, parseSize, textOf} from '../units.js'

export const PROFILE_DIR = fileURLToPath(new URL('../../bench-profiles', import.meta.url))
const SCHEMA_PATH = fileURLToPath(new URL('../../schemas/profile.schema.json', import.meta.url))

interface Profile {
  name: string
  file: string
  description?: string
  workloads: WorkloadSpec[]
  /** Runs of each workload, interleaved. */
  trials: number
  gate: GateConfig
}

/** A profile entry's settings as written (schemas/profile.schema.json `$defs.settings`, made from the table). */
type Settings = Partial<Record<SettingKey, unknown>>

interface ProfileFile {
  description?: string
  trials?: number
  gate?: Partial<GateConfig>
  defaults?: Settings
  workloads: Array<Settings & {name: string; op: WorkloadSpec['op']}>
}

let validate: ReturnType<Ajv2020['compile']> | undefined

function schemaValidator(): ReturnType<Ajv2020['compile']> {
  validate ??= new Ajv2020({allErrors: false, strict: true, strictRequired: false}).compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')))
  return validate
}

/** The shipped profiles, by name. */
export function shippedProfiles(): string[] {
  return readdirSync(PROFILE_DIR)
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => file.slice(0, -'.yaml'.length))
    .sort()
}

/** Resolves a profile argument: a path to a YAML file, or the name of a shipped profile. */
function resolveProfile(nameOrPath: string): string {
  if (nameOrPath.endsWith('.yaml') || nameOrPath.endsWith('.yml') || nameOrPath.includes('/')) {
    if (!existsSync(nameOrPath)) throw new UsageError(`profile: ${shown(nameOrPath)} does not exist`)
    return nameOrPath
  }
  const shipped = path.join(PROFILE_DIR, `${nameOrPath}.yaml`)
  if (!existsSync(shipped)) {
    throw new UsageError(
      `profile: '${shown(nameOrPath)}' is neither a file nor a shipped profile; shipped: ${shippedProfiles().join(', ')}`,
    )
  }
  return shipped
}

export function loadProfile(nameOrPath: string): Profile {
  const file = resolveProfile(nameOrPath)
  const where = oneLine(path.relative(process.cwd(), file) || file)
  const lines = new LineCounter()
  const document = parseDocument(readFileSync(file, 'utf8'), {lineCounter: lines, prettyErrors: false})
  if (document.errors.length > 0) {
    const error = document.errors[0]
    const line = lines.linePos(error.pos[0]).line
    throw new UsageError(`${where}:${line}: not valid YAML: ${shown(error.message.split('\n')[0])}`)
  }
  let data: unknown
  try {
    // Aliases resolve here: a missing anchor or an alias bomb (yaml caps expansions) throws.
    data = document.toJS({maxAliasCount: 100})
  } catch (error) {
    throw new UsageError(`${where}: not valid YAML: ${shown((error as Error).message.split('\n')[0])}`)
  }
  const lineOf = (fieldPath: Array<string | number>): number => {
    // The deepest node that exists on the path: an unknown or missing field points at its parent.
    for (let depth = fieldPath.length; depth >= 0; depth--) {
      const node = document.getIn(fieldPath.slice(0, depth), true) as YamlNode | undefined
      if (node?.range) return lines.linePos(node.range[0]).line
    }
    return 1
  }
  if (!schemaValidator()(data)) {
    throw new UsageError(describeSchemaError(where, schemaValidator().errors![0], data, lineOf))
  }
  const profile = data as ProfileFile
  const name = path.basename(file).replace(/\.ya?ml$/, '')
  const trials = profile.trials ?? 1
  const gate = {...DEFAULT_GATE, ...profile.gate, metrics: profile.gate?.metrics ?? DEFAULT_GATE.metrics}
  return {
    name,
    file,
    description: profile.description,
    trials,
    gate,
    workloads: profile.workloads.map((entry, index) => {
      const at = (field: string): string => `${where}:${lineOf(['workloads', index, field])}: workloads[${index}].${field}`
      return toWorkload({...profile.defaults, ...entry}, at)
    }),
  }
}

/**
 * Loads the profiles to run together. A workload name may appear only once among them: every
 * report, CI form, merge and gate verdict tells workloads apart by name.
 */
export function loadProfiles(namesOrPaths: string[]): Profile[] {
  const seen = new Map<string, string>()
  return namesOrPaths.map((nameOrPath) => {
    const profile = loadProfile(nameOrPath)
    const shown = path.relative(process.cwd(), profile.file) || profile.file
    profile.workloads.forEach((workload, index) => {
      const earlier = seen.get(workload.name)
      if (earlier) {
        throw new UsageError(
          `${shown}: workloads[${index}].name: '${workload.name}' is not allowed; ${earlier} already has a workload of that name, and reports tell workloads apart by name`,
        )
      }
      seen.set(workload.name, shown)
    })
    return profile
  })
}

/** A profile entry's settings, converted by the table's type of each (durations and sizes to numbers). */
function toWorkload(settings: Settings & {name: string}, at: (field: string) => string): WorkloadSpec {
  const labels = profileLabels(at)
  const input: Record<string, unknown> = {name: settings.name}
  for (const row of SETTINGS as readonly Setting[]) {
    const value = settings[row.key as SettingKey]
    const label = labels[row.key as SettingKey]
    if (value === undefined) continue
    if (row.type === 'duration') input[row.key] = parseDuration(textOf(value), label)
    else if (row.type === 'size') input[row.key] = parseSize(textOf(value), label)
    else if (row.type === 'mix') input[row.key] = parseMix(value as string | Record<string, unknown>, label)
    else if (row.type === 'wait') input[row.key] = parseWait(textOf(value), label)
    else input[row.key] = value
  }
  return toWorkloadSpec(input as WorkloadInput, labels)
}

/** One sentence for the first schema violation, in the profile's own terms. */
function describeSchemaError(
  file: string,
  error: ErrorObject,
  data: unknown,
  lineOf: (fieldPath: Array<string | number>) => number,
): string {
  const fieldPath = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part))
  const field = fieldPath.reduce<string>(
    (text, part) => (typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part),
    '',
  )
  const given = fieldPath.reduce<unknown>((value, part) => (value as Record<string, unknown>)?.[part], data)
  const shownGiven = shown(JSON.stringify(given) ?? String(given))
  const where = (extra?: string): string => {
    const full = extra === undefined ? fieldPath : [...fieldPath, extra]
    const label = extra === undefined ? field || '(top level)' : field ? `${field}.${extra}` : extra
    return `${file}:${lineOf(full)}: ${shown(label)}`
  }
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const unknown = String(params.additionalProperty ?? params.unevaluatedProperty)
      return `${where(unknown)}: unknown field; remove it or use one of: ${allowedFields(fieldPath)}`
    }
    case 'required':
      return `${where()}: the field '${String(params.missingProperty)}' is missing; every ${field.startsWith('workloads') ? 'workload' : 'profile'} needs it`
    case 'enum':
      return `${where()}: ${shownGiven} is not allowed; use one of: ${(params.allowedValues as unknown[]).join(', ')}`
    case 'type':
      if (error.schemaPath.includes('/duration/')) return `${where()}: ${shownGiven} is not allowed; ${DURATION_HINT}`
      return `${where()}: ${shownGiven} is not allowed; it must be ${article(String(params.type))}`
    case 'minimum':
    case 'maximum':
      return `${where()}: ${shownGiven} is not allowed; it must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}`
    case 'exclusiveMinimum':
      return `${where()}: ${shownGiven} is not allowed; it must be above ${String(params.limit)}`
    case 'pattern':
      return fieldPath.at(-1) === 'name'
        ? `${where()}: ${shownGiven} is not allowed; use letters, digits, '.', '_' or '-'`
        : `${where()}: ${shownGiven} is not allowed; ${DURATION_HINT}`
    case 'maxLength':
      // The value itself may be thousands of characters: its length says enough.
      return `${where()}: ${(given as string).length} characters are not allowed; use at most ${String(params.limit)}`
    case 'minItems':
      return `${where()}: the list is empty; name at least one workload`
    case 'uniqueItems':
      return `${where()}: ${shownGiven} lists a value twice`
    default:
      return `${where()}: ${error.message}`
  }
}

function allowedFields(fieldPath: Array<string | number>): string {
  const settings = SETTINGS.map((row) => row.key)
  if (fieldPath.length === 0) return 'description, trials, gate, defaults, workloads'
  if (fieldPath[0] === 'gate')
    return fieldPath.length === 1 ? 'alpha, confidence, metrics' : 'opsPerSec, p50, p99, vsRaw (each {minEffect})'
  return (fieldPath[0] === 'workloads' ? ['name', ...settings] : settings).join(', ')
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`
}
