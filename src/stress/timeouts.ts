// stress-timeouts: op timeouts under load, and the seed's liveness scenario.
//
// The stress run is the ordinary loop benchmark on a mix of stalls (a RECV nobody answers,
// ended only by its op timeout) and normal ops, closed loop with more ops outstanding than the
// loop holds, so stalls fill the waiters and the normal ops get a slot only when a timeout frees
// one. No warm-up: every op counts, so the loop's counters cover the whole run and the counts
// must add up exactly. Then the same normal ops without stalls, for the throughput ratio. Then
// the liveness scenario (native/core/harness/liveness.h), without and with op timeouts.

import {checkLimits, limitBehind} from '../bench/needs.js'
import {nativeRequest} from '../bench/run.js'
import {EnvironmentError, invalidValue} from '../errors.js'
import {hostInfo, kernelInfo} from '../host.js'
import {onInterrupt} from '../interrupt.js'
import {toolInfo} from '../model/envelope.js'
import type {NativeCounters, NativeHistogram, NativeLivenessHalf, NativeLivenessResult, NativeProgress} from '../model/native.js'
import {
  type Check,
  outcome,
  STRESS_SCHEMA_VERSION,
  type StressDocument,
  type StressOptions,
  type StressResult,
  type ThroughputWindows,
} from '../model/stress.js'
import type {MixEntry, WorkloadSpec} from '../model/workload.js'
import {type NativeBenchResult, type NativeOpStats, runBench, runLiveness} from '../native/addon.js'
import {histogramFromBuckets, summarize} from '../report/histogram.js'
import {progressDisplay} from '../report/progress.js'
import {spreadOf} from '../report/result.js'
import type {FieldLabels} from '../settings/table.js'
import {toWorkloadSpec} from '../settings/workload.js'
import {formatDuration} from '../units.js'

/** The normal kinds a stress mix may hold next to its stalls. */
export const NORMAL_KINDS = ['nop', 'timer', 'socket'] as const

/**
 * Lateness allowed past each timeout's deadline, from measurement on the 2-vCPU development VM
 * while other builds ran (load average about 5): over 18 runs of the default stress, p50
 * 52-690 µs, p99 1.9-23 ms, max 4.1-53 ms. The tail is the loop thread waiting for a CPU; a
 * quiet machine can use a slack of a few ms.
 */
export const DEFAULT_SLACK_NS = 100_000_000

/** Where each option came from, in the user's terms: the settings' labels and the stress's own. */
export type StressLabels = FieldLabels & {slack: string; watchdog: string; skipLiveness: string}

/** Checks the options beyond what each flag checks alone; throws a UsageError naming the flag. */
export function checkStressOptions(options: StressOptions, label: StressLabels): WorkloadSpec {
  const shownMix = options.mix.map((entry) => `${entry.op}=${entry.weight}`).join(',')
  const allowedMix = `use stall plus normal kinds from: ${NORMAL_KINDS.join(', ')} (e.g. stall=1,nop=3,timer=3,socket=3)`
  if (options.mix.some((entry) => entry.op !== 'stall' && !(NORMAL_KINDS as readonly string[]).includes(entry.op))) {
    throw invalidValue(label.mix, shownMix, allowedMix)
  }
  if (!options.mix.some((entry) => entry.op === 'stall' && entry.weight > 0)) {
    throw invalidValue(label.mix, shownMix, `it needs stall with a weight above 0; ${allowedMix}`)
  }
  if (normalMix(options.mix).length === 0) {
    throw invalidValue(label.mix, shownMix, `it needs a normal kind with a weight above 0; ${allowedMix}`)
  }
  const spec = toWorkloadSpec(
    {
      name: 'stress',
      op: 'mix',
      mix: options.mix,
      timer: options.timerNs,
      ringSize: options.ringSize,
      opTimeout: options.opTimeoutNs,
      submitters: options.submitters,
      depth: options.depth,
      duration: options.durationNs,
      warmup: 0,
      vs: [],
    },
    workloadLabels(label),
  )
  const timeout = formatDuration(options.opTimeoutNs)
  if (options.mix.some((entry) => entry.op === 'timer' && entry.weight > 0) && options.timerNs >= options.opTimeoutNs) {
    throw invalidValue(
      label.timer,
      formatDuration(options.timerNs),
      `it must be shorter than ${label.opTimeout} (${timeout}), or the normal timers would time out too`,
    )
  }
  if (options.durationNs < 10 * options.opTimeoutNs) {
    throw invalidValue(
      label.duration,
      formatDuration(options.durationNs),
      `give at least 10 × ${label.opTimeout} (${formatDuration(10 * options.opTimeoutNs)}), so stalls time out and free their waiters many times over`,
    )
  }
  if (options.liveness && options.watchdogNs <= options.opTimeoutNs) {
    throw invalidValue(
      label.watchdog,
      formatDuration(options.watchdogNs),
      `it must be longer than ${label.opTimeout} (${timeout}), so the timeouts recover before the watchdog would step in (or give ${label.skipLiveness})`,
    )
  }
  return spec
}

