// The charts of the HTML report, each drawn for one workload so that they sit side by side as
// small multiples: latency by percentile, throughput with its interval over the trials,
// throughput window by window, and the gate's trial values of the baseline and of this run.

import {median} from 'simple-statistics'

import {formatMetric} from '../gate/render.js'
import type {Verdict} from '../model/gate.js'
import type {Spread, TimelineWindow} from '../model/result.js'
import type {SystemName} from '../model/workload.js'
import {formatCount, formatDuration} from '../units.js'
import {
  attributes,
  axis,
  categoryAxis,
  chart,
  type LineStyle,
  linearAxis,
  logAxis,
  px,
  seriesPath,
  SYSTEM_STYLE,
  systemPath,
} from './chart.js'
import {escapeMarkup as e} from './escape.js'
import {decodeHistogram} from './histogram.js'

interface LatencySeries {
  /** A system, or a configuration of a comparison. */
  name: string
  style: LineStyle
  /** Attributes that say what the line is, for the page's tests. */
  data: Record<string, string>
  /** HdrHistogram V2 compressed base64. */
  histogram: string
}

/** log10(1/(1-p)) of the last tick: 99.999%. */
const PERCENTILE_MAX = 5
const PERCENTILE_STEP = 0.025
const PERCENTILE_TICKS = ['0%', '90%', '99%', '99.9%', '99.99%', '99.999%'].map((label, value) => ({value, label}))

/** Latency at percentiles evenly spaced on the log(1/(1-p)) axis, up to where the data ends. */
function percentilePoints(encoded: string): Array<{x: number; latency: number}> {
  const histogram = decodeHistogram(encoded)
  // Beyond 1/(1-p) = count the percentile only repeats the maximum.
  const last = Math.min(PERCENTILE_MAX, Math.log10(Math.max(histogram.totalCount, 1)))
  const points: Array<{x: number; latency: number}> = []
  for (let x = 0; x <= last + 1e-9; x += PERCENTILE_STEP) {
    points.push({x, latency: Math.max(histogram.getValueAtPercentile(100 * (1 - 10 ** -x)), 1)})
  }
  return points
}

/**
 * Latency by percentile the way HdrHistogram's plotter draws it: the x axis is the percentile
 * on a log scale of 1/(1-p), so the tail gets as much room as the body; the y axis is latency
 * on a log scale too, so systems microseconds and milliseconds apart share one chart.
 */
export function percentilePlot(workload: string, distribution: string, series: LatencySeries[]): string {
  const lines = series.map((entry) => ({...entry, points: percentilePoints(entry.histogram)}))
  const latencies = lines.flatMap((line) => line.points.map((point) => point.latency))
  const x = axis('percentile (log scale of 1/(1−p))', 0, PERCENTILE_MAX, PERCENTILE_TICKS)
  const y = logAxis(`${distribution} (log scale)`, Math.min(...latencies), Math.max(...latencies), formatDuration)
  return chart({className: 'percentile-plot', label: `${workload}: ${distribution} by percentile`, height: 240, x, y}, (frame) =>
    lines.map((line) =>
      seriesPath(
        line.style,
        line.points.map((point) => [frame.x(point.x), frame.y(point.latency)]),
        `${workload} · ${line.name}`,
        {...line.data, 'data-workload': workload},
      ),
    ),
  )
}

interface ThroughputBar {
  system: SystemName
  /** ops/s: the median over the trials. */
  value: number
  /** The lowest and highest trial, when there were several. */
  interval?: [number, number]
}

/** Ops/s of each system as a bar, with a whisker from its slowest to its fastest trial. */
export function throughputBars(workload: string, bars: ThroughputBar[], trials: number): string {
  const high = Math.max(...bars.map((bar) => bar.interval?.[1] ?? bar.value))
  // Room right of the longest bar for its value.
  const x = linearAxis(
    trials > 1 ? `ops/s, median of ${trials} trials; whisker: min – max` : 'ops/s, one trial: no interval',
    0,
    high * 1.25,
    formatCount,
    4,
  )
  const y = categoryAxis(bars.map((bar) => bar.system))
  return chart({className: 'throughput-bars', label: `${workload}: throughput`, height: bars.length * 34, x, y}, (frame) =>
    bars.map((bar, i) => {
      const middle = frame.y(i)
      const thick = Math.min(frame.band * 0.6, 22)
      const {colour} = SYSTEM_STYLE[bar.system]
      const end = frame.x(bar.interval?.[1] ?? bar.value)
      const whisker = bar.interval
        ? `<path class="whisker"${attributes({
            d:
              `M${px(frame.x(bar.interval[0]))} ${px(middle)}H${px(end)}` +
              [bar.interval[0], bar.interval[1]].map((value) => `M${px(frame.x(value))} ${px(middle - thick / 2)}v${px(thick)}`).join(''),
          })}/>`
        : ''
      const range = bar.interval ? ` [${formatCount(bar.interval[0])} – ${formatCount(bar.interval[1])}]` : ''
      return (
        `<g class="bar"${attributes({'data-system': bar.system})}>` +
        `<rect${attributes({x: px(frame.left), y: px(middle - thick / 2), width: px(frame.x(bar.value) - frame.left), height: px(thick), fill: colour})}>` +
        `<title>${formatCount(bar.value)} ops/s${range}</title></rect>${whisker}` +
        `<text class="value" x="${px(end + 6)}" y="${px(middle)}" dy="0.32em">${formatCount(bar.value)}</text></g>`
      )
    }),
  )
}

