// The history verdict for people: per series, each metric's values as a sparkline with its change
// points, in the terminal and as Markdown (a CI job summary); and as JUnit, a case per series and
// metric that fails on a change judged worse.

import Table from 'cli-table3'
import {median} from 'simple-statistics'

import type {HistoryChange, HistoryDocument, HistoryMetric, HistoryPoint, HistorySeries} from '../model/history.js'
import {markdownTable, markdownText} from '../report/markdown.js'
import {paintFor} from '../report/paint.js'
import type {RenderOptions} from '../report/rendering.js'
import {formatCount, formatDuration} from '../units.js'

const BARS = '▁▂▃▄▅▆▇█'

export const HISTORY_METRIC_LABELS: Record<HistoryMetric, string> = {
  opsPerSec: 'ops/s',
  vsRaw: 'throughput ÷ raw ring',
  p50: 'p50 latency',
  p99: 'p99 latency',
  p999: 'p99.9 latency',
  cpuNsPerOp: 'CPU per op',
  entersPerOp: 'enters per op',
  sqesPerEnter: 'SQEs per enter',
  wakesPerOp: 'wakes per op',
  switchesPerOp: 'context switches per op',
  instructionsPerOp: 'instructions per op',
  cyclesPerOp: 'cycles per op',
}

/** "-24.4%", or "from 0 to 0.5" where a percentage means nothing. */
export function changeText(before: number, after: number): string {
  if (before === 0) return `from 0 to ${Number(after.toPrecision(3))}`
  const ratio = after / before
  return `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`
}

export function formatHistoryValue(metric: HistoryMetric, value: number): string {
  switch (metric) {
    case 'opsPerSec':
      return formatCount(value)
    case 'p50':
    case 'p99':
    case 'p999':
    case 'cpuNsPerOp':
      return formatDuration(value)
    default:
      // Three significant digits: enters per op are 0.0312 at depth 32, SQEs per enter 32.0.
      return value === 0 ? '0' : String(Number(value.toPrecision(3)))
  }
}

/** The values as bars scaled from the smallest to the largest, a gap where a result lacks one. */
export function sparkline(values: ReadonlyArray<number | null>): string {
  const present = values.filter((value): value is number => value !== null)
  const low = Math.min(...present)
  // A level that moves less than 5 % of its size draws flat: noise in the last digits is not a shape.
  const span = Math.max(Math.max(...present) - low, 0.05 * Math.abs(median(present)))
  return values
    .map((value) => (value === null ? ' ' : BARS[span > 0 ? Math.round(((value - low) / span) * (BARS.length - 1)) : 0]))
    .join('')
}

/** "run-16.json (commit abc1234, label v2)": how a message names a result. */
export function pointName(point: HistoryPoint): string {
  const tags = [point.commit && `commit ${point.commit.slice(0, 12)}`, point.label && `label ${point.label}`].filter(Boolean)
  return `${point.source}${tags.length > 0 ? ` (${tags.join(', ')})` : ''}`
}

export function testbedName(series: HistorySeries): string {
  const {testbed} = series
  return `${testbed.cpus} × ${testbed.cpuModel}, Linux ${testbed.kernel}, ring ${testbed.ring}, iouring-bench ${testbed.tool}, Node ${testbed.node}`
}

/** "settings changed from run-16.json: drive.wait: ...", for each change of the workload's settings within a series. */
export function settingNotes(series: HistorySeries): string[] {
  return series.settingChanges.map(({at, change}) => `settings changed from ${pointName(at)}: ${change}`)
}

/** "nop ops/s: worse from run-16.json: 1.02 M → 830 k ops/s (-18.6%, ...)", for each change not judged the same. */
export function historyChanges(document: HistoryDocument): Array<{text: string; change: HistoryChange}> {
  return document.series.flatMap((series) =>
    series.metrics.flatMap(({metric, changes}) =>
      changes
        .filter((change) => change.verdict !== 'same')
        .map((change) => ({
          change,
          text: `${series.workload} ${HISTORY_METRIC_LABELS[metric]}: ${change.verdict} from ${pointName(change.firstAfter)}, after ${pointName(change.lastBefore)}: ${formatHistoryValue(metric, change.before)} → ${formatHistoryValue(metric, change.after)} (${change.reason})${change.gates ? '' : notGating(series)}`,
        })),
    ),
  )
}

