// The Markdown summary (GitHub-flavoured): what a CI job summary or a pull request comment shows.
// Appended to $GITHUB_STEP_SUMMARY when that is set.

import {counterRows, documentFigures, SUMMARY_HEAD, workloadFigures} from './figures.js'
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
  const figures = documentFigures(document)
  const out = [`## iouring-bench on ${document.host.hostname}, kernel ${document.kernel.release}`, '', figures.kernel]
  if (figures.sources) out.push('', figures.sources)
  if (figures.interrupted) out.push('', `> **${figures.interrupted}**`)
  for (const workload of document.workloads) out.push('', ...renderWorkload(workload))
  return out.join('\n') + '\n'
}

function renderWorkload(workload: WorkloadResult): string[] {
  const {title, rows, ratios, stopped, loop} = workloadFigures(workload)
  const cells = rows.map((row) =>
    'failed' in row ? [row.system, `**failed:** ${row.failed}`, ...Array(SUMMARY_HEAD.length - 2).fill('')] : [row.system, ...row.cells],
  )
  const out = [`### ${title}`, '', markdownTable(SUMMARY_HEAD, cells, SUMMARY_HEAD.map((_, i) => (i === 0 ? 'left' : 'right')))]
  if (ratios.length) out.push('', ...ratios.map((sentence) => `- ${sentence}`))
  if (stopped) out.push('', `**stopped:** ${stopped}`)
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