export interface TimelineLine {
  system: SystemName
  trial: number
  windows: TimelineWindow[]
}

/** Ops/s window by window since each system started, the warm-up shaded: stalls and drift show. */
export function timelinePlot(workload: string, lines: TimelineLine[], warmupNs: number): string {
  const steps = lines.map((line) => ({
    ...line,
    // Each window drawn flat from its start to its end, at its own rate.
    points: line.windows.flatMap((window, i): Array<[number, number]> => {
      const start = line.windows[i - 1]?.endNs ?? 0
      const rate = window.endNs > start ? (window.ops * 1e9) / (window.endNs - start) : 0
      return [
        [start, rate],
        [window.endNs, rate],
      ]
    }),
  }))
  const end = Math.max(...steps.flatMap((line) => line.points.map(([at]) => at)))
  const x = linearAxis('time since the system started', 0, end, (ns) => (ns ? formatDuration(ns) : '0'), 4)
  const y = linearAxis('ops/s', 0, Math.max(...steps.flatMap((line) => line.points.map(([, rate]) => rate))), formatCount, 4)
  return chart({className: 'timeline-plot', label: `${workload}: throughput over time`, height: 200, x, y}, (frame) => [
    ...(warmupNs > 0
      ? [
          `<rect class="warmup"${attributes({x: frame.left, y: frame.top, width: px(frame.x(Math.min(warmupNs, end)) - frame.left), height: frame.bottom - frame.top})}/>` +
            `<text class="warmup-label" x="${px(frame.left + 4)}" y="${frame.bottom - 6}">warm-up</text>`,
        ]
      : []),
    ...steps.map((line) =>
      systemPath(
        line.system,
        line.points.map(([at, rate]) => [frame.x(at), frame.y(rate)]),
        `${workload} · ${line.system} · trial ${line.trial}`,
        {
          'data-workload': workload,
          'data-trial': line.trial,
        },
      ),
    ),
  ])
}

/**
 * A gate verdict's trial values, the baseline's above this run's, each trial a dot and each
 * median a bar across: how far apart the two sides are next to how much each one varies.
 */
export function gateStrip(verdict: Verdict): string {
  const values = [...verdict.baseline, ...verdict.candidate]
  const low = Math.min(...values)
  const high = Math.max(...values)
  const pad = (high - low) * 0.1 || Math.abs(high) * 0.05 || 1
  const x = linearAxis('', Math.max(0, low - pad), high + pad, (value) => formatMetric(verdict.metric, value), 4)
  const y = categoryAxis(['baseline', 'now'])
  return chart(
    {className: 'gate-strip', label: `${verdict.workload} ${verdict.metric}: baseline and now, trial by trial`, height: 70, x, y},
    (frame) =>
      [verdict.baseline, verdict.candidate].map((trials, side) => {
        const middle = frame.y(side)
        // Dots of equal values side by side would hide each other: each trial a little higher or lower.
        const dots = trials.map(
          (value, i) =>
            `<circle class="trial"${attributes({cx: px(frame.x(value)), cy: px(middle + ((i % 3) - 1) * 5), r: 4, fill: side ? SYSTEM_STYLE.loop.colour : undefined})}><title>${e(formatMetric(verdict.metric, value))}</title></circle>`,
        )
        const at = px(frame.x(median(trials)))
        return (
          `<g class="${side ? 'candidate' : 'baseline'}">${dots.join('')}` +
          `<line class="median" x1="${at}" x2="${at}" y1="${px(middle - 13)}" y2="${px(middle + 13)}"/></g>`
        )
      }),
  )
}

