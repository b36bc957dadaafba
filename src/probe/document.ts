// The `probe-kernel --json` document: versioned (schemas/probe.schema.json), holding the raw
// facts as the probe gave them and, beside them, everything this version of the tool made of
// them. A fleet keeps these; `--input` reads one back and explains it again.

import {hostInfo} from '../host.js'
import {toolInfo} from '../model/envelope.js'
import type {RawProbe} from '../model/native.js'
import {PROBE_KIND, PROBE_SCHEMA_VERSION, type ProbeDocument, type ProbeEvaluation, type RequirementResult} from '../model/probe.js'

interface DocumentOptions {
  toolVersion: string
  /** The --input file; null when this process probed. */
  file: string | null
  requirements: RequirementResult[] | null
}

export function probeDocument(raw: RawProbe, evaluation: ProbeEvaluation, options: DocumentOptions): ProbeDocument {
  return {
    schemaVersion: PROBE_SCHEMA_VERSION,
    kind: PROBE_KIND,
    tool: toolInfo(options.toolVersion),
    createdAt: new Date().toISOString(),
    source: {probedHere: options.file === null, file: options.file},
    host: options.file === null ? hostInfo() : null,
    ...evaluation,
    requirements: options.requirements,
    raw,
  }
}
