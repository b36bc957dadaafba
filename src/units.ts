// Durations and sizes with units, as fio and hyperfine users write them: `5ms`, `2s`, `4k`, `1g`.
//
// A small parser of our own: duration libraries (ms, parse-duration) work in floating
// milliseconds and accept forms like "1.5 hours" or bare numbers, where a benchmark needs exact
// nanoseconds and a refusal of anything ambiguous; byte libraries (bytes) do not take fio's
// bare `4k`. Both grammars fit in one table each.

import {invalidValue} from './errors.js'

const DURATION_UNITS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
}

// fio's convention: k, m, g, t are powers of 1024.
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
}

const NUMBER_WITH_UNIT = /^\s*(-?\d+(?:\.\d+)?)\s*([a-zµ]*)\s*$/i

/** A value as text: a string as it is, a number or boolean as written, anything else as JSON. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return JSON.stringify(value) ?? String(value)
}

/** What a duration must look like, for messages that refuse one. */
export const DURATION_HINT = 'use a number with a unit: ns, us, ms, s, m or h (e.g. 500ms, 2s)'

/** Parses `5ms`, `2s`, `100us` into nanoseconds. A unit is required (except for 0). */
export function parseDuration(text: string, field: string): number {
  const allowed = DURATION_HINT
  const match = NUMBER_WITH_UNIT.exec(text)
  if (!match) throw invalidValue(field, text, allowed)
  const value = Number(match[1])
  const unit = match[2].toLowerCase()
  if (unit === '' && value === 0) return 0
  const scale = DURATION_UNITS[unit]
  if (scale === undefined) throw invalidValue(field, text, allowed)
  if (value < 0) throw invalidValue(field, text, 'durations cannot be negative')
  const ns = Math.round(value * scale)
  if (!Number.isSafeInteger(ns)) throw invalidValue(field, text, 'that is too long')
  return ns
}

/** Parses `4k`, `1g`, `512` (bytes) into bytes. */
export function parseSize(text: string, field: string): number {
  const allowed = 'use bytes or a number with k, m, g or t (powers of 1024, e.g. 4k, 1g)'
  const match = NUMBER_WITH_UNIT.exec(text)
  if (!match) throw invalidValue(field, text, allowed)
  const scale = SIZE_UNITS[match[2].toLowerCase()]
  if (scale === undefined) throw invalidValue(field, text, allowed)
  const value = Number(match[1])
  if (value < 0) throw invalidValue(field, text, 'sizes cannot be negative')
  const bytes = Math.round(value * scale)
  if (!Number.isSafeInteger(bytes)) throw invalidValue(field, text, 'that is too large')
  return bytes
}

/** 1234567 ns -> "1.23 ms". */
export function formatDuration(ns: number): string {
  if (ns < 1e3) return `${Math.round(ns)} ns`
  if (ns < 1e6) return `${trim(ns / 1e3)} µs`
  if (ns < 1e9) return `${trim(ns / 1e6)} ms`
  return `${trim(ns / 1e9)} s`
}

/** A duration as a user writes it, which parseDuration reads back: 2e9 -> "2s", 5e7 -> "50ms". */
export function durationInput(ns: number): string {
  return formatDuration(ns).replace(' ', '')
}

/** A size as a user writes it, exactly, which parseSize reads back: 4096 -> "4k", 1073741824 -> "1g", 1536 -> "1536". */
export function sizeInput(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && value % 1024 === 0 && unit < 4) {
    value /= 1024
    unit++
  }
  return `${value}${['', 'k', 'm', 'g', 't'][unit]}`
}

/** 1536 -> "1.5 KiB". */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${trim(value)} ${units[unit]}`
}

/** 1834567 -> "1.83 M". */
export function formatCount(value: number): string {
  if (value >= 1e9) return `${trim(value / 1e9)} G`
  if (value >= 1e6) return `${trim(value / 1e6)} M`
  if (value >= 1e3) return `${trim(value / 1e3)} k`
  return trim(value)
}

/** Three significant digits, no trailing zeros. */
function trim(value: number): string {
  return Number(value.toPrecision(3)).toString()
}
