// The terminal form of an advice document: the recommendation first, then the candidates ranked
// best first (the exact flags, their figures, their ratio to the default), the final check,
// what was skipped and why, and the notes that limit the advice.

import type {AdviceDocument, Candidate} from '../model/advice.js'
import {type Paint, paintFor} from '../report/paint.js'
import type {RenderOptions} from '../report/rendering.js'
import {ratioWords} from '../report/comparison.js'
import {newTable} from '../report/terminal.js'
import {formatCount, formatDuration} from '../units.js'

export function renderAdviceTerminal(document: AdviceDocument, options: RenderOptions): string {
  return renderAdvice(document, paintFor(options.color))
}

const OUTCOMES: Record<Candidate['outcome'], string> = {winner: 'advised', finalist: 'finalist', dropped: 'dropped', failed: 'failed'}

function renderAdvice(document: AdviceDocument, paint: Paint): string {
  const {space} = document
  const out = [
    paint.dim(
      `kernel ${document.kernel.release} · ${document.host.cpus} CPUs ${document.host.cpuModel} · node ${document.host.node} · iouring-bench ${document.tool.version}`,
    ),
    paint.bold(
      `advise: ${document.flags || '(the defaults)'} · objective ${document.objective} · ${space.raced} of ${space.configurations} configurations raced in ` +
        `${formatDuration(document.elapsedNs)} (budget ${formatDuration(document.budgetNs)}), ${space.trials} trials of ${formatDuration(document.trialNs)}`,
    ),
    '',
    (document.partial ? paint.yellow('partial: ') : '') + paint.bold(document.recommendation),
    '',
  ]
  const table = newTable(['#', 'configuration', 'ops/s', '× default [95% CI]', 'p50', 'p99', 'CPU/op', 'trials', 'outcome'], 2)
  document.candidates.forEach((candidate, index) => {
    const knobs = Object.entries(candidate.knobs)
    const name = knobs.length > 0 ? knobs.map(([flag, value]) => `${flag}=${value}`).join(' ') : 'the default'
    const outcome =
      OUTCOMES[candidate.outcome] + (candidate.pareto ? ' · Pareto' : '') + (candidate.withinBounds === false ? ' · out of bounds' : '')
    table.push([
      String(index + 1),
      candidate.outcome === 'winner' ? paint.bold(name) : name,
      candidate.opsPerSec ? formatCount(candidate.opsPerSec.median) : '-',
      candidate.versusDefault ? ratioWords(candidate.versusDefault) : knobs.length === 0 ? '1' : '-',
      candidate.p50Ns ? formatDuration(candidate.p50Ns.median) : '-',
      candidate.p99Ns ? formatDuration(candidate.p99Ns.median) : '-',
      candidate.cpuNsPerOp ? formatDuration(candidate.cpuNsPerOp.median) : '-',
      String(candidate.trials.length),
      outcome,
    ])
  })
  out.push(table.toString())
  out.push(
    paint.dim(
      'Medians of the search trials; × default: median ops/s over the default’s, bootstrap interval, ~ not significant (Mann-Whitney U, Holm). CPU/op counts every thread of the process.',
    ),
  )
  const reasons = document.candidates.filter((candidate) => candidate.reason && candidate.outcome !== 'winner')
  if (reasons.length > 0) {
    out.push('', paint.dim('dropped or failed:'))
    for (const candidate of reasons) out.push(`  ${candidate.flags}: ${candidate.reason}`)
  }
  if (document.final) {
    const {final} = document
    out.push(
      '',
      paint.dim(`final check, ${final.trials} interleaved trials each of ${formatDuration(final.trialNs)}, advised over default:`),
      `  ops/s ${ratioWords(final.opsPerSec)} · p99 ${ratioWords(final.p99)} · CPU/op ${ratioWords(final.cpuNsPerOp)}`,
    )
  }
  if (document.skipped.length > 0) {
    out.push('', paint.dim('skipped:'))
    for (const skipped of document.skipped) {
      out.push(
        `  ${Object.entries(skipped.knobs)
          .map(([flag, value]) => `${flag}=${value}`)
          .join(' ')}: ${skipped.reason}`,
      )
    }
  }
  for (const note of document.notes) out.push(paint.dim(`note: ${note}`))
  return out.join('\n') + '\n'
}
