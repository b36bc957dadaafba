// The history verdict as one self-contained HTML page, in the HTML report's style: per series, each
// metric's values result by result, the level of each segment drawn across it and each change
// point marked where it falls (red for worse, green for better, grey when judged the same), each
// dot naming its result and commit.

import type {HistoryChange, HistoryDocument, HistoryMetricSeries, HistorySeries} from '../model/history.js'
import {attributes as attrs, chart, type LineStyle, linearAxis, px, seriesPath, SYSTEM_STYLE} from '../report/chart.js'
import {escapeMarkup as e} from '../report/escape.js'
import {page, table} from '../report/html.js'
import {
  changeText,
  formatHistoryValue,
  HISTORY_METRIC_LABELS,
  historyChanges,
  historyOutcome,
  pointName,
  settingNotes,
  testbedName,
} from './history-render.js'

const STYLE = `
.verdict { font-size: 1.2rem; font-weight: 600; margin: .75rem 0; padding: .6rem 1rem; border-left: 4px solid var(--good); background: #eef7f1; }
.verdict.failed { border-left-color: var(--bad); background: #fdf0ef; color: var(--bad); }
.testbed { color: var(--muted); }
.new-testbed { border-left: 4px solid var(--warn); background: #fdf6e7; padding: .4rem .8rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: .5rem 1.5rem; }
.charts figure { margin: 0; }
.charts figcaption { font-weight: 600; }
table.problems td, table.problems th { text-align: left; white-space: normal; }
`

const VERDICT_COLOUR: Record<HistoryChange['verdict'], string> = {worse: '#d55e00', better: '#009e73', same: '#9aa3b2'}
const LEVEL_STYLE: LineStyle = {colour: '#5c6577', dash: '6 3'}

/** One metric of a series: its values by result, the segments' levels, its change points. */
function metricChart(series: HistorySeries, {metric, values, changes}: HistoryMetricSeries): string {
  const present = values.filter((value): value is number => value !== null)
  const low = Math.min(...present)
  const high = Math.max(...present)
  // Room above and below, so a flat series is a line in the middle, not on the frame.
  const margin = high === low && high === 0 ? 1 : Math.max(high - low, Math.abs(high) * 0.05) * 0.15
  const x = linearAxis('result', 1, Math.max(2, values.length), (value) => String(Math.round(value)), 5)
  const y = linearAxis('', low - margin, high + margin, (value) => formatHistoryValue(metric, value), 4)
  const label = `${series.workload}: ${HISTORY_METRIC_LABELS[metric]} over ${values.length} results`
  return chart({className: 'history-plot', label, height: 150, x, y}, (frame) => {
    const points = values.flatMap((value, i): Array<[number, number, number]> =>
      value === null ? [] : [[frame.x(i + 1), frame.y(value), i]],
    )
    const bounds = [0, ...changes.map((change) => change.index), values.length]
    const levels = changes.flatMap((change, i) => {
      // Each change's medians span the segments either side of it.
      const segments: Array<[number, number, number]> = [
        [bounds[i], change.index, change.before],
        [change.index, bounds[i + 2], change.after],
      ]
      return segments.map(([from, to, level]) =>
        seriesPath(
          LEVEL_STYLE,
          [
            [frame.x(from + 1), frame.y(level)],
            [frame.x(to), frame.y(level)],
          ],
          `level ${formatHistoryValue(metric, level)}`,
        ),
      )
    })
    const marks = changes.map((change) => {
      const at = px(frame.x(change.index + 0.5))
      const colour = VERDICT_COLOUR[change.verdict]
      return (
        `<line class="change"${attrs({x1: at, x2: at, y1: frame.top, y2: frame.bottom, stroke: colour, 'stroke-dasharray': '4 3', 'data-verdict': change.verdict, 'data-index': change.index})}>` +
        `<title>${e(`${change.verdict} from ${pointName(change.firstAfter)}: ${change.reason}`)}</title></line>` +
        `<text class="change-label"${attrs({x: px(Number(at) + 4), y: frame.top + 14, fill: colour})}>${e(`${change.verdict} ${changeText(change.before, change.after)}`)}</text>`
      )
    })
    return [
      ...levels,
      seriesPath(
        SYSTEM_STYLE.loop,
        points.map(([px0, py0]) => [px0, py0]),
        label,
      ),
      ...points.map(
        ([cx, cy, i]) =>
          `<circle class="result"${attrs({cx: px(cx), cy: px(cy), r: 3, fill: SYSTEM_STYLE.loop.colour})}><title>${e(`#${i + 1} ${pointName(series.points[i])}: ${formatHistoryValue(metric, values[i]!)}`)}</title></circle>`,
      ),
      ...marks,
    ]
  })
}

function seriesSection(series: HistorySeries): string {
  const parts = [
    `<h2>${e(series.workload)}: ${series.points.length} results</h2>`,
    `<p class="testbed">${e(`testbed: ${testbedName(series)}; ${series.points[0].createdAt} → ${series.points.at(-1)!.createdAt}`)}</p>`,
  ]
  if (series.newTestbed) parts.push(`<p class="new-testbed">${e(`A new testbed, not a change: ${series.newTestbed}`)}</p>`)
  for (const note of settingNotes(series)) parts.push(`<p class="new-testbed">${e(note)}</p>`)
  if (series.note) return [...parts, `<p>${e(series.note)}</p>`].join('\n')
  const charts = series.metrics
    .filter(({values}) => values.some((value) => value !== null))
    .map((metric) => `<figure><figcaption>${e(HISTORY_METRIC_LABELS[metric.metric])}</figcaption>${metricChart(series, metric)}</figure>`)
  return [...parts, `<div class="charts">${charts.join('\n')}</div>`].join('\n')
}

export function renderHistoryHtml(document: HistoryDocument): string {
  const changes = historyChanges(document)
  const body = [
    `<h1>${e(`iouring-bench: history of ${document.history}`)}</h1>`,
    `<p class="verdict${document.passed ? '' : ' failed'}">${e(historyOutcome(document))}</p>`,
    `<p>${e(`${document.results} results, ${document.series.length} series; change points by E-Divisive means (permutation test, Holm over the history's tests, alpha ${document.alpha}).`)}</p>`,
    changes.length > 0 ? `<ul class="changes">${changes.map(({text}) => `<li>${e(text)}</li>`).join('')}</ul>` : '',
    ...document.series.map(seriesSection),
    document.problems.length > 0
      ? `<h2>Skipped</h2>${table(
          ['file', 'why'],
          document.problems.map((problem) => [problem.source, problem.reason]),
          'problems',
        )}`
      : '',
  ]
  return page(`iouring-bench history: ${document.history}`, body.filter(Boolean).join('\n'), STYLE)
}
