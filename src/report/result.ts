// The result document: one JSON value per run, versioned, from which every other form (terminal,
// HdrHistogram, HTML, CI formats) is rendered.

import {median} from 'simple-statistics'

import type {MeasuredBaseline} from '../bench/baseline.js'
import type {SystemRun, WindowEnd, WorkloadRun} from '../bench/run.js'
import {hostInfo, kernelInfo} from '../host.js'
import type {NativeCpu, NativeOpStats} from '../native/addon.js'
import {explainNativeError} from '../probe/explain.js'

import {toolInfo} from '../model/envelope.js'
import type {LatencySummary} from '../model/latency.js'
import type {NativeCounters, NativeHistogram} from '../model/native.js'
import {
  type IdleCpu,
  type FileResult,
  type Outcomes,
  type Ratio,
  RESULT_KIND,
  RESULT_SCHEMA_VERSION,
  type ResultDocument,
  type SkippedSystem,
  type Spread,
  type SystemResult,
  type TimelineWindow,
  type TrialResult,
  type WorkloadResult,
} from '../model/result.js'
import type {BaselineName, SystemName, WorkloadSpec} from '../model/workload.js'
import {LOOP_COUNTERS, rawRingCounters} from './counters.js'
import {decodeHistogram, histogramFromBuckets, newHistogram, summarize} from './histogram.js'

const perSec = (count: number, elapsedNs: number): number => (elapsedNs > 0 ? (count * 1e9) / elapsedNs : 0)

function summarizeNative(histogram: NativeHistogram): LatencySummary {
  return summarize(histogramFromBuckets(histogram.buckets), histogram.count ? {min: histogram.minNs, max: histogram.maxNs} : undefined)
}

function outcomesOf(stats: Pick<NativeOpStats, 'expected' | 'timedOut' | 'abandoned' | 'corrupt' | 'unexpected'>): Outcomes {
  return {
    expected: stats.expected,
    timedOut: stats.timedOut,
    abandoned: stats.abandoned,
    corrupt: stats.corrupt,
    unexpected: stats.unexpected,
  }
}

/** The CPU of a system over its trials: times and counts added, the CPU's counts only where every trial has them. */
function mergedCpu(results: SystemResult[]): SystemResult['cpu'] {
  const sum = (value: (cpu: SystemResult['cpu']) => number | undefined): number =>
    results.reduce((total, r) => total + (value(r.cpu) ?? 0), 0)
  const every = (value: (cpu: SystemResult['cpu']) => number | undefined): boolean => results.every((r) => value(r.cpu) !== undefined)
  const unexplained = results.find((r) => r.cpu.hardwareCounters)?.cpu.hardwareCounters
  const merged = cpuOf(
    {
      userNs: sum((cpu) => cpu.userNs),
      systemNs: sum((cpu) => cpu.systemNs),
      ioThreadsNs: sum((cpu) => cpu.ioThreadsNs),
      ...(every((cpu) => cpu.voluntarySwitches)
        ? {voluntarySwitches: sum((cpu) => cpu.voluntarySwitches), involuntarySwitches: sum((cpu) => cpu.involuntarySwitches)}
        : {}),
      ...(every((cpu) => cpu.instructions)
        ? {
            instructions: sum((cpu) => cpu.instructions),
            cycles: sum((cpu) => cpu.cycles),
            hardwareUserOnly: results.some((r) => r.cpu.hardwareUserOnly),
            hardwareCountedShare: Math.min(...results.map((r) => r.cpu.hardwareCountedShare ?? 1)),
          }
        : {}),
    },
    sum((cpu) => cpu.ops),
  )
  return unexplained && merged.instructions === undefined ? {...merged, hardwareCounters: unexplained} : merged
}

/** What a system's threads cost: CPU time, and for loop and raw the counts behind it. */
type CpuInput = {userNs: number; systemNs: number; ioThreadsNs?: number; leavesOut?: string} & Partial<
  Pick<
    NativeCpu,
    | 'voluntarySwitches'
    | 'involuntarySwitches'
    | 'instructions'
    | 'cycles'
    | 'hardwareUserOnly'
    | 'hardwareCountedShare'
    | 'hardwareCountersError'
  >
>

