// The terminal form of a stress-timeouts document: the checks (PASS/FAIL), the counts, the
// normal-op throughput with and without stalls, the timeout-lateness histogram, and both halves
// of the liveness scenario op by op.

import {outcome, type StressDocument} from '../model/stress.js'
import {decodeHistogram} from '../report/histogram.js'
import {type Paint, paintFor} from '../report/paint.js'
import type {RenderOptions} from '../report/rendering.js'
import {histogramLines} from '../report/terminal.js'
import {formatCount, formatDuration} from '../units.js'

export function renderStressTerminal(document: StressDocument, options: RenderOptions): string {
  return renderStress(document, paintFor(options.color))
}

function renderStress(document: StressDocument, paint: Paint): string {
  const {config, stress} = document
  const out: string[] = [
    paint.dim(
      `kernel ${document.kernel.release} · ${document.host.cpus} CPUs · node ${document.host.node} · iouring-bench ${document.tool.version}`,
    ),
    paint.bold(
      `stress-timeouts: mix ${config.mix.map((entry) => `${entry.op}=${entry.weight}`).join(',')} · op timeout ${formatDuration(config.opTimeoutNs)} ` +
        `(slack ${formatDuration(config.slackNs)}) · ring ${config.ringSize} · ${config.submitters} submitters × depth ${config.depth} · ${formatDuration(config.durationNs)}`,
    ),
  ]
  if (stress) {
    out.push(
      `ops: submitted ${stress.submitted} = completed ${stress.completed} + timed out ${stress.timedOut} + abandoned ${stress.abandoned}`,
      `stalls: ${stress.stalls.ops} (${stress.stalls.timedOut} -ETIMEDOUT) · waiter-bound capacity stalls: ${stress.capacityStallsWaiterBound}`,
      `normal ops with stalls outstanding: ${formatCount(stress.normal.opsPerSec)} ops/s (` +
        stress.normal.kinds.map((kind) => `${kind.kind} ${formatCount(kind.opsPerSec)}`).join(', ') +
        `); per ${formatDuration(stress.windows.windowNs)} window min ${formatCount(stress.windows.minOpsPerSec)}, ` +
        `median ${formatCount(stress.windows.medianOpsPerSec)}, max ${formatCount(stress.windows.maxOpsPerSec)} ops/s`,
    )
    if (document.withoutStalls) {
      const ratio = document.normalThroughputRatio
      out.push(
        `normal ops without stalls: ${formatCount(document.withoutStalls.normalOpsPerSec)} ops/s` +
          (ratio === null ? '' : ` · with stalls ${ratio.toFixed(3)}× that`),
      )
    }
    const {lateness} = stress
    out.push(
      paint.dim(
        `timeout lateness (past submitted + ${formatDuration(config.opTimeoutNs)}, handled by the loop), ${lateness.count} timeouts:`,
      ),
      `  p50 ${formatDuration(lateness.p50)} · p90 ${formatDuration(lateness.p90)} · p99 ${formatDuration(lateness.p99)} · ` +
        `p99.9 ${formatDuration(lateness.p999)} · max ${formatDuration(lateness.max)}`,
      ...histogramLines(decodeHistogram(lateness.histogram)),
    )
  }
  if (document.liveness) {
    for (const half of [document.liveness.withoutTimeouts, document.liveness.withTimeouts]) {
      out.push(
        paint.dim(
          `liveness, ring size 2, ${half.opTimeouts ? `op timeout ${formatDuration(half.opTimeoutNs)}` : 'no op timeouts'}: ` +
            `read(fd1), read(fd2), write(fd1), write(fd2) · ended in ${formatDuration(half.elapsedNs)}`,
        ),
      )
      for (const stall of half.stalls) out.push(`  watchdog: ${stall.message}${half.opTimeouts ? '' : ' -> wrote to both peers'}`)
      for (const op of half.ops) out.push(`  ${op.name.padEnd(11)} ${outcome(op).padEnd(12)} after ${formatDuration(op.endedAfterNs)}`)
      if (half.gaveUp) out.push(paint.red('  gave up on an op that never ended: abandoned at shutdown'))
    }
  }
  out.push('')
  for (const check of document.checks) {
    out.push(`${check.passed ? paint.green('PASS') : paint.red('FAIL')}  ${check.name}: ${check.detail}`)
  }
  if (document.interrupted) out.push(paint.yellow('Interrupted: the figures above cover only what ran before the interrupt.'))
  return out.join('\n') + '\n'
}
