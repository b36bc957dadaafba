// The `probe-kernel --json` document: versioned (schemas/probe.schema.json), holding the raw
// facts as the probe gave them and, beside them, everything this version of the tool made of
// them. A fleet keeps these; `--input` reads one back and explains it again.

import {type HostInfo, hostInfo} from '../host.js'
import type {RawProbe} from '../native/addon.js'
import type {ProbeEvaluation} from './evaluate.js'
import type {RequirementResult} from './requirements.js'

export const PROBE_SCHEMA_VERSION = 1
export const PROBE_KIND = 'iouring-bench/probe'

export interface ProbeDocument extends ProbeEvaluation {
  schemaVersion: typeof PROBE_SCHEMA_VERSION
  kind: typeof PROBE_KIND
  tool: {name: string; version: string}
  createdAt: string
  /** Probed by this process, or read from a file (`--input`). */
  source: {probedHere: boolean; file: string | null}
  /** The machine, when probed here; a file does not say. */
  host: HostInfo | null
  /** The `--require` names and whether each is met; null without --require. */
  requirements: RequirementResult[] | null
  raw: RawProbe
}

export interface DocumentOptions {
  toolVersion: string
  /** The --input file; null when this process probed. */
  file: string | null
  requirements: RequirementResult[] | null
}

export function probeDocument(raw: RawProbe, evaluation: ProbeEvaluation, options: DocumentOptions): ProbeDocument {
  return {
    schemaVersion: PROBE_SCHEMA_VERSION,
    kind: PROBE_KIND,
    tool: {name: 'iouring-bench', version: options.toolVersion},
    createdAt: new Date().toISOString(),
    source: {probedHere: options.file === null, file: options.file},
    host: options.file === null ? hostInfo() : null,
    ...evaluation,
    requirements: options.requirements,
    raw,
  }
}
