// Merging results (`report merge`), from repeated runs or from many hosts, without loss: every
// trial of every run is kept, and each system is merged over all of them as a run's own trials
// are (histograms added and percentiles computed again from the sum, never averaged; ops,
// outcomes, CPU time and counters added up). Runs of the same `bench --compare` merge into one
// comparison over all their trials. The result lists the runs it came from.

import {comparisonOf} from '../bench/comparison.js'
import {shown, UsageError} from '../errors.js'
import {specChanges} from '../gate/gate.js'
import {toolInfo} from '../model/envelope.js'
import {
  type Comparison,
  RESULT_KIND,
  RESULT_SCHEMA_VERSION,
  type ResultDocument,
  type ResultSource,
  type WorkloadResult,
} from '../model/result.js'
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
  const merged: ResultDocument = {
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
  const comparison = mergedComparison(inputs, merged)
  return comparison ? {...merged, comparison} : merged
}

/**
 * The comparison of runs of one `bench --compare` (every input has one, of the same
 * configurations), computed again over the merged trials; none when the inputs are not such runs.
 * A configuration skipped in every run stays skipped with its first reason.
 */
function mergedComparison(inputs: NamedResult[], merged: ResultDocument): Comparison | undefined {
  const comparisons = inputs.map(({document}) => document.comparison)
  const [first] = comparisons
  const names = (comparison: Comparison): string => JSON.stringify(comparison.configurations.map(({name, knobs}) => [name, knobs]))
  if (!first || comparisons.some((comparison) => !comparison || names(comparison) !== names(first))) return undefined
  const skipped = new Map<string, string>()
  first.configurations.forEach(({name, skipped: reason}, i) => {
    if (reason && comparisons.every((comparison) => comparison!.configurations[i].skipped)) skipped.set(name, reason)
  })
  const listed = first.configurations.map(({name, knobs}) => ({name, knobs}))
  const trials = comparisons.reduce((sum, comparison) => sum + comparison!.trials, 0)
  return comparisonOf(listed, merged, skipped, trials)
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
