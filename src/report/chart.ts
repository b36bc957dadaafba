// What every chart of the HTML report is drawn with: axes (linear, log, or one band per
// category), a frame with its grid and tick labels, the marks inside, and one style per system
// that every chart shares. Each chart is its own <svg> with a viewBox and no fixed size, so the
// page's CSS scales it to the width it has, from a phone to a wide screen.

import type {SystemName} from '../model/workload.js'
import {escapeMarkup as e} from './escape.js'

/**
 * One colour per system, the same in every chart: Okabe and Ito's palette, told apart with
 * every common colour-vision deficiency. Baselines are dashed as well, so a grey print tells
 * them apart too.
 */
export const SYSTEM_STYLE: Record<SystemName, LineStyle> = {
  loop: {colour: '#0072b2', dash: ''},
  raw: {colour: '#e69f00', dash: '8 4'},
  fio: {colour: '#009e73', dash: '2 3'},
  'node-fs': {colour: '#cc79a7', dash: '10 3 2 3'},
  'node-fs-uring': {colour: '#56b4e9', dash: '4 2'},
}

/** Systems in the order every chart and legend lists them. */
export const SYSTEM_ORDER = Object.keys(SYSTEM_STYLE) as SystemName[]

interface Tick {
  value: number
  label: string
}

export interface Axis {
  title: string
  /** Where a value lies along the axis: 0 at its start, 1 at its end. */
  fraction(value: number): number
  ticks: Tick[]
  /** A category axis: each tick is the middle of a band this wide (a fraction of the axis). */
  band?: number
}

/** An axis over [low, high] with the given ticks, linear or logarithmic. */
export function axis(title: string, low: number, high: number, ticks: Tick[], log = false): Axis {
  const scale = log ? Math.log10 : (value: number) => value
  const span = scale(high) - scale(low) || 1
  return {title, ticks, fraction: (value) => (scale(value) - scale(low)) / span}
}

/** About `count` ticks at 1, 2 or 5 times a power of ten, covering [low, high]. */
export function linearAxis(title: string, low: number, high: number, format: (value: number) => string, count = 5): Axis {
  const top = high > low ? high : low + Math.max(Math.abs(low) * 0.1, 1)
  const raw = (top - low) / count
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = power * ([1, 2, 5].find((multiple) => raw <= multiple * power) ?? 10)
  const first = Math.floor(low / step)
  const last = Math.ceil(top / step)
  const ticks = Array.from({length: last - first + 1}, (_, i) => {
    const value = Number(((first + i) * step).toPrecision(12))
    return {value, label: format(value)}
  })
  return axis(title, ticks[0].value, ticks.at(-1)!.value, ticks)
}

/** Ticks at 1, 2 and 5 times each power of ten (only the powers when the range spans many). */
export function logAxis(title: string, low: number, high: number, format: (value: number) => string): Axis {
  // A range of one value still gets an axis with two ticks.
  const top = Math.max(high, low * 2)
  const steps = Math.log10(top / low) > 3 ? [1] : [1, 2, 5]
  const values: number[] = []
  for (let decade = Math.floor(Math.log10(low)); decade <= Math.ceil(Math.log10(top)); decade++) {
    for (const step of steps) values.push(step * 10 ** decade)
  }
  const below = values.filter((value) => value <= low).length
  const last = values.findIndex((value) => value >= top)
  const ticks = values.slice(Math.max(below - 1, 0), last + 1).map((value) => ({value, label: format(value)}))
  return axis(title, ticks[0].value, ticks.at(-1)!.value, ticks, true)
}

/** One band per name, the first at the top of a vertical axis; values are the names' indexes. */
export function categoryAxis(names: string[]): Axis {
  const band = 1 / Math.max(names.length, 1)
  return {title: '', band, fraction: (index) => (index + 0.5) * band, ticks: names.map((label, value) => ({value, label}))}
}

interface Frame {
  /** The x pixel of a value on the x axis. */
  x(value: number): number
  /** The y pixel of a value on the y axis. */
  y(value: number): number
  /** The height of a band of a category y axis, in pixels. */
  band: number
  left: number
  right: number
  top: number
  bottom: number
}

interface ChartOptions {
  /** The svg's class: what the chart is, for the page's CSS and for tests. */
  className: string
  /** What the chart shows, for screen readers and as its tooltip. */
  label: string
  /** Height of the plotting area. */
  height: number
  x: Axis
  y: Axis
}

/** Narrow enough that the 14 px labels still read at 11 px when a phone scales the chart down. */
const WIDTH = 440
/** Rough width of a character of the labels, to leave room for the y tick labels. */
const CHAR_WIDTH = 8.3
/** Above the plot: the y axis's title, level, so that no label is turned on its side. */
const TOP = 28
/** Room for half the last x tick label. */
const RIGHT = 36
/** Below the plot: the x tick labels, then the x axis's title. */
const X_LABELS = 30
const X_TITLE = 20

/** A tenth of a pixel is fine enough. */
export const px = (value: number): string => value.toFixed(1)

