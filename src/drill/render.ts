// The terminal form of a shutdown-drill document: the rounds by shutdown mode with their shutdown
// latency, then one PASS/FAIL line per check and how to replay a failed drill.

import Table from 'cli-table3'

import type {DrillCheck, DrillDocument} from '../model/drill.js'
import {formatDuration} from '../units.js'

function modeName(timeoutNs: number | null): string {
  return timeoutNs === null ? 'no shutdown timeout' : `shutdown timeout ${formatDuration(timeoutNs)}`
}

export const CHECK_TITLES: Record<DrillCheck['name'], string> = {
  'no-hang': 'no requester hung',
  'exactly-once': 'every op ended exactly once',
  'no-fd-leak': 'no descriptor leaked',
  'kernel-memory-kept': 'no memory the kernel may still write was let go',
}

export function renderDrill(document: DrillDocument): string {
  const {config} = document
  const lines = [
    `shutdown-drill: ${document.roundsRun}${document.roundsRun === config.rounds ? '' : ` of ${config.rounds}`} rounds, seed ${config.seed}, ` +
      `ring size ${config.ringSize}, ${config.submitters} submitters, ` +
      `${config.opTimeoutNs === null ? 'no op timeout' : `op timeout ${formatDuration(config.opTimeoutNs)}`}, ops ${config.ops.join(',')}`,
  ]
  const head = ['mode', 'rounds', 'submitted', 'completed', 'timed out', 'abandoned', 'shutdown p50', 'p99', 'max']
  const table = new Table({head, style: {head: [], border: []}, colAligns: head.map((_, i) => (i === 0 ? 'left' : 'right'))})
  for (const mode of document.modes) {
    const latency = mode.shutdownLatency
    table.push([
      modeName(mode.shutdownTimeoutNs),
      mode.rounds,
      mode.submitted,
      mode.completed,
      mode.timedOut,
      mode.abandoned,
      ...(latency.count ? [formatDuration(latency.p50), formatDuration(latency.p99), formatDuration(latency.max)] : ['-', '-', '-']),
    ])
  }
  lines.push(table.toString())
  if (document.error) lines.push(`FAIL the drill could not run: ${document.error}`)
  for (const check of document.checks)
    lines.push(`${check.status === 'pass' ? 'PASS' : 'FAIL'} ${CHECK_TITLES[check.name]}: ${check.detail}`)
  for (const failure of document.failures) lines.push(`  round ${failure.round} (round seed ${failure.roundSeed}): ${failure.what}`)
  if (document.interrupted) lines.push(`Interrupted after ${document.roundsRun} rounds.`)
  if (!document.passed) lines.push(`Replay: iouring-bench shutdown-drill --seed ${config.seed} --rounds ${config.rounds} (same flags)`)
  return `${lines.join('\n')}\n`
}
