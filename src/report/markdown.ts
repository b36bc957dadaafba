// The Markdown summary (GitHub-flavoured): what a CI job summary or a pull request comment shows.
// Appended to $GITHUB_STEP_SUMMARY when that is set.

import type {GateReport} from '../gate/gate.js'
import {GATE_HEAD, gateChanges, gateOutcome, gateRows, gateTitle} from '../gate/render.js'
import {counterRows, documentFigures, type Line, SPREAD_HEAD, workloadFigures} from './figures.js'
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
  for (const workload of document.workloads) out.push('', ...renderWorkload(workload))
  if (document.gate) out.push('', ...renderGateMarkdown(document.gate))
  if (figures.interrupted) out.push('', `> **${figures.interrupted}**`)
  return out.join('\n') + '\n'
}

function renderGateMarkdown(gate: GateReport): string[] {
  const rows = gateRows(gate).map(({cells}) => [...cells.slice(0, -1), cells.at(-1) === 'worse' ? '**worse**' : cells.at(-1)!])
  return [
    `### ${gate.passed ? '✅' : '❌'} ${gateOutcome(gate)}`,
    '',
    gateTitle(gate),
    '',
    markdownTable(GATE_HEAD, rows, ['left', 'left', 'right', 'right', 'right', 'right', 'left']),
    ...[...gateChanges(gate), ...gate.notes.map((note) => `note: ${note}`)].map((line, i) => `${i ? '' : '\n'}- ${line}`),
  ]
}

function renderWorkload(workload: WorkloadResult): string[] {
  const {title, file, summary, ratios, details, spread, kinds, stopped, loop} = workloadFigures(workload)
  const cells = summary.rows.map((row) =>
    'note' in row ? [row.system, markdownLine(row.note), ...Array(summary.head.length - 2).fill('')] : [row.system, ...row.cells],
  )
  const out = [`### ${title}`]
  if (file) out.push('', file.text)
  out.push('', markdownTable(summary.head, cells, summary.head.map((_, i) => (i === 0 ? 'left' : 'right'))))
  const notes = [...ratios, ...details.map(markdownLine)]
  if (notes.length) out.push('', ...notes.map((note) => `- ${note}`))
  if (spread) {
    out.push('', `Over ${spread.trials} interleaved trials, median [min – max]:`, '', markdownTable(SPREAD_HEAD, spread.rows, ['left', 'right', 'right', 'right']))
  }
  if (kinds) out.push('', 'Per kind:', '', markdownTable(kinds.head, kinds.rows, kinds.head.map((_, i) => (i < 2 ? 'left' : 'right'))))
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

/** A warning or failure stands out in bold; Markdown has no colour. */
function markdownLine({text, tone}: Line): string {
  return tone === 'bad' ? `**${text}**` : tone === 'warn' ? `⚠️ ${text}` : text
}