function cpuOf(cpu: CpuInput, ops: number): SystemResult['cpu'] {
  const per = (count: number): number => (ops ? count / ops : 0)
  const {
    ioThreadsNs,
    voluntarySwitches,
    involuntarySwitches,
    instructions,
    cycles,
    hardwareUserOnly,
    hardwareCountedShare,
    hardwareCountersError,
    ...times
  } = cpu
  return {
    ...times,
    nsPerOp: per(cpu.userNs + cpu.systemNs),
    userNsPerOp: per(cpu.userNs),
    systemNsPerOp: per(cpu.systemNs),
    ops,
    // Only where io_uring's kernel threads ran (SQPOLL, io-wq): counted in systemNs already.
    ...(ioThreadsNs ? {ioThreadsNs, ioThreadsNsPerOp: per(ioThreadsNs)} : {}),
    ...(voluntarySwitches !== undefined && involuntarySwitches !== undefined
      ? {voluntarySwitches, involuntarySwitches, switchesPerOp: per(voluntarySwitches + involuntarySwitches)}
      : {}),
    ...(instructions !== undefined && cycles !== undefined
      ? {
          instructions,
          cycles,
          instructionsPerOp: per(instructions),
          cyclesPerOp: per(cycles),
          ...(hardwareUserOnly ? {hardwareUserOnly: true as const} : {}),
          ...(hardwareCountedShare !== undefined && hardwareCountedShare < 1 ? {hardwareCountedShare} : {}),
        }
      : {}),
    ...(hardwareCountersError ? {hardwareCounters: hardwareCountersReason(hardwareCountersError)} : {}),
  }
}

/** Why the CPU's instructions and cycles were not counted, from perf_event_open's errno. */
function hardwareCountersReason(code: string): string {
  if (code === 'ENOENT' || code === 'EOPNOTSUPP' || code === 'ENODEV')
    return `perf_event_open: ${code}: this CPU gives no hardware counters here (a VM without a virtual PMU)`
  if (code === 'EACCES' || code === 'EPERM')
    return `perf_event_open: ${code}: not allowed here (kernel.perf_event_paranoid, or a seccomp filter)`
  return `perf_event_open: ${code}`
}

/** A timeline holds at most this many windows: a long or op-count run's are merged k at a time. */
const MAX_TIMELINE_WINDOWS = 100

/** Each window's own ops and bytes, from where the run stood at each window's end. */
export function timelineOf(all: WindowEnd[]): TimelineWindow[] {
  const every = Math.ceil(all.length / MAX_TIMELINE_WINDOWS)
  // Every k-th end, and the last of each phase, so no window spans the warm-up's end.
  const ends = all.filter((end, i) => (i + 1) % every === 0 || i === all.length - 1 || all[i + 1].measuring !== end.measuring)
  return ends.map((end, i) => ({
    endNs: end.elapsedNs,
    ops: end.opsEnded - (ends[i - 1]?.opsEnded ?? 0),
    bytes: end.bytesEnded - (ends[i - 1]?.bytesEnded ?? 0),
    warmup: !end.measuring,
  }))
}

function idleCpuOf(windowNs: number, cpuNs: number): IdleCpu {
  return {windowNs, cpuNs, shareOfCore: windowNs > 0 ? cpuNs / windowNs : 0}
}