function workloadLabels(label: StressLabels): FieldLabels {
  // The stress is one mix workload: its op is the mix the user gave.
  return {...label, op: label.mix}
}

function normalMix(mix: MixEntry[]): MixEntry[] {
  return mix.filter((entry) => entry.op !== 'stall' && entry.weight > 0)
}

interface NativeRun {
  result: NativeBenchResult
  /** Progress samples, every window, in run order. */
  samples: NativeProgress[]
}

/** Runs `spec` through the loop, sampling progress every `windowNs`. */
async function runLoop(
  spec: WorkloadSpec,
  windowNs: number,
  signal: AbortSignal,
  onProgress: (progress: NativeProgress) => void,
): Promise<NativeRun> {
  checkLimits([spec])
  const samples: NativeProgress[] = []
  const job = runBench({...nativeRequest(spec, 'loop'), progressIntervalMs: Math.max(1, Math.round(windowNs / 1e6))}, (progress) => {
    samples.push(progress)
    onProgress(progress)
  })
  const cancel = (): void => job.cancel()
  signal.addEventListener('abort', cancel, {once: true})
  try {
    const result = await job.result
    if (result.error) {
      const limit = limitBehind(result.error, spec)
      throw new EnvironmentError(`the loop could not run: ${result.error.message}${limit ? `: ${limit}` : ''}`)
    }
    return {result, samples}
  } finally {
    signal.removeEventListener('abort', cancel)
  }
}

function normalEnds(counters: NativeCounters): number {
  return counters.opsCompleted - counters.timeoutsFired
}

/** Normal-op throughput in each whole window of the measured phase (the drain at the end excluded). */
export function throughputWindows(samples: NativeProgress[], durationNs: number, windowNs: number): ThroughputWindows {
  const rates: number[] = []
  let empty = 0
  let previous = {elapsedNs: 0, ends: 0}
  for (const sample of samples) {
    if (sample.elapsedNs > durationNs) break
    const ends = normalEnds(sample.counters)
    const completed = ends - previous.ends
    if (completed === 0) empty++
    rates.push((completed * 1e9) / (sample.elapsedNs - previous.elapsedNs))
    previous = {elapsedNs: sample.elapsedNs, ends}
  }
  const {median, min, max} = rates.length > 0 ? spreadOf(rates) : {median: 0, min: 0, max: 0}
  return {windowNs, count: rates.length, empty, minOpsPerSec: min, medianOpsPerSec: median, maxOpsPerSec: max}
}

function kindStats(result: NativeBenchResult, kind: string): NativeOpStats | undefined {
  return result.stats.kinds.find((entry) => entry.name === kind)
}

/** How many recorded values of a native histogram exceed `limit`. */
function countAbove(histogram: NativeHistogram, limit: number): number {
  let count = 0
  for (let i = 0; i + 1 < histogram.buckets.length; i += 2) if (histogram.buckets[i] > limit) count += histogram.buckets[i + 1]
  return count
}

