// The terminal form of a result document: the figures of figures.ts (summary table, ratios,
// details, per-kind table, the loop's counters) laid out with cli-table3, and a compact latency
// histogram; the kernel line first. Colour as report/paint.ts decides: warnings yellow, failures red,
// secondary lines dim.

import Table from 'cli-table3'
import type {JsHistogram} from 'hdr-histogram-js'

import {renderGate} from '../gate/render.js'
import type {Comparison, ResultDocument, WorkloadResult} from '../model/result.js'
import {comparisonFigures} from './comparison.js'
import {formatDuration} from '../units.js'
import {counterRows, documentFigures, type Line, type Tone, workloadFigures} from './figures.js'
import {decodeHistogram} from './histogram.js'
import {type Paint, paintFor} from './paint.js'
import type {RenderOptions} from './rendering.js'

export function renderTerminal(document: ResultDocument, options: RenderOptions): string {
  const paint = paintFor(options.color)
  const figures = documentFigures(document)
  const out: string[] = [paint.dim(figures.kernel)]
  if (figures.sources) out.push(paint.dim(figures.sources))
  if (document.comparison) {
    out.push('', ...renderComparison(document.comparison, paint))
  } else {
    for (const workload of document.workloads) out.push('', ...renderWorkload(workload, paint))
  }
  if (document.gate) out.push('', renderGate(document.gate, paint).trimEnd())
  if (figures.interrupted) out.push('', paint.yellow(figures.interrupted))
  return out.join('\n') + '\n'
}

function renderWorkload(workload: WorkloadResult, paint: Paint): string[] {
  const {title, file, summary, ratios, details, spread, kinds, stopped, loop, distribution} = workloadFigures(workload)
  const toned = ({text, tone}: Line): string => (tone === 'plain' ? text : paint[TONE_STYLES[tone]](text))
  const lines = [paint.bold(title), ...(file ? [toned(file)] : [])]
  const table = newTable(summary.head, 1)
  for (const row of summary.rows) {
    table.push(
      'note' in row
        ? [row.system, {colSpan: summary.head.length - 1, hAlign: 'left', content: toned(row.note)}]
        : [row.system, ...row.cells],
    )
  }
  lines.push(table.toString(), ...ratios, ...details.map(toned))
  if (spread) {
    lines.push(paint.dim(`over ${spread.trials} interleaved trials (median [min – max]):`))
    for (const [system, opsPerSec, p50, p99] of spread.rows) lines.push(`  ${system.padEnd(8)} ops/s ${opsPerSec}  p50 ${p50}  p99 ${p99}`)
  }
  if (kinds) {
    const table = newTable(kinds.head, 2)
    table.push(...kinds.rows)
    lines.push(paint.dim('per kind:'), table.toString())
  }
  if (loop) {
    const rows = counterRows(loop)
    const width = Math.max(...rows.map(([name]) => name.length))
    lines.push(paint.dim('loop counters:'), ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`))
    lines.push(paint.dim(`loop ${distribution} distribution:`), ...histogramLines(decodeHistogram(loop.latency.histogram)))
  }
  if (stopped) lines.push(paint.red(stopped))
  return lines
}

/** The comparison table stands for its configurations: their own tables are in the other forms. */
function renderComparison(comparison: Comparison, paint: Paint): string[] {
  const {title, head, rows, notes} = comparisonFigures(comparison)
  const table = newTable(head, 1)
  for (const row of rows) {
    table.push(
      'skipped' in row
        ? [row.name, {colSpan: head.length - 1, hAlign: 'left', content: paint.yellow(row.skipped)}]
        : [row.name, ...row.cells],
    )
  }
  return [
    paint.bold(title),
    table.toString(),
    ...notes.map((note) => paint.dim(note)),
    paint.dim("Each configuration's own tables, counters and histogram: --format html or --json."),
  ]
}

const TONE_STYLES: Record<Exclude<Tone, 'plain'>, keyof Paint> = {dim: 'dim', warn: 'yellow', bad: 'red'}

/** A borderless table, its first `labels` columns left-aligned and the figures right-aligned. */
export function newTable(head: string[], labels: number): Table.Table {
  return new Table({head, style: {head: [], border: []}, colAligns: head.map((_, i) => (i < labels ? 'left' : 'right'))})
}

/** Visits every recorded value of a histogram. */
function forEachRecordedValue(histogram: JsHistogram, visit: (value: number, count: number) => void): void {
  const iterator = histogram.recordedValuesIterator
  iterator.reset()
  while (iterator.hasNext()) {
    const step = iterator.next()
    visit(step.valueIteratedTo, step.countAtValueIteratedTo)
  }
}

const BAR_WIDTH = 30
const MAX_ROWS = 12

/** Counts per power-of-two latency range, as bars, merging ranges to fit MAX_ROWS lines. */
export function histogramLines(histogram: JsHistogram): string[] {
  const counts = new Map<number, number>()
  forEachRecordedValue(histogram, (value, count) => {
    const range = Math.floor(Math.log2(Math.max(value, 1)))
    counts.set(range, (counts.get(range) ?? 0) + count)
  })
  if (counts.size === 0) return ['  (no ops measured)']
  const first = Math.min(...counts.keys())
  const last = Math.max(...counts.keys())
  const step = Math.ceil((last - first + 1) / MAX_ROWS)
  const total = histogram.totalCount
  const rows: Array<{low: number; high: number; count: number}> = []
  // eslint-disable-next-line for-direction -- step is at least 1 (the ceiling of a positive count); the rule misreads it
  for (let range = first; range <= last; range += step) {
    let count = 0
    for (let r = range; r < range + step; r++) count += counts.get(r) ?? 0
    rows.push({low: 2 ** range, high: 2 ** (range + step), count})
  }
  const peak = Math.max(...rows.map((row) => row.count))
  const labels = rows.map((row) => `${formatDuration(row.low)} – ${formatDuration(row.high)}`)
  const width = Math.max(...labels.map((label) => label.length))
  return rows.map((row, i) => {
    const bar = '█'.repeat(Math.round((row.count / peak) * BAR_WIDTH))
    const share = ((row.count / total) * 100).toFixed(row.count / total < 0.001 ? 3 : 1)
    return `  ${labels[i].padStart(width)} │${bar.padEnd(BAR_WIDTH)} ${share}%`
  })
}
