// Merging results (`report merge`), from repeated runs or from many hosts, without loss: every
// trial of every run is kept, and each system is merged over all of them as a run's own trials
// are (histograms added and percentiles computed again from the sum, never averaged; ops,
// outcomes, CPU time and counters added up). The result lists the runs it came from.

import {shown, UsageError} from '../errors.js'
import {specChanges} from '../gate/gate.js'
import {toolInfo} from '../model/envelope.js'
import {RESULT_KIND, RESULT_SCHEMA_VERSION, type ResultDocument, type ResultSource, type WorkloadResult} from '../model/result.js'
import {workloadFromTrials} from './result.js'

interface NamedResult {
  file: string
  document: ResultDocument
}

/** Merges one or more results (the command asks for at least one). */
export function mergeResults(inputs: NamedResult[], toolVersion: string): ResultDocument {
  const workloads = new Map<string, Array<{file: string; workload: WorkloadResult}>>()
  for (const {file, document} of inputs) {
    for (const workload of document.workloads) {
      const same = workloads.get(workload.name) ?? []
      if (same.length) checkSameSpec(same[0], {file, workload})
      workloads.set(workload.name, [...same, {file, workload}])
    }
  }
  const [first] = inputs
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    kind: RESULT_KIND,
    tool: toolInfo(toolVersion),
    createdAt: new Date().toISOString(),
    // The first run's host and kernel stand for the merge; every run's own are in `sources`.
    host: first.document.host,
    kernel: first.document.kernel,
    interrupted: inputs.some(({document}) => document.interrupted),
    workloads: [...workloads.values()].map((same) =>
      workloadFromTrials(
        same[0].workload.spec,
        same.flatMap(({workload}) => workload.trials),
        // Like the host, the first run's test file stands for the merge.
        {interrupted: same.some(({workload}) => workload.interrupted), file: same[0].workload.file},
      ),
    ),
    sources: inputs.flatMap(sourcesOf),
  }
}

/** A merged input contributes the runs it was merged from, so merging is associative. */
function sourcesOf({file, document}: NamedResult): ResultSource[] {
  return (
    document.sources ?? [
      {file, createdAt: document.createdAt, hostname: document.host.hostname, kernel: document.kernel, toolVersion: document.tool.version},
    ]
  )
}

function checkSameSpec(a: {file: string; workload: WorkloadResult}, b: {file: string; workload: WorkloadResult}): void {
  const changes = specChanges(a.workload, b.workload)
  if (!changes) return
  throw new UsageError(
    `report merge: workload '${shown(a.workload.name)}' is not the same in ${shown(a.file)} and ${shown(b.file)} (${changes}); only runs of the same workload add up`,
  )
}