function summarizeStress(run: NativeRun, options: StressOptions, windowNs: number): StressResult {
  const {stats, counters} = run.result
  const stall = kindStats(run.result, 'stall')
  const perSec = (ops: number): number => (stats.elapsedNs > 0 ? (ops * 1e9) / stats.elapsedNs : 0)
  const normalKinds = stats.kinds.filter((kind) => kind.name !== 'stall')
  const normalOps = normalKinds.reduce((sum, kind) => sum + kind.ops, 0)
  const {timeoutLateness} = stall ?? stats
  return {
    elapsedNs: stats.elapsedNs,
    submitted: stats.issued,
    completed: counters.opsCompleted - counters.timeoutsFired,
    timedOut: counters.timeoutsFired,
    abandoned: counters.opsAbandoned,
    requesterEnds: stats.allOps,
    pendingAtEnd: counters.pendingOperations,
    // A stall's expected end is -ETIMEDOUT.
    stalls: {ops: stall?.ops ?? 0, timedOut: stall?.expected ?? 0},
    normal: {
      ops: normalOps,
      endedNormally: normalKinds.reduce((sum, kind) => sum + kind.expected, 0),
      opsPerSec: perSec(normalOps),
      kinds: normalKinds.map((kind) => ({kind: kind.name, ops: kind.ops, expected: kind.expected, opsPerSec: perSec(kind.ops)})),
    },
    lateness: {
      ...summarize(histogramFromBuckets(timeoutLateness.buckets), {min: timeoutLateness.minNs, max: timeoutLateness.maxNs}),
      overSlack: countAbove(timeoutLateness, options.slackNs),
      early: stall?.timeoutsEarly ?? 0,
    },
    windows: throughputWindows(run.samples, options.durationNs, windowNs),
    capacityStallsWaiterBound: counters.capacityStallsWaiterBound,
    counters,
  }
}

function stressChecks(stress: StressResult, options: StressOptions): Check[] {
  const deadline = `${formatDuration(options.opTimeoutNs)} + ${formatDuration(options.slackNs)} slack`
  const {lateness, windows} = stress
  const ended = stress.completed + stress.timedOut + stress.abandoned
  const addsUp =
    stress.submitted === stress.counters.opsAccepted &&
    stress.submitted === ended &&
    stress.submitted === stress.requesterEnds &&
    stress.pendingAtEnd === 0
  return [
    {
      name: 'stalled ops come back -ETIMEDOUT',
      passed: stress.stalls.ops > 0 && stress.stalls.timedOut === stress.stalls.ops,
      detail: `${stress.stalls.timedOut} of ${stress.stalls.ops} stalled ops ended with -ETIMEDOUT`,
    },
    {
      name: 'within the timeout + slack',
      passed: lateness.count > 0 && lateness.overSlack === 0 && lateness.early === 0,
      detail:
        lateness.overSlack === 0 && lateness.early === 0
          ? `every -ETIMEDOUT came within ${deadline} (at most ${formatDuration(lateness.max)} late)`
          : `${lateness.overSlack} of ${lateness.count} came later than ${deadline} (at most ${formatDuration(lateness.max)} late)` +
            (lateness.early > 0 ? `; ${lateness.early} came before their deadline` : ''),
    },
    {
      name: 'no op lost',
      passed: addsUp,
      detail:
        `submitted ${stress.submitted} = completed ${stress.completed} + timed out ${stress.timedOut} + abandoned ${stress.abandoned}` +
        (addsUp
          ? `; the loop accepted ${stress.counters.opsAccepted}, requesters saw ${stress.requesterEnds} ends, none pending`
          : ` (${ended}); the loop accepted ${stress.counters.opsAccepted}, requesters saw ${stress.requesterEnds} ends, ${stress.pendingAtEnd} pending at the end`),
    },
    {
      name: 'normal ops end normally',
      passed: stress.normal.ops > 0 && stress.normal.endedNormally === stress.normal.ops,
      detail: `${stress.normal.endedNormally} of ${stress.normal.ops} normal ops ended with their normal result`,
    },
    {
      name: 'waiters freed: normal ops keep completing',
      passed: windows.count > 0 && windows.empty === 0,
      detail:
        `normal ops completed in ${windows.count - windows.empty} of ${windows.count} windows of ${formatDuration(windows.windowNs)} ` +
        `while stalls held the waiters (${stress.capacityStallsWaiterBound} waiter-bound capacity stalls)`,
    },
  ]
}

