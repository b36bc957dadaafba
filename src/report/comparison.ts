// The comparison of `bench --compare` as every form shows it: one row per configuration (the
// loop's median ops/s, its ratio to the first with the interval and ~ where the trials cannot
// tell the two apart, latency, and what each op cost: CPU, enters, wakes), the skipped ones with
// their reason, and the notes that say how to read it.

import {minimumTrials} from '../gate/gate.js'
import type {ComparedRatio, Comparison} from '../model/result.js'
import {formatCount, formatDuration} from '../units.js'

/** Marks a ratio the trials cannot tell from 1, as benchstat does. */
const NOT_SIGNIFICANT = '~'

type ComparisonRow = {name: string; cells: string[]} | {name: string; skipped: string}

interface ComparisonFigures {
  title: string
  head: string[]
  rows: ComparisonRow[]
  notes: string[]
}

/** Two decimals, or two significant digits below 0.1 (a 260-fold drop is not 0.00). */
function ratioText(value: number): string {
  return value >= 0.095 ? value.toFixed(2) : value.toPrecision(2)
}

/** The ratio with its interval, and ~ when the test cannot tell it from 1 (when it could at all). */
function ratioCell(ratio: ComparedRatio | undefined, isReference: boolean, testable: boolean): string {
  if (isReference) return '1'
  if (!ratio) return '–'
  const marker = testable && !ratio.significant ? ` ${NOT_SIGNIFICANT}` : ''
  return `${ratioText(ratio.opsPerSec)}× [${ratioText(ratio.interval[0])}–${ratioText(ratio.interval[1])}]${marker}`
}

/** A ratio tested on its own: "1.23× [1.10–1.31]", ~ when the test cannot tell it from 1. */
export function ratioWords(ratio: ComparedRatio): string {
  return ratioCell(ratio, false, true)
}

function perOp(value: number): string {
  if (value === 0) return '0'
  return value >= 10 ? value.toFixed(0) : value >= 0.1 ? value.toFixed(2) : value.toPrecision(2)
}

export function comparisonFigures(comparison: Comparison): ComparisonFigures {
  const {trials, alpha} = comparison
  const loopRatios = comparison.configurations.flatMap((row) => row.versusReference ?? [])
  const rawRatios = comparison.configurations.flatMap((row) => row.figures?.raw?.versusReference ?? [])
  // Results made before the adjustment tested each row alone, and are read so.
  const adjusted = [...loopRatios, ...rawRatios].some((ratio) => ratio.adjustedPValue !== undefined)
  const family = (ratios: ComparedRatio[]): number => (adjusted ? Math.max(1, ratios.length) : 1)
  // Too few trials for any row to pass (after the adjustment): no ~, the notes say why.
  const testable = trials >= minimumTrials(alpha, family(loopRatios))
  const rawTestable = trials >= minimumTrials(alpha, family(rawRatios))
  const test =
    family(loopRatios) > 1
      ? `exact Mann-Whitney U on the trials, its p adjusted by Holm over the ${loopRatios.length} rows compared (the raw rings' apart), ≥ ${alpha}`
      : `exact Mann-Whitney U on the trials, p ≥ ${alpha}`
  const referenceNumber = comparison.configurations.findIndex((row) => row.name === comparison.reference) + 1
  const withRaw = comparison.configurations.some((row) => row.figures?.raw)
  const withIoThreads = comparison.configurations.some((row) => row.figures?.ioThreadsNsPerOp != null)
  const head = [
    'configuration',
    'ops/s',
    `× ${referenceNumber} [${Math.round(comparison.confidence * 100)}% CI]`,
    'p50',
    'p99',
    'CPU/op',
    ...(withIoThreads ? ['of it io_uring threads'] : []),
    'enters/op',
    'wakes/op',
    ...(withRaw ? ['raw ops/s', `raw × ${referenceNumber}`, 'loop ÷ raw'] : []),
  ]
  const rows = comparison.configurations.map((row, i): ComparisonRow => {
    const figures = row.figures
    // Numbered: the ratio's head names the reference by its number, and the HTML's dots carry them.
    const name = `${i + 1} ${row.name}`
    if (!figures) return {name, skipped: `skipped: ${row.skipped ?? 'it did not run'}`}
    return {
      name: row.failed ? `${name} (failed)` : name,
      cells: [
        formatCount(figures.opsPerSec.median),
        ratioCell(row.versusReference, row.name === comparison.reference, testable),
        formatDuration(figures.p50.median),
        formatDuration(figures.p99.median),
        formatDuration(figures.cpuNsPerOp),
        ...(withIoThreads ? [figures.ioThreadsNsPerOp == null ? '–' : formatDuration(figures.ioThreadsNsPerOp)] : []),
        perOp(figures.entersPerOp),
        perOp(figures.wakesPerOp),
        ...(withRaw
          ? [
              figures.raw ? formatCount(figures.raw.opsPerSec.median) : '–',
              figures.raw ? ratioCell(figures.raw.versusReference, row.name === comparison.reference, rawTestable) : '–',
              figures.vsRaw == null ? '–' : `${figures.vsRaw.toFixed(2)}×`,
            ]
          : []),
      ],
    }
  })
  const notes = [
    `ops/s, p50 and p99 are the loop's medians over ${trials} interleaved trial${trials === 1 ? '' : 's'}; the ratio is of median ops/s to configuration ${referenceNumber}'s, with its bootstrap interval; ${NOT_SIGNIFICANT}: not significant (${test}).`,
    'CPU/op counts every thread of the process (io_uring kernel threads included) over the whole run; enters and wakes are per op ended.',
  ]
  comparison.configurations.forEach((row, i) => {
    if (row.failed) notes.push(`${i + 1} ${row.name}: ${row.failed}; its figures are of the trials before.`)
  })
  if (!testable) {
    const among = family(loopRatios) > 1 ? ` and ${loopRatios.length} rows compared` : ''
    notes.push(
      `With ${trials} trial${trials === 1 ? '' : 's'} per configuration${among} no difference can be significant: use --trials ${minimumTrials(alpha, family(loopRatios))} or more.`,
    )
  }
  notes.push(
    withRaw
      ? `raw: the raw ring with the same knobs, its ratio to configuration ${referenceNumber}'s raw ring; loop ÷ raw: what the loop keeps of it.`
      : 'Add --vs raw to price each configuration against the raw ring with the same knobs.',
  )
  return {title: `compared: ${comparison.configurations.length} configurations of the loop`, head, rows, notes}
}
