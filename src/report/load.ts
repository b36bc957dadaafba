// Reading saved documents for `report`: a result, a fleet view, a probe, a shutdown drill, a
// stress-timeouts run or an advise run, told apart by `kind`
// (raw iouring-probe output by `rawProbeVersion`), each checked against its published schema. Anything else is
// refused in one line naming the file and what was expected (exit 2).

import {readFileSync} from 'node:fs'

import {shown, UsageError} from '../errors.js'
import {DRILL_SCHEMA_VERSION, type DrillDocument} from '../model/drill.js'
import {DOCUMENT_TITLES} from './formats.js'
import {FLEET_KIND, FLEET_SCHEMA_VERSION, type FleetDocument, type FleetHost} from '../model/fleet.js'
import {PROBE_KIND, PROBE_SCHEMA_VERSION} from '../model/probe.js'
import {RESULT_KIND, RESULT_SCHEMA_VERSION, type ResultDocument} from '../model/result.js'
import {ADVICE_SCHEMA_VERSION, type AdviceDocument} from '../model/advice.js'
import {HISTORY_KIND, HISTORY_SCHEMA_VERSION, type HistoryDocument} from '../model/history.js'
import {STRESS_SCHEMA_VERSION, type StressDocument} from '../model/stress.js'
import {RAW_PROBE_VERSION} from '../probe/input.js'
import {documentVerdict, rawVerdict} from './probe-verdict.js'
import {type SchemaName, schemaViolation} from './schema.js'

export type LoadedDocument =
  | {kind: 'result'; file: string; document: ResultDocument}
  | {kind: 'fleet'; file: string; document: FleetDocument}
  | {kind: 'probe'; file: string; host: FleetHost}
  | {kind: 'shutdown-drill'; file: string; document: DrillDocument}
  | {kind: 'stress-timeouts'; file: string; document: StressDocument}
  | {kind: 'advice'; file: string; document: AdviceDocument}
  | {kind: 'history'; file: string; document: HistoryDocument}

const EXPECTED = 'a result saved by bench or run (with --json, --output FILE.json or --save-baseline)'

/** `-` reads standard input, so `bench --json | iouring-bench report - --format html` works. */
function readText(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code ?? String(error)})`
    throw new UsageError(`${shown(file)}: ${why}; give ${EXPECTED}`)
  }
}

export function loadDocument(file: string): LoadedDocument {
  return parseDocument(readText(file), file)
}

/** A document from its text; `file` names it in messages (`file:line` for a line of a JSON-lines file). */
export function parseDocument(text: string, file: string): LoadedDocument {
  const name = shown(file)
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`${name}: not JSON (${shown((error as Error).message)}); give ${EXPECTED}`)
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    throw new UsageError(`${name}: not an iouring-bench result (a JSON ${Array.isArray(data) ? 'array' : typeof data}); give ${EXPECTED}`)
  }
  const json = data as Record<string, unknown>
  if (json.kind === RESULT_KIND)
    return {kind: 'result', file, document: checked(file, upgradedResult(json), 'result', RESULT_SCHEMA_VERSION)}
  if (json.kind === FLEET_KIND) return {kind: 'fleet', file, document: checked(file, json, 'fleet', FLEET_SCHEMA_VERSION)}
  if (json.kind === PROBE_KIND)
    return {kind: 'probe', file, host: {source: file, ...documentVerdict(checked(file, json, 'probe', PROBE_SCHEMA_VERSION))}}
  if (json.kind === 'iouring-bench/shutdown-drill')
    return {kind: 'shutdown-drill', file, document: checked(file, json, 'shutdown-drill', DRILL_SCHEMA_VERSION)}
  if (json.kind === 'iouring-bench/stress-timeouts')
    return {kind: 'stress-timeouts', file, document: checked(file, json, 'stress-timeouts', STRESS_SCHEMA_VERSION)}
  if (json.kind === 'iouring-bench/advice') return {kind: 'advice', file, document: checked(file, json, 'advice', ADVICE_SCHEMA_VERSION)}
  if (json.kind === HISTORY_KIND) return {kind: 'history', file, document: checked(file, json, 'history', HISTORY_SCHEMA_VERSION)}
  if ('rawProbeVersion' in json) {
    return {
      kind: 'probe',
      file,
      host: {source: file, ...rawVerdict(checked(file, json, 'raw-probe', RAW_PROBE_VERSION, 'rawProbeVersion'))},
    }
  }
  throw new UsageError(
    json.kind === undefined
      ? `${name}: not an iouring-bench result (it has no 'kind'); give ${EXPECTED}`
      : `${name}: kind ${shown(JSON.stringify(json.kind))} is not allowed; give ${EXPECTED}`,
  )
}

type SystemsHolder = {systems?: unknown; skipped?: unknown[]}
type OldSystem = {system?: unknown; skipped?: unknown}

/**
 * A result saved by iouring-bench 0.1.0 before skipped baselines were listed apart kept each as a
 * system of 0 ops holding `skipped: reason`. Such systems move to `skipped`, so baselines saved
 * then (a CI cache) still gate; the rest of the document is checked as it is.
 */
function upgradedResult(json: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(json.workloads)) return json
  const upgrade = (holder: SystemsHolder): void => {
    if (!holder || typeof holder !== 'object' || !Array.isArray(holder.systems)) return
    const systems = holder.systems as OldSystem[]
    const old = systems.filter((system) => typeof system?.skipped === 'string')
    if (old.length === 0) return
    holder.systems = systems.filter((system) => !old.includes(system))
    holder.skipped = [...(holder.skipped ?? []), ...old.map(({system, skipped}) => ({system, reason: skipped}))]
  }
  for (const workload of json.workloads as Array<SystemsHolder & {trials?: unknown}>) {
    upgrade(workload)
    if (Array.isArray(workload?.trials)) for (const trial of workload.trials as SystemsHolder[]) upgrade(trial)
  }
  return json
}

function checked<T>(
  file: string,
  json: Record<string, unknown>,
  schema: SchemaName,
  knownVersion: number,
  versionField = 'schemaVersion',
): T {
  const version = json[versionField]
  if (typeof version === 'number' && version > knownVersion) {
    throw new UsageError(
      `${shown(file)}: ${versionField} ${version} is not allowed; this iouring-bench reads ${typeof json.kind === 'string' ? json.kind : 'raw probes'} up to ${versionField} ${knownVersion}, ` +
        'so a newer iouring-bench wrote it: upgrade to read it',
    )
  }
  const violation = schemaViolation(schema, json)
  if (violation) throw new UsageError(`${shown(file)}: ${violation}; it does not match schemas/${schema}.schema.json`)
  return json as T
}

/** A result, and only a result (a baseline, say); `field` names where the file was given. */
export function readResult(file: string, field: string): ResultDocument {
  let loaded: LoadedDocument
  try {
    loaded = loadDocument(file)
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${field}: ${error.message}`)
    throw error
  }
  if (loaded.kind !== 'result')
    throw new UsageError(`${field}: ${shown(file)}: ${DOCUMENT_TITLES[loaded.kind]}, not a result; give ${EXPECTED}`)
  return loaded.document
}