function nativeSystem(run: SystemRun, open: boolean, spec?: WorkloadSpec): SystemResult {
  const {stats, counters, ring, error} = run.native!
  const {readBack} = stats
  return {
    system: run.system,
    error: error ? {...error, explanation: explainNativeError(error, spec)} : null,
    ops: stats.ops,
    elapsedNs: stats.elapsedNs,
    opsPerSec: perSec(stats.ops, stats.elapsedNs),
    bytes: stats.bytes,
    bytesPerSec: perSec(stats.bytes, stats.elapsedNs),
    outcomes: outcomesOf(stats),
    latency: summarizeNative(stats.latency),
    ...(open && stats.service ? {service: summarizeNative(stats.service), openLoop: {late: stats.late, missed: stats.missed}} : {}),
    ...(stats.timeoutLateness.count + stats.timeoutsEarly > 0
      ? {opTimeouts: {lateness: summarizeNative(stats.timeoutLateness), early: stats.timeoutsEarly}}
      : {}),
    ...(stats.kinds.length
      ? {
          kinds: stats.kinds.map((kind) => ({
            kind: kind.name,
            ops: kind.ops,
            opsPerSec: perSec(kind.ops, stats.elapsedNs),
            bytes: kind.bytes,
            bytesPerSec: perSec(kind.bytes, stats.elapsedNs),
            outcomes: outcomesOf(kind),
            latency: summarizeNative(kind.latency),
            ...(open && kind.service ? {service: summarizeNative(kind.service)} : {}),
          })),
        }
      : {}),
    ...(readBack.blocks > 0 || readBack.errno !== 0
      ? {
          readBack: {
            blocks: readBack.blocks,
            corrupt: readBack.corrupt,
            firstCorruptOffset: readBack.firstCorruptOffset >= 0 ? readBack.firstCorruptOffset : null,
            error: readBack.errno ? readBack.code : null,
          },
        }
      : {}),
    // Per op of every op that ended (warm-up included), since the CPU time covers the whole run.
    cpu: cpuOf(stats.cpu, stats.allOps),
    // The raw ring counts only a few of the loop's counters: the others it does not have, not 0.
    counters: run.system === 'raw' ? rawRingCounters(counters) : counters,
    ...(run.native!.idle ? {idleCpu: idleCpuOf(run.native!.idle.windowNs, run.native!.idle.userNs + run.native!.idle.systemNs)} : {}),
    ring,
    ...(run.windows?.length ? {timeline: timelineOf(run.windows)} : {}),
  }
}

function measuredSystem(system: SystemName, measured: MeasuredBaseline, open: boolean): SystemResult {
  return {
    system,
    error: null,
    ops: measured.ops,
    elapsedNs: measured.elapsedNs,
    opsPerSec: perSec(measured.ops, measured.elapsedNs),
    bytes: measured.bytes,
    bytesPerSec: perSec(measured.bytes, measured.elapsedNs),
    outcomes: {expected: measured.expected, timedOut: 0, abandoned: 0, corrupt: 0, unexpected: measured.unexpected},
    latency: summarize(measured.latency),
    ...(open && measured.service
      ? {service: summarize(measured.service), openLoop: {late: measured.late ?? 0, missed: measured.missed ?? 0}}
      : {}),
    // fio and node-fs measure CPU over their measured phase only.
    cpu: cpuOf(measured.cpu, measured.ops),
    counters: {},
    info: measured.info,
  }
}

/** A trial: the systems that ran, and why each that did not run did not. */
function trialResult(runs: SystemRun[], open: boolean, spec: WorkloadSpec): TrialResult {
  const systems: SystemResult[] = []
  const skipped: SkippedSystem[] = []
  for (const run of runs) {
    if (run.native) systems.push(nativeSystem(run, open, spec))
    else if (run.measured) systems.push(measuredSystem(run.system, run.measured, open))
    else skipped.push({system: run.system, reason: run.skipped ?? run.failed ?? 'did not run'})
  }
  return {systems, ...(skipped.length ? {skipped} : {})}
}

function ratio(numerator: number, denominator: number): number | null {
  return numerator > 0 && denominator > 0 ? numerator / denominator : null
}

/** The loop's figures next to each baseline's that ran. */
function baselineRatios(systems: SystemResult[]): Ratio[] {
  const loop = systems.find((s) => s.system === 'loop')
  if (!loop) return []
  return systems
    .filter((baseline) => baseline.system !== 'loop')
    .map((baseline) => ({
      baseline: baseline.system as BaselineName,
      opsPerSec: ratio(loop.opsPerSec, baseline.opsPerSec),
      p50: ratio(loop.latency.p50, baseline.latency.p50),
      p99: ratio(loop.latency.p99, baseline.latency.p99),
      p90: ratio(loop.latency.p90, baseline.latency.p90),
      p999: ratio(loop.latency.p999, baseline.latency.p999),
      bytesPerSec: ratio(loop.bytesPerSec, baseline.bytesPerSec),
      // A baseline's figure that leaves threads out would flatter it.
      cpuPerOp: baseline.cpu.leavesOut ? null : ratio(loop.cpu.nsPerOp, baseline.cpu.nsPerOp),
    }))
}

function addHistograms(summaries: Array<LatencySummary | undefined>): LatencySummary | undefined {
  const present = summaries.filter((summary): summary is LatencySummary => summary !== undefined)
  if (present.length === 0) return undefined
  const histogram = newHistogram()
  for (const summary of present) histogram.add(decodeHistogram(summary.histogram))
  const measured = present.filter((summary) => summary.count > 0)
  return summarize(
    histogram,
    measured.length ? {min: Math.min(...measured.map((s) => s.min)), max: Math.max(...measured.map((s) => s.max))} : undefined,
  )
}