function livenessChecks(liveness: NativeLivenessResult): Check[] {
  const without = liveness.withoutTimeouts
  const withTimeouts = liveness.withTimeouts
  const allEnded = (half: NativeLivenessHalf): boolean =>
    !half.gaveUp && half.error === null && half.ops.every((op) => op.end === 'completed')
  const reads = withTimeouts.ops.filter((op) => op.name.startsWith('read'))
  const writes = withTimeouts.ops.filter((op) => op.name.startsWith('write'))
  return [
    {
      name: 'liveness without timeouts: stall detected, then unblocked',
      passed: without.stalls.length > 0 && allEnded(without) && without.ops.every((op) => op.result > 0),
      detail:
        without.stalls.length > 0
          ? `watchdog: ${without.stalls[0].message}; after its rescue all four ops ended`
          : `the watchdog saw no capacity stall${without.error ? ` (${without.error})` : ''}`,
    },
    {
      name: 'liveness with timeouts: recovers on its own',
      passed:
        allEnded(withTimeouts) &&
        withTimeouts.stalls.length === 0 &&
        reads.every((op) => op.resultName === 'ETIMEDOUT') &&
        writes.every((op) => op.result > 0),
      detail: withTimeouts.ops.map((op) => `${op.name} ${outcome(op)}`).join(', '),
    },
  ]
}

interface StressRunOptions {
  toolVersion: string
  progress: boolean
}

/** Runs the stress, the comparison without stalls and the liveness scenario; SIGINT stops it with what was measured. */
export async function runStressTimeouts(options: StressOptions, spec: WorkloadSpec, run: StressRunOptions): Promise<StressDocument> {
  const abort = new AbortController()
  const dispose = onInterrupt(() => abort.abort())
  const display = progressDisplay(run.progress)
  // A waiter taken by a stall frees one op timeout later, so a window of ten of them (at least
  // 100 ms, longer than a busy machine keeps a thread off the CPU) sees slots freed many times;
  // at most a third of the run, so there are windows to judge.
  const windowNs = Math.min(Math.max(10 * options.opTimeoutNs, 100_000_000), Math.floor(options.durationNs / 3))
  const document: StressDocument = {
    schemaVersion: STRESS_SCHEMA_VERSION,
    kind: 'iouring-bench/stress-timeouts',
    tool: toolInfo(run.toolVersion),
    host: hostInfo(),
    kernel: kernelInfo(),
    config: {...options},
    passed: false,
    interrupted: false,
    checks: [],
    stress: null,
    withoutStalls: null,
    normalThroughputRatio: null,
    liveness: null,
  }
  delete (document.config as Partial<StressOptions>).liveness
  let shownAt = 0
  const show = (workload: WorkloadSpec) => (progress: NativeProgress) => {
    // Windows can be short; the status line need not be.
    if (progress.elapsedNs - shownAt < 250_000_000 && progress.elapsedNs > shownAt) return
    shownAt = progress.elapsedNs
    display.update({workload, system: 'loop', progress})
  }
  try {
    const stressed = await runLoop(spec, windowNs, abort.signal, show(spec))
    document.stress = summarizeStress(stressed, options, windowNs)
    document.checks.push(...stressChecks(document.stress, options))
    if (!abort.signal.aborted) {
      const calm: WorkloadSpec = {...spec, name: 'without stalls', mix: normalMix(options.mix)}
      shownAt = 0
      const unstressed = await runLoop(calm, windowNs, abort.signal, show(calm))
      const {stats} = unstressed.result
      const normalOpsPerSec = stats.elapsedNs > 0 ? (stats.ops * 1e9) / stats.elapsedNs : 0
      document.withoutStalls = {normalOpsPerSec, elapsedNs: stats.elapsedNs}
      document.normalThroughputRatio = normalOpsPerSec > 0 ? document.stress.normal.opsPerSec / normalOpsPerSec : null
    }
    if (options.liveness && !abort.signal.aborted) {
      document.liveness = await runLiveness({opTimeoutNs: options.opTimeoutNs, watchdogNs: options.watchdogNs})
      document.checks.push(...livenessChecks(document.liveness))
    }
  } finally {
    display.done()
    dispose()
  }
  document.interrupted = abort.signal.aborted
  document.passed = !document.interrupted && document.checks.every((check) => check.passed)
  return document
}