interface TradeoffPoint {
  /** Its number in the legend and the table. */
  label: string
  name: string
  style: LineStyle
  cpuNsPerOp: number
  /** ops/s: median, and the slowest and fastest trial. */
  opsPerSec: Spread
  /** On the Pareto front: the front is drawn as a step line through these (when two or more are). */
  pareto?: boolean
  /** Drawn larger and outlined: the one chosen (advise's winner). */
  highlight?: boolean
  /** Ringed: the one the others are measured against (advise's default). */
  reference?: boolean
  /** More attributes of its mark, for the page's tests. */
  data?: Record<string, string>
}

/** The Pareto front's line, for the legend beside the chart. */
export const PARETO_STYLE: LineStyle = {colour: '#5c6577', dash: '6 3'}

/**
 * The Pareto front of throughput against CPU per op, as the edge of what its points dominate: from
 * the cheapest, flat to the next one's CPU, then up to its ops/s (each next point costs more CPU
 * and buys more ops/s). Undefined with fewer than two points on it.
 */
function paretoPath(points: TradeoffPoint[], frame: {x(value: number): number; y(value: number): number}): string | undefined {
  const front = points.filter((point) => point.pareto).sort((a, b) => a.cpuNsPerOp - b.cpuNsPerOp)
  if (front.length < 2) return undefined
  const d = front
    .map(({cpuNsPerOp, opsPerSec}, i) =>
      i ? `H${px(frame.x(cpuNsPerOp))}V${px(frame.y(opsPerSec.median))}` : `M${px(frame.x(cpuNsPerOp))} ${px(frame.y(opsPerSec.median))}`,
    )
    .join('')
  const tooltip = `Pareto front: ${front.map((point) => point.label).join(', ')}; nothing measured has more ops/s for less CPU per op`
  return (
    `<path class="pareto-front"${attributes({d, fill: 'none', stroke: PARETO_STYLE.colour, 'stroke-width': 2, 'stroke-dasharray': PARETO_STYLE.dash})}>` +
    `<title>${e(tooltip)}</title></path>`
  )
}

/**
 * What each configuration buys and what it costs: ops/s against CPU per op, one numbered dot per
 * configuration with a whisker from its slowest to its fastest trial. Up and to the left is better.
 * Optionally the Pareto front under the dots, one dot highlighted and one ringed.
 */
export function tradeoffPlot(points: TradeoffPoint[]): string {
  const x = linearAxis(
    'CPU per op (every thread of the process)',
    0,
    Math.max(...points.map((point) => point.cpuNsPerOp)) * 1.15,
    formatDuration,
    4,
  )
  const y = linearAxis(
    'ops/s (median; whisker: min – max trial)',
    0,
    Math.max(...points.map((point) => point.opsPerSec.max)) * 1.1,
    formatCount,
    4,
  )
  return chart({className: 'tradeoff-plot', label: 'throughput against CPU per op, by configuration', height: 240, x, y}, (frame) => {
    const front = paretoPath(points, frame)
    // The front runs right of its dots, where their labels are: each label on a white halo.
    const halo = front ? attributes({stroke: '#fff', 'stroke-width': 4, 'stroke-linejoin': 'round', 'paint-order': 'stroke'}) : ''
    const dots = points.map(({label, name, style, cpuNsPerOp, opsPerSec, highlight, reference, data}) => {
      const at = px(frame.x(cpuNsPerOp))
      const cy = px(frame.y(opsPerSec.median))
      const tooltip = `${name}: ${formatCount(opsPerSec.median)} ops/s [${formatCount(opsPerSec.min)} – ${formatCount(opsPerSec.max)}], ${formatDuration(cpuNsPerOp)} CPU/op`
      const classes = ['configuration', ...(highlight ? ['highlight'] : []), ...(reference ? ['reference'] : [])].join(' ')
      const ring = reference
        ? `<circle class="reference-ring"${attributes({cx: at, cy, r: 11, fill: 'none', stroke: '#1d2330', 'stroke-width': 1.5, 'stroke-dasharray': '3 2'})}/>`
        : ''
      const dot = highlight ? {r: 8, stroke: '#1d2330', 'stroke-width': 2} : {r: 6}
      return (
        `<g class="${classes}"${attributes({'data-configuration': name, ...data})}>` +
        `<path class="whisker"${attributes({d: `M${at} ${px(frame.y(opsPerSec.min))}V${px(frame.y(opsPerSec.max))}`})}/>` +
        ring +
        `<circle${attributes({cx: at, cy, ...dot, fill: style.colour})}><title>${e(tooltip)}</title></circle>` +
        `<text x="${px(frame.x(cpuNsPerOp) + (reference ? 14 : highlight ? 11 : 9))}" y="${cy}" dy="0.32em"${halo}>${e(label)}</text></g>`
      )
    })
    // Under the dots, so that none is hidden by it.
    return front ? [front, ...dots] : dots
  })
}