function addOutcomes(all: Outcomes[]): Outcomes {
  const unexpected: Record<string, number> = {}
  for (const outcomes of all) {
    for (const [value, count] of Object.entries(outcomes.unexpected)) unexpected[value] = (unexpected[value] ?? 0) + count
  }
  const sum = (key: 'expected' | 'timedOut' | 'abandoned' | 'corrupt'): number => all.reduce((total, o) => total + o[key], 0)
  return {expected: sum('expected'), timedOut: sum('timedOut'), abandoned: sum('abandoned'), corrupt: sum('corrupt'), unexpected}
}

const COUNTER_KINDS = new Map(LOOP_COUNTERS.map(({name, kind}) => [name, kind]))

/**
 * Several measurements of one system as one: histograms added (percentiles computed again from
 * the sum, never averaged), counts summed, counters by their kind, rates the median.
 */
function mergeSystemResults(results: SystemResult[]): SystemResult {
  const [first] = results
  const sum = (pick: (result: SystemResult) => number): number => results.reduce((total, result) => total + pick(result), 0)
  // fio and node-fs have no loop counters: only the names a result has are merged.
  const counters: NativeCounters = {}
  for (const result of results) {
    for (const [name, value] of Object.entries(result.counters)) {
      const total = (COUNTER_KINDS.get(name) ?? 'total') === 'total'
      counters[name] = total ? (counters[name] ?? 0) + value : Math.max(counters[name] ?? 0, value)
    }
  }
  const kindNames = [...new Set(results.flatMap((result) => (result.kinds ?? []).map((kind) => kind.kind)))]
  const readBacks = results.flatMap((result) => (result.readBack ? [result.readBack] : []))
  const openLoops = results.flatMap((result) => (result.openLoop ? [result.openLoop] : []))
  const service = addHistograms(results.map((result) => result.service))
  const opTimeouts = results.flatMap((result) => (result.opTimeouts ? [result.opTimeouts] : []))
  const idles = results.flatMap((result) => (result.idleCpu ? [result.idleCpu] : []))
  return {
    system: first.system,
    error: results.find((result) => result.error)?.error ?? null,
    ops: sum((result) => result.ops),
    elapsedNs: sum((result) => result.elapsedNs),
    opsPerSec: median(results.map((result) => result.opsPerSec)),
    bytes: sum((result) => result.bytes),
    bytesPerSec: median(results.map((result) => result.bytesPerSec)),
    outcomes: addOutcomes(results.map((result) => result.outcomes)),
    latency: addHistograms(results.map((result) => result.latency))!,
    ...(service ? {service} : {}),
    ...(openLoops.length
      ? {openLoop: {late: openLoops.reduce((t, o) => t + o.late, 0), missed: openLoops.reduce((t, o) => t + o.missed, 0)}}
      : {}),
    ...(opTimeouts.length
      ? {
          opTimeouts: {
            lateness: addHistograms(opTimeouts.map((o) => o.lateness))!,
            early: opTimeouts.reduce((t, o) => t + o.early, 0),
          },
        }
      : {}),
    ...(kindNames.length
      ? {
          kinds: kindNames.map((name) => {
            const kinds = results.flatMap((result) => (result.kinds ?? []).filter((kind) => kind.kind === name))
            const kindService = addHistograms(kinds.map((kind) => kind.service))
            return {
              kind: name,
              ops: kinds.reduce((t, k) => t + k.ops, 0),
              opsPerSec: median(kinds.map((k) => k.opsPerSec)),
              bytes: kinds.reduce((t, k) => t + k.bytes, 0),
              bytesPerSec: median(kinds.map((k) => k.bytesPerSec)),
              outcomes: addOutcomes(kinds.map((k) => k.outcomes)),
              latency: addHistograms(kinds.map((k) => k.latency))!,
              ...(kindService ? {service: kindService} : {}),
            }
          }),
        }
      : {}),
    ...(readBacks.length
      ? {
          readBack: {
            blocks: readBacks.reduce((t, r) => t + r.blocks, 0),
            corrupt: readBacks.reduce((t, r) => t + r.corrupt, 0),
            firstCorruptOffset: readBacks.find((r) => r.firstCorruptOffset !== null)?.firstCorruptOffset ?? null,
            error: readBacks.find((r) => r.error)?.error ?? null,
          },
        }
      : {}),
    cpu: mergedCpu(results),
    counters,
    ...(idles.length
      ? {
          idleCpu: idleCpuOf(
            idles.reduce((t, i) => t + i.windowNs, 0),
            idles.reduce((t, i) => t + i.cpuNs, 0),
          ),
        }
      : {}),
    ...(first.ring ? {ring: first.ring} : {}),
    ...(first.info ? {info: first.info} : {}),
  }
}

