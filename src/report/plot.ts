// The latency percentile plot as inline SVG, drawn the way HdrHistogram's plotter draws it: the x
// axis is the percentile on a log scale of 1/(1-p) (0%, 90%, 99%, ... 99.999%), so the tail gets
// as much room as the body; the y axis is latency, here on a log scale too, so that workloads
// microseconds and milliseconds apart share one plot.

import {formatDuration} from '../units.js'
import {escapeMarkup} from './escape.js'
import {decodeHistogram} from './histogram.js'

export interface PlotSeries {
  workload: string
  system: string
  /** HdrHistogram V2 compressed base64. */
  histogram: string
}

const WIDTH = 960
const HEIGHT = 520
const MARGIN = {top: 20, bottom: 64, left: 84}
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom
const LEGEND_ROW = 20
/** Rough width of a character of the 13px labels, to size the legend beside the plot. */
const CHAR_WIDTH = 7.5

/** log10(1/(1-p)) of the last tick: 99.999%. */
const X_MAX = 5
const X_STEP = 0.025
const X_TICKS = ['0%', '90%', '99%', '99.9%', '99.99%', '99.999%']

// Tableau 10: distinct on screen and in print, one per workload.
const COLOURS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac']
// The loop drawn solid, each baseline with its own dash.
const DASHES = ['', '8 5', '2 4', '12 4 2 4']

interface Point {
  x: number
  latency: number
}

/** Latency at percentiles evenly spaced on the log(1/(1-p)) axis, up to where the data ends. */
function percentilePoints(encoded: string): Point[] {
  const histogram = decodeHistogram(encoded)
  // Beyond 1/(1-p) = count the percentile only repeats the maximum.
  const last = Math.min(X_MAX, Math.log10(Math.max(histogram.totalCount, 1)))
  const points: Point[] = []
  for (let x = 0; x <= last + 1e-9; x += X_STEP) {
    points.push({x, latency: Math.max(histogram.getValueAtPercentile(100 * (1 - 10 ** -x)), 1)})
  }
  return points
}

/** 1-2-5 ticks covering [low, high] (fewer when the range spans many decades). */
function latencyTicks(low: number, high: number): number[] {
  const steps = Math.log10(high / low) > 3 ? [1] : [1, 2, 5]
  const ticks: number[] = []
  for (let decade = Math.floor(Math.log10(low)); decade <= Math.ceil(Math.log10(high)); decade++) {
    for (const step of steps) ticks.push(step * 10 ** decade)
  }
  const below = ticks.filter((tick) => tick <= low).length
  const last = ticks.findIndex((tick) => tick >= high)
  return ticks.slice(Math.max(below - 1, 0), last + 1)
}

export function percentilePlot(series: PlotSeries[]): string {
  const label = (entry: PlotSeries): string => `${entry.workload} · ${entry.system}`
  // The legend sits right of the plot, where it cannot hide a line.
  const legendWidth = 48 + CHAR_WIDTH * Math.max(0, ...series.map((entry) => label(entry).length))
  const plotWidth = WIDTH - MARGIN.left - legendWidth - 24
  const lines = series.map((entry) => ({...entry, points: percentilePoints(entry.histogram)}))
  const latencies = lines.flatMap((line) => line.points.map((point) => point.latency))
  const ticks = latencyTicks(Math.min(...latencies, 1e3), Math.max(...latencies, 1e3))
  const [low, high] = [ticks[0], ticks.at(-1)!]
  const xAt = (x: number): number => MARGIN.left + (x / X_MAX) * plotWidth
  const yAt = (latency: number): number =>
    MARGIN.top + PLOT_HEIGHT - (Math.log10(latency / low) / Math.log10(high / low)) * PLOT_HEIGHT
  const coord = (value: number): string => value.toFixed(1)

  const workloads = [...new Set(series.map((entry) => entry.workload))]
  const systems = [...new Set(series.map((entry) => entry.system))]
  const colour = (workload: string): string => COLOURS[workloads.indexOf(workload) % COLOURS.length]
  const dash = (system: string): string => DASHES[systems.indexOf(system) % DASHES.length]

  const xAxis = X_TICKS.map((label, i) => {
    const x = coord(xAt(i))
    return (
      `<line class="grid" x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${MARGIN.top + PLOT_HEIGHT}"/>` +
      `<text x="${x}" y="${MARGIN.top + PLOT_HEIGHT + 20}" text-anchor="middle">${label}</text>`
    )
  })
  const yAxis = ticks.map((tick) => {
    const y = coord(yAt(tick))
    return (
      `<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y}" y2="${y}"/>` +
      `<text x="${MARGIN.left - 8}" y="${y}" dy="0.32em" text-anchor="end">${escapeMarkup(formatDuration(tick))}</text>`
    )
  })
  const paths = lines.map((line) => {
    const d = line.points.map((point, i) => `${i ? 'L' : 'M'}${coord(xAt(point.x))} ${coord(yAt(point.latency))}`).join('')
    const dashed = dash(line.system) ? ` stroke-dasharray="${dash(line.system)}"` : ''
    return (
      `<path class="series" data-workload="${escapeMarkup(line.workload)}" data-system="${escapeMarkup(line.system)}" ` +
      `d="${d}" stroke="${colour(line.workload)}"${dashed}><title>${escapeMarkup(label(line))}</title></path>`
    )
  })
  const legendX = WIDTH - legendWidth
  const legend = series.map((entry, i) => {
    const y = MARGIN.top + 10 + i * LEGEND_ROW
    const dashed = dash(entry.system) ? ` stroke-dasharray="${dash(entry.system)}"` : ''
    return (
      `<line x1="${legendX}" x2="${legendX + 30}" y1="${y}" y2="${y}" stroke="${colour(entry.workload)}"${dashed}/>` +
      `<text x="${legendX + 38}" y="${y}" dy="0.32em">${escapeMarkup(label(entry))}</text>`
    )
  })

  return [
    `<svg class="percentile-plot" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="Latency by percentile">`,
    `<g class="axis x-axis">${xAxis.join('')}<text class="axis-title" x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 14}" text-anchor="middle">percentile (log scale of 1/(1−p))</text></g>`,
    `<g class="axis y-axis">${yAxis.join('')}<text class="axis-title" transform="translate(18 ${MARGIN.top + PLOT_HEIGHT / 2}) rotate(-90)" text-anchor="middle">latency (log scale)</text></g>`,
    `<rect class="frame" x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth}" height="${PLOT_HEIGHT}"/>`,
    `<g class="lines">${paths.join('')}</g>`,
    `<g class="legend">${legend.join('')}</g>`,
    '</svg>',
  ].join('\n')
}