/** `name="value"` pairs, escaped, for the marks' attributes. */
export function attributes(pairs: Record<string, string | number | undefined>): string {
  return Object.entries(pairs)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([name, value]) => ` ${name}="${e(String(value))}"`)
    .join('')
}

/** The chart: grid and tick labels of both axes, their titles, the frame, then the marks. */
export function chart(options: ChartOptions, marks: (frame: Frame) => string[]): string {
  const {x: xAxis, y: yAxis} = options
  const longest = Math.max(0, ...yAxis.ticks.map((tick) => tick.label.length))
  const left = Math.round(longest * CHAR_WIDTH + 12)
  const top = yAxis.title ? TOP : 12
  const frame: Frame = {
    left,
    right: WIDTH - RIGHT,
    top,
    bottom: top + options.height,
    x: (value) => left + xAxis.fraction(value) * (WIDTH - RIGHT - left),
    // Numbers grow upwards; categories are listed downwards.
    y: (value) => (yAxis.band ? top + yAxis.fraction(value) * options.height : top + (1 - yAxis.fraction(value)) * options.height),
    band: (yAxis.band ?? 0) * options.height,
  }
  const height = frame.bottom + X_LABELS + (xAxis.title ? X_TITLE : 0)
  const xTicks = xAxis.ticks.map(({value, label}) => {
    const at = px(frame.x(value))
    return (
      `<line class="grid" x1="${at}" x2="${at}" y1="${frame.top}" y2="${frame.bottom}"/>` +
      `<text x="${at}" y="${frame.bottom + 20}" text-anchor="middle">${e(label)}</text>`
    )
  })
  const yTicks = yAxis.ticks.map(({value, label}) => {
    const at = px(frame.y(value))
    const grid = yAxis.band ? '' : `<line class="grid" x1="${frame.left}" x2="${frame.right}" y1="${at}" y2="${at}"/>`
    return `${grid}<text x="${frame.left - 8}" y="${at}" dy="0.32em" text-anchor="end">${e(label)}</text>`
  })
  return [
    `<svg class="chart ${options.className}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" role="img"${attributes({'aria-label': options.label})}>`,
    `<title>${e(options.label)}</title>`,
    `<g class="axis x-axis">${xTicks.join('')}${
      xAxis.title
        ? `<text class="axis-title" x="${px((frame.left + frame.right) / 2)}" y="${height - 6}" text-anchor="middle">${e(xAxis.title)}</text>`
        : ''
    }</g>`,
    `<g class="axis y-axis">${yTicks.join('')}${
      yAxis.title ? `<text class="axis-title" x="${frame.left}" y="${top - 10}">${e(yAxis.title)}</text>` : ''
    }</g>`,
    `<rect class="frame" x="${frame.left}" y="${frame.top}" width="${frame.right - frame.left}" height="${options.height}"/>`,
    `<g class="marks">${marks(frame).join('')}</g>`,
    '</svg>',
  ].join('\n')
}

export interface LineStyle {
  colour: string
  dash: string
}

/**
 * The style of the n-th configuration of a comparison: the palette's colours in turn (the loop's
 * first), then again dashed, so eight configurations and more stay apart.
 */
export function configurationStyle(index: number): LineStyle {
  const palette = [...Object.values(SYSTEM_STYLE).map((style) => style.colour), '#d55e00', '#f0e442', '#000000']
  const dashes = ['', '8 4', '2 3', '10 3 2 3']
  return {colour: palette[index % palette.length], dash: dashes[Math.floor(index / palette.length) % dashes.length]}
}

/** A line through points given in pixels, in a colour and dash, with a tooltip. */
export function seriesPath(
  style: LineStyle,
  points: Array<[number, number]>,
  tooltip: string,
  data: Record<string, string | number> = {},
): string {
  const d = points.map(([x, y], i) => `${i ? 'L' : 'M'}${px(x)} ${px(y)}`).join('')
  return `<path class="series"${attributes({...data, d, stroke: style.colour, 'stroke-dasharray': style.dash})}><title>${e(tooltip)}</title></path>`
}

/** A system's line, in its colour and dash. */
export function systemPath(
  system: SystemName,
  points: Array<[number, number]>,
  tooltip: string,
  data: Record<string, string | number> = {},
): string {
  return seriesPath(SYSTEM_STYLE[system], points, tooltip, {'data-system': system, ...data})
}

/** Each label with the line its charts draw it with; as HTML beside the charts. */
export function legend(items: Array<{label: string; style: LineStyle}>): string {
  const entries = items.map(
    ({label, style}) =>
      `<li><svg class="swatch" viewBox="0 0 28 10" width="28" height="10" aria-hidden="true">` +
      `<line x1="0" x2="28" y1="5" y2="5"${attributes({stroke: style.colour, 'stroke-dasharray': style.dash})}/></svg>${e(label)}</li>`,
  )
  return `<ul class="legend">${entries.join('')}</ul>`
}

/** The systems present, in the order every chart lists them. */
export function systemLegend(systems: SystemName[]): string {
  return legend(SYSTEM_ORDER.filter((system) => systems.includes(system)).map((system) => ({label: system, style: SYSTEM_STYLE[system]})))
}
