// The shutdown drill (issue 8): many rounds, each dropping every submitter of a loop at a random
// moment, with ops queued, in flight and about to complete, with and without a shutdown timeout.
// The native core runs the rounds (native/core/harness/shutdown_drill.h); this turns options into its
// request and its result into the document with one PASS/FAIL check each (drill/render.ts shows it).

import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {checkThreadLimits, threadLimitBehind} from '../bench/needs.js'
import {EnvironmentError, invalidValue} from '../errors.js'
import {hostInfo, kernelInfo} from '../host.js'
import {onInterrupt, registerTempPath, removeTempPath} from '../interrupt.js'
import {DRILL_SCHEMA_VERSION, type DrillCheck, type DrillDocument, type DrillModeReport, type DrillOptions} from '../model/drill.js'
import {toolInfo} from '../model/envelope.js'
import {REPORTED_PERCENTILES} from '../model/latency.js'
import type {NativeDrillMode, NativeError} from '../model/native.js'
import {MIX_KINDS} from '../model/workload.js'
import {type NativeDrillRequest, type NativeDrillResult, runShutdownDrill} from '../native/addon.js'
import type {FieldLabels} from '../settings/table.js'
import {checkRange, checkRingSize} from '../settings/workload.js'
import {histogramFromBuckets, summarize} from '../report/histogram.js'
import {statusLine} from '../report/progress.js'
import {formatCount, formatDuration} from '../units.js'

export const DRILL_OPS = MIX_KINDS
/** The shutdown timeout of the "with" rounds when --shutdown-timeout is not given. */
export const DEFAULT_SHUTDOWN_TIMEOUT_NS = 20e6
export const DEFAULT_OP_TIMEOUT_NS = 50e6
// Below the table's 256 for the bench: a drill starts this many requester threads in every
// round, round after round, so it keeps the count lower.
const MAX_SUBMITTERS = 64
const MAX_ROUNDS = 1_000_000

/** Labels of the fields as the user gave them (flags), for error messages: the settings' and the drill's own. */
export type DrillLabels = FieldLabels & {rounds: string; seed: string; ops: string; roundDeadline: string}

function checkWhole(value: number, min: number, max: number, label: string): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw invalidValue(label, value, `use ${min} to ${max}`)
}

/** Throws a UsageError naming the field for anything out of range. */
export function checkDrillOptions(options: DrillOptions, label: DrillLabels): DrillOptions {
  checkWhole(options.rounds, 1, MAX_ROUNDS, label.rounds)
  checkWhole(options.seed, 0, Number.MAX_SAFE_INTEGER, label.seed)
  checkRingSize(options.ringSize, options.opTimeoutNs !== null, label)
  checkRange('submitters', options.submitters, label, MAX_SUBMITTERS, 'a drill starts them anew in every round')
  if (options.ops.length === 0) throw invalidValue(label.ops, '', `use one or more of ${DRILL_OPS.join(', ')}`)
  for (const op of options.ops) {
    if (!(DRILL_OPS as readonly string[]).includes(op)) throw invalidValue(label.ops, op, `use one or more of ${DRILL_OPS.join(', ')}`)
  }
  if (options.roundDeadlineNs <= 0) throw invalidValue(label.roundDeadline, '0', 'use a duration above 0 (e.g. 10s)')
  return options
}

/** Runs the drill with a TTY status line (when `progress`); a signal (src/interrupt.ts) stops it after the round under way. */
export async function runDrill(options: DrillOptions, context: {toolVersion: string; progress: boolean}): Promise<DrillDocument> {
  checkThreadLimits(options.submitters + 1)
  const display = context.progress && process.stderr.isTTY ? statusLine(process.stderr) : null
  // The core makes and removes its scratch file in here; this directory is registered so that a
  // second signal, which ends the process under the core, still removes it.
  const scratchDir = scratchDirectory()
  registerTempPath(scratchDir)
  const job = runShutdownDrill(nativeDrillRequest(options, scratchDir), (progress) =>
    display?.(`shutdown-drill: round ${progress.roundsDone}/${progress.rounds} · ${formatCount(progress.ops)} ops`),
  )
  const dispose = onInterrupt(() => job.cancel())
  try {
    return drillDocument(options, await job.result, context.toolVersion)
  } finally {
    dispose()
    removeTempPath(scratchDir)
    display?.clear()
    display?.done()
  }
}

/** The native request: every field the addon reads (its drillRequestFields), null where DrillSpec's default holds. */
export function nativeDrillRequest(options: DrillOptions, scratchDir: string): NativeDrillRequest {
  return {
    rounds: options.rounds,
    seed: options.seed,
    ringSize: options.ringSize,
    submitters: options.submitters,
    shutdownTimeoutsNs: options.shutdownTimeoutsNs,
    opTimeoutsNs: [options.opTimeoutNs],
    ops: options.ops,
    // How many ops a requester issues and how long its timers last are left to the core.
    maxOpsPerSubmitter: null,
    maxTimerNs: null,
    roundDeadlineNs: options.roundDeadlineNs,
    scratchDir,
  }
}

