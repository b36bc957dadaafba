// The Markdown summary (GitHub-flavoured): what a CI job summary or a pull request comment shows.
// Appended to $GITHUB_STEP_SUMMARY by the command that measured, when that is set. Every text
// that comes from outside (names, paths, host strings, messages) is escaped: it shows as text.

import {GATE_HEAD, gateChanges, gateOutcome, gateRows, gateTitle} from '../gate/render.js'
import type {GateReport} from '../model/gate.js'
import type {Comparison, ResultDocument, WorkloadResult} from '../model/result.js'
import {comparisonFigures} from './comparison.js'
import {counterRows, documentFigures, type Line, SPREAD_HEAD, workloadFigures} from './figures.js'

/**
 * Text from outside (names, paths, host, kernel and CPU strings, error messages) as Markdown that
 * shows exactly that text: each ASCII character CommonMark or GitHub's Markdown give a meaning to
 * inline is backslash-escaped (raw HTML, entities, links and images, emphasis, code, strikethrough,
 * table pipes, a heading's closing #), and a line break, which would end the block, is a space.
 */
export function markdownText(text: string): string {
  return text.replace(/\r\n|\r|\n/g, ' ').replace(/[\\`*_[\]<>&!~|#]/g, (char) => `\\${char}`)
}

/** Markdown written here (bold, a warning sign) around escaped text; a table takes it as it is. */
interface Markup {
  markdown: string
}

/** A table whose plain-string cells are text (escaped) and whose Markup cells are Markdown. */
export function markdownTable(head: string[], rows: Array<Array<string | Markup>>, align: Array<'left' | 'right'>): string {
  const cell = (value: string | Markup): string => (typeof value === 'string' ? markdownText(value) : value.markdown)
  const line = (cells: Array<string | Markup>): string => `| ${cells.map(cell).join(' | ')} |`
  const rule = `|${align.map((side) => (side === 'right' ? ' ---: ' : ' --- ')).join('|')}|`
  return [line(head), rule, ...rows.map(line)].join('\n')
}

export function renderMarkdown(document: ResultDocument): string {
  const figures = documentFigures(document)
  const out = [
    `## iouring-bench on ${markdownText(document.host.hostname)}, kernel ${markdownText(document.kernel.release)}`,
    '',
    markdownText(figures.kernel),
  ]
  if (figures.sources) out.push('', markdownText(figures.sources))
  if (document.comparison) out.push('', ...renderComparisonMarkdown(document.comparison))
  for (const workload of document.workloads) out.push('', ...renderWorkload(workload))
  if (document.gate) out.push('', ...renderGateMarkdown(document.gate))
  if (figures.interrupted) out.push('', `> **${markdownText(figures.interrupted)}**`)
  return out.join('\n') + '\n'
}

function renderComparisonMarkdown(comparison: Comparison): string[] {
  const {title, head, rows, notes} = comparisonFigures(comparison)
  const cells = rows.map((row) => ('skipped' in row ? [row.name, row.skipped, ...head.slice(2).map(() => '')] : [row.name, ...row.cells]))
  return [
    `### ${markdownText(title)}`,
    '',
    markdownTable(
      head,
      cells,
      head.map((_, i) => (i === 0 ? 'left' : 'right')),
    ),
    '',
    ...notes.map((note) => `- ${markdownText(note)}`),
  ]
}

function renderGateMarkdown(gate: GateReport): string[] {
  const rows = gateRows(gate).map(({cells}) => [...cells.slice(0, -1), cells.at(-1) === 'worse' ? {markdown: '**worse**'} : cells.at(-1)!])
  return [
    `### ${gate.passed ? '✅' : '❌'} ${markdownText(gateOutcome(gate))}`,
    '',
    markdownText(gateTitle(gate)),
    '',
    markdownTable(GATE_HEAD, rows, ['left', 'left', 'right', 'right', 'right', 'right', 'left']),
    ...[...gateChanges(gate), ...gate.notes.map((note) => `note: ${note}`)].map((line, i) => `${i ? '' : '\n'}- ${markdownText(line)}`),
  ]
}

function renderWorkload(workload: WorkloadResult): string[] {
  const {title, file, summary, ratios, details, spread, kinds, stopped, loop} = workloadFigures(workload)
  const cells = summary.rows.map((row): Array<string | Markup> =>
    'note' in row
      ? [row.system, {markdown: markdownLine(row.note)}, ...Array<string>(summary.head.length - 2).fill('')]
      : [row.system, ...row.cells],
  )
  const out = [`### ${markdownText(title)}`]
  if (file) out.push('', markdownText(file.text))
  out.push(
    '',
    markdownTable(
      summary.head,
      cells,
      summary.head.map((_, i) => (i === 0 ? 'left' : 'right')),
    ),
  )
  const notes = [...ratios.map(markdownText), ...details.map(markdownLine)]
  if (notes.length) out.push('', ...notes.map((note) => `- ${note}`))
  if (spread) {
    out.push(
      '',
      `Over ${spread.trials} interleaved trials, median [min – max]:`,
      '',
      markdownTable(SPREAD_HEAD, spread.rows, ['left', 'right', 'right', 'right']),
    )
  }
  if (kinds)
    out.push(
      '',
      'Per kind:',
      '',
      markdownTable(
        kinds.head,
        kinds.rows,
        kinds.head.map((_, i) => (i < 2 ? 'left' : 'right')),
      ),
    )
  if (stopped) out.push('', `**stopped:** ${markdownText(stopped)}`)
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
  const escaped = markdownText(text)
  return tone === 'bad' ? `**${escaped}**` : tone === 'warn' ? `⚠️ ${escaped}` : escaped
}