/** Median, min and max of `values`: the one median every figure uses (the mean of the middle two for an even count). */
export function spreadOf(values: number[]): Spread {
  return {median: median(values), min: Math.min(...values), max: Math.max(...values)}
}

function fileResult(runs: WorkloadRun[]): FileResult | undefined {
  const file = runs[0]?.file
  if (!file) return undefined
  const direct = runs[0].spec.file?.direct ?? false
  const pageCache = direct
    ? 'bypassed (O_DIRECT)'
    : file.residentShare >= 0.99
      ? 'hot'
      : file.residentShare <= 0.01
        ? 'cold'
        : 'partly cached'
  return {
    path: file.path,
    createdByTool: file.createdByTool,
    removed: runs.every((run) => run.file?.removed),
    filesystem: file.filesystem,
    sizeBytes: file.sizeBytes,
    residentShare: file.residentShare,
    pageCache,
  }
}

/**
 * A workload from its trials: each system merged over them, its spread, the ratios. Serves a
 * run (its own trials) and `report merge` (the trials of every run merged).
 */
export function workloadFromTrials(
  spec: WorkloadSpec,
  trials: TrialResult[],
  {interrupted, file}: {interrupted: boolean; file?: FileResult},
): WorkloadResult {
  const names = [...new Set(trials.flatMap((trial) => trial.systems.map((system) => system.system)))]
  const perSystem = names.map((name) => trials.flatMap((trial) => trial.systems.filter((system) => system.system === name)))
  const systems = perSystem.map(mergeSystemResults)
  const skipped = trials
    .flatMap((trial) => trial.skipped ?? [])
    .filter((entry, i, all) => !names.includes(entry.system) && all.findIndex((other) => other.system === entry.system) === i)
  const spread = perSystem.map((results) => ({
    system: results[0].system,
    opsPerSec: spreadOf(results.map((r) => r.opsPerSec)),
    p50: spreadOf(results.map((r) => r.latency.p50)),
    p99: spreadOf(results.map((r) => r.latency.p99)),
  }))
  const rate = spec.drive.rate
  return {
    name: spec.name,
    spec,
    systems,
    ...(skipped.length ? {skipped} : {}),
    ratios: baselineRatios(systems),
    spread,
    trials,
    interrupted,
    ...(file ? {file} : {}),
    ...(rate !== undefined ? {openLoop: {rate, arrivals: spec.drive.arrivals ?? 'uniform'}} : {}),
  }
}

/** A workload's trials, each a run of the loop and its baselines. */
function workloadResult(spec: WorkloadSpec, runs: WorkloadRun[]): WorkloadResult {
  const open = spec.drive.rate !== undefined
  const trials = runs.map((run) => trialResult(run.systems, open, spec))
  return workloadFromTrials(spec, trials, {interrupted: runs.some((run) => run.interrupted), file: fileResult(runs)})
}

/** Runs grouped by workload: every trial of each workload, in order. */
export function resultDocument(workloads: Array<{spec: WorkloadSpec; runs: WorkloadRun[]}>, toolVersion: string): ResultDocument {
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    kind: RESULT_KIND,
    tool: toolInfo(toolVersion),
    createdAt: new Date().toISOString(),
    host: hostInfo(),
    kernel: kernelInfo(),
    interrupted: workloads.some(({runs}) => runs.some((run) => run.interrupted)),
    workloads: workloads.filter(({runs}) => runs.length > 0).map(({spec, runs}) => workloadResult(spec, runs)),
  }
}

/** The first system that failed, if any (the run then ends with exit status 3). */
export function firstFailure(document: ResultDocument): SystemResult | undefined {
  for (const workload of document.workloads) {
    const failed = workload.systems.find((system) => system.error)
    if (failed) return failed
  }
  return undefined
}