function scratchDirectory(): string {
  try {
    return mkdtempSync(path.join(tmpdir(), 'iouring-bench-drill-'))
  } catch (error) {
    throw new EnvironmentError(
      `could not make a scratch directory in ${tmpdir()}: ${(error as Error).message}; point TMPDIR at a writable directory`,
    )
  }
}

function modeReport(mode: NativeDrillMode): DrillModeReport {
  const {shutdownLatency, ...counts} = mode
  const summary = summarize(histogramFromBuckets(shutdownLatency.buckets), {min: shutdownLatency.minNs, max: shutdownLatency.maxNs})
  // A percentile is its bucket's highest value (0.1 % wide); never show one above the exact max.
  for (const [key] of REPORTED_PERCENTILES) summary[key] = Math.min(summary[key], summary.max)
  return {...counts, shutdownLatency: summary}
}

function drillDocument(options: DrillOptions, result: NativeDrillResult, toolVersion: string): DrillDocument {
  const modes = result.modes.map(modeReport)
  const sum = (key: 'submitted' | 'completed' | 'timedOut' | 'abandoned'): number => modes.reduce((total, mode) => total + mode[key], 0)
  const totals = {submitted: sum('submitted'), completed: sum('completed'), timedOut: sum('timedOut'), abandoned: sum('abandoned')}
  const deadline = formatDuration(options.roundDeadlineNs)
  const ended = totals.completed + totals.timedOut + totals.abandoned
  const checks: DrillCheck[] = [
    result.hungRounds === 0
      ? {
          name: 'no-hang',
          status: 'pass',
          detail: `every requester saw every op end in each of ${result.roundsRun} rounds (deadline ${deadline} a round)`,
        }
      : {
          name: 'no-hang',
          status: 'fail',
          detail: `${result.hungRounds} round hung: ${result.missingEnds} ops without an end ${deadline} after the round began`,
        },
    result.repeatedEnds === 0 &&
    result.unexpectedEnds === 0 &&
    result.missingEnds === 0 &&
    result.countMismatches === 0 &&
    ended === totals.submitted
      ? {
          name: 'exactly-once',
          status: 'pass',
          detail: `${totals.submitted} submitted = ${totals.completed} completed + ${totals.timedOut} timed out + ${totals.abandoned} abandoned`,
        }
      : {
          name: 'exactly-once',
          status: 'fail',
          detail:
            `${totals.submitted} submitted, ${ended} ends: ${result.missingEnds} missing, ${result.repeatedEnds} repeated, ` +
            `${result.unexpectedEnds} for unknown ops; ${result.countMismatches} rounds where the loop's counters disagree`,
        },
    fdCheck(result),
    result.abandonedHandedBack === 0
      ? {
          name: 'kernel-memory-kept',
          status: 'pass',
          detail: `all ${totals.abandoned} abandoned ops' buffers stayed with the loop until its ring was torn down (use-after-free under the kernel: scripts/native-test.sh asan runs this drill)`,
        }
      : {
          name: 'kernel-memory-kept',
          status: 'fail',
          detail: `${result.abandonedHandedBack} abandoned ops came back with their buffers before the ring was torn down`,
        },
  ]
  return {
    schemaVersion: DRILL_SCHEMA_VERSION,
    kind: 'iouring-bench/shutdown-drill',
    tool: toolInfo(toolVersion),
    host: hostInfo(),
    kernel: kernelInfo(),
    config: options,
    roundsRun: result.roundsRun,
    interrupted: result.interrupted,
    modes,
    totals,
    fds: {before: result.fdsBefore, after: result.fdsAfter >= 0 ? result.fdsAfter : null},
    checks,
    failures: result.failures,
    passed: !result.error && checks.every((check) => check.status === 'pass'),
    error: result.error ? withLimit(result.error, options.submitters) : null,
  }
}

/** The native error, with the limit behind it when one is (each round: its requesters and the loop). */
function withLimit(error: NativeError, submitters: number): string {
  const limit = threadLimitBehind(error, submitters + 1)
  return limit ? `${error.message}: ${limit}` : error.message
}

function fdCheck(result: NativeDrillResult): DrillCheck {
  if (result.loopLeftRunning) {
    return {
      name: 'no-fd-leak',
      status: 'fail',
      detail: `a hung round's loop still runs and holds its descriptors (${result.fdsBefore} open before the drill)`,
    }
  }
  const leaked = result.fdsAfter - result.fdsBefore
  return leaked === 0
    ? {
        name: 'no-fd-leak',
        status: 'pass',
        detail: `${result.fdsBefore} descriptors open in this process before the drill, ${result.fdsAfter} after (/proc/self/fd)`,
      }
    : {
        name: 'no-fd-leak',
        status: 'fail',
        detail: `${result.fdsBefore} descriptors open before the drill, ${result.fdsAfter} after: ${leaked} leaked`,
      }
}
