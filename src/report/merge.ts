// Merging results (`report merge`), from repeated runs or from many hosts, without loss: the
// latency histograms are added and the percentiles computed again from the sum (never averaged),
// ops, outcomes, CPU time and counters add up, and the result lists the runs it came from.

import {isDeepStrictEqual} from 'node:util'

import {UsageError} from '../errors.js'
import {LOOP_COUNTERS} from './counters.js'
import {decodeHistogram, newHistogram, summarize} from './histogram.js'
import {
  baselineRatios,
  RESULT_KIND,
  RESULT_SCHEMA_VERSION,
  type ResultDocument,
  type ResultSource,
  type SystemResult,
  type WorkloadResult,
} from './result.js'

export interface NamedResult {
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
    tool: {name: 'iouring-bench', version: toolVersion},
    createdAt: new Date().toISOString(),
    // The first run's host and kernel stand for the merge; every run's own are in `sources`.
    host: first.document.host,
    kernel: first.document.kernel,
    interrupted: inputs.some(({document}) => document.interrupted),
    workloads: [...workloads.values()].map((same) => mergeWorkload(same.map(({workload}) => workload))),
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
  if (isDeepStrictEqual(a.workload.spec, b.workload.spec)) return
  const where = firstDifference(a.workload.spec, b.workload.spec, 'spec')
  throw new UsageError(
    `report merge: workload '${a.workload.name}' is not the same in ${a.file} and ${b.file} ` +
      `(${where.path}: ${JSON.stringify(where.a)} vs ${JSON.stringify(where.b)}); only runs of the same workload add up`,
  )
}

function firstDifference(a: unknown, b: unknown, path: string): {path: string; a: unknown; b: unknown} {
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    for (const key of keys) {
      const [x, y] = [(a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]]
      if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`)
    }
  }
  return {path, a: a ?? null, b: b ?? null}
}

function mergeWorkload(same: WorkloadResult[]): WorkloadResult {
  const systems = new Map<string, SystemResult[]>()
  for (const workload of same) {
    for (const system of workload.systems) systems.set(system.system, [...(systems.get(system.system) ?? []), system])
  }
  const merged = [...systems.values()].map(mergeSystems)
  return {
    name: same[0].name,
    spec: same[0].spec,
    systems: merged,
    ratios: baselineRatios(merged),
    interrupted: same.some((workload) => workload.interrupted),
  }
}

const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0)

function mergeSystems(runs: SystemResult[]): SystemResult {
  const histogram = newHistogram()
  for (const run of runs) histogram.add(decodeHistogram(run.latency.histogram))
  const measured = runs.filter((run) => run.latency.count > 0)
  const ops = sum(runs.map((run) => run.ops))
  const elapsedNs = sum(runs.map((run) => run.elapsedNs))
  const cpuNs = (run: SystemResult): number => run.cpu.userNs + run.cpu.systemNs
  // nsPerOp divides CPU time by every op the run issued (warm-up too), a count not stored apart.
  const cpuOps = sum(runs.map((run) => (run.cpu.nsPerOp > 0 ? cpuNs(run) / run.cpu.nsPerOp : 0)))
  const unexpected: Record<string, number> = {}
  for (const run of runs) {
    for (const [result, count] of Object.entries(run.outcomes.unexpected)) unexpected[result] = (unexpected[result] ?? 0) + count
  }
  return {
    system: runs[0].system,
    error: runs.find((run) => run.error)?.error ?? null,
    ops,
    elapsedNs,
    // The throughput of all runs together: total ops over total measured time.
    opsPerSec: elapsedNs > 0 ? (ops * 1e9) / elapsedNs : 0,
    outcomes: {
      expected: sum(runs.map((run) => run.outcomes.expected)),
      timedOut: sum(runs.map((run) => run.outcomes.timedOut)),
      abandoned: sum(runs.map((run) => run.outcomes.abandoned)),
      unexpected,
    },
    latency: summarize(
      histogram,
      measured.length ? {min: Math.min(...measured.map((run) => run.latency.min)), max: Math.max(...measured.map((run) => run.latency.max))} : undefined,
    ),
    cpu: {
      userNs: sum(runs.map((run) => run.cpu.userNs)),
      systemNs: sum(runs.map((run) => run.cpu.systemNs)),
      nsPerOp: cpuOps > 0 ? sum(runs.map(cpuNs)) / cpuOps : 0,
    },
    counters: Object.fromEntries(
      LOOP_COUNTERS.map(({name, kind}) => {
        const values = runs.map((run) => run.counters[name])
        return [name, kind === 'total' ? sum(values) : Math.max(...values)]
      }),
    ),
    // Same spec, so the same ring was asked for; the first run's answer stands for all.
    ring: runs[0].ring,
  }
}