/** Why a change shown does not fail the gate. */
function notGating(series: HistorySeries): string {
  return series.gated ? '; before --since: shown, not gated' : '; an older testbed: shown, not gated'
}

export function historyOutcome(document: HistoryDocument): string {
  return document.passed ? 'history gate: passed' : 'history gate: FAILED (a metric got worse at a change point)'
}

const HISTORY_HEAD = ['metric', 'first', 'last', 'over the results', 'changes']

function metricRows(series: HistorySeries): string[][] {
  return series.metrics
    .filter(({values}) => values.some((value) => value !== null))
    .map(({metric, values, changes}) => {
      const present = values.filter((value): value is number => value !== null)
      const marks = changes.map((change) => `${change.verdict} at #${change.index + 1} (${changeText(change.before, change.after)})`)
      return [
        HISTORY_METRIC_LABELS[metric],
        formatHistoryValue(metric, present[0]),
        formatHistoryValue(metric, present.at(-1)!),
        sparkline(values),
        marks.join(', ') || '—',
      ]
    })
}

function seriesTitle(series: HistorySeries): string {
  const span = `${series.points.length} result${series.points.length === 1 ? '' : 's'}, ${series.points[0].createdAt} → ${series.points.at(-1)!.createdAt}`
  return `${series.workload}: ${span}${series.gated ? '' : ' (an older testbed: shown, not gated)'}`
}

function intro(document: HistoryDocument): string {
  return `regression gate over ${document.history}: ${document.results} results, ${document.series.length} series; change points by E-Divisive means (permutation test, Holm over the history's tests, alpha ${document.alpha})`
}

export function renderHistoryTerminal(document: HistoryDocument, options: RenderOptions): string {
  const paint = paintFor(options.color)
  const lines = [paint.bold(intro(document))]
  for (const series of document.series) {
    lines.push('', paint.bold(seriesTitle(series)), paint.dim(`testbed: ${testbedName(series)}`))
    if (series.newTestbed) lines.push(paint.yellow(`a new testbed, not a change: ${series.newTestbed}`))
    for (const note of settingNotes(series)) lines.push(paint.yellow(note))
    if (series.note) {
      lines.push(paint.dim(series.note))
      continue
    }
    const table = new Table({head: HISTORY_HEAD, style: {head: [], border: []}})
    for (const row of metricRows(series)) table.push(row)
    lines.push(table.toString())
  }
  lines.push('')
  for (const {text, change} of historyChanges(document))
    lines.push(!change.gates ? paint.dim(text) : change.verdict === 'worse' ? paint.red(text) : paint.green(text))
  for (const problem of document.problems) lines.push(paint.dim(`skipped ${problem.source}: ${problem.reason}`))
  lines.push(document.passed ? paint.green(historyOutcome(document)) : paint.red(historyOutcome(document)))
  return lines.join('\n') + '\n'
}

export function renderHistoryMarkdown(document: HistoryDocument): string {
  const parts = [`## iouring-bench: ${document.passed ? 'history gate passed' : '⚠️ history gate FAILED'}`, markdownText(intro(document))]
  for (const series of document.series) {
    parts.push(`### ${markdownText(seriesTitle(series))}`, markdownText(`testbed: ${testbedName(series)}`))
    if (series.newTestbed) parts.push(markdownText(`A new testbed, not a change: ${series.newTestbed}`))
    for (const note of settingNotes(series)) parts.push(markdownText(note))
    if (series.note) parts.push(markdownText(series.note))
    else parts.push(markdownTable(HISTORY_HEAD, metricRows(series), ['left', 'right', 'right', 'left', 'left']))
  }
  const changes = historyChanges(document)
  if (changes.length > 0) parts.push(changes.map(({text}) => `- ${markdownText(text)}`).join('\n'))
  if (document.problems.length > 0)
    parts.push(document.problems.map((problem) => `- skipped ${markdownText(`${problem.source}: ${problem.reason}`)}`).join('\n'))
  return parts.join('\n\n') + '\n'
}
