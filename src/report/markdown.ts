// The Markdown summary (GitHub-flavoured): what a CI job summary or a pull request comment shows.
// Appended to $GITHUB_STEP_SUMMARY when that is set.

import {
  counterRows,
  INTERRUPTED_NOTE,
  kernelLine,
  measuredLoop,
  partialFailure,
  ratioSentence,
  sourcesLine,
  SUMMARY_HEAD,
  summaryRow,
  workloadTitle,
} from './figures.js'
import type {ResultDocument, WorkloadResult} from './result.js'

/** A table cell: pipes and line breaks would end the cell or the row. */
export function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}

export function markdownTable(head: string[], rows: string[][], align: Array<'left' | 'right'>): string {
  const line = (cells: string[]): string => `| ${cells.map(markdownCell).join(' | ')} |`
  const rule = `|${align.map((side) => (side === 'right' ? ' ---: ' : ' --- ')).join('|')}|`
  return [line(head), rule, ...rows.map(line)].join('\n')
}

export function renderMarkdown(document: ResultDocument): string {
  const sources = sourcesLine(document)
  const out = [`## iouring-bench on ${document.host.hostname}, kernel ${document.kernel.release}`, '', kernelLine(document)]
  if (sources) out.push('', sources)
  if (document.interrupted) out.push('', `> **${INTERRUPTED_NOTE}**`)
  for (const workload of document.workloads) out.push('', ...renderWorkload(workload))
  return out.join('\n') + '\n'
}

function renderWorkload(workload: WorkloadResult): string[] {
  const rows = workload.systems.map((system) => {
    const row = summaryRow(system)
    return 'failed' in row ? [row.system, `**failed:** ${row.failed}`, ...Array(SUMMARY_HEAD.length - 2).fill('')] : [row.system, ...row.cells]
  })
  const out = [
    `### ${workloadTitle(workload)}`,
    '',
    markdownTable(SUMMARY_HEAD, rows, SUMMARY_HEAD.map((_, i) => (i === 0 ? 'left' : 'right'))),
  ]
  const ratios = workload.ratios.map(ratioSentence).filter(Boolean)
  if (ratios.length) out.push('', ...ratios.map((sentence) => `- ${sentence}`))
  const failed = partialFailure(workload)
  if (failed?.error) out.push('', `**${failed.system} stopped:** ${failed.error.explanation}`)
  const loop = measuredLoop(workload)
  if (loop) {
    out.push(
      '',
      '<details><summary>loop counters</summary>',
      '',
      markdownTable(['counter', 'value'], counterRows(loop), ['left', 'left']),
      '',
      '</details>',
    )
  }
  return out
}
