// Change points in a result history: where did a benchmark's level move, and was it chance?
//
// E-Divisive means (Matteson & James, "A Nonparametric Approach for Multiple Change Point Analysis
// of Multivariate Data", JASA 109(505), 2014) with the energy statistic at alpha = 1 (absolute
// differences), so it assumes no distribution and a lone outlier moves it by its size, not its
// square. As in MongoDB's signal-processing-algorithms and Hunter (Fleming et al., "Hunter: Using
// Change Point Detection to Hunt for Performance Regressions", ICPE 2023; now Apache Otava), each
// candidate splits a segment at tau with the segment's end fixed (no search over the paper's kappa),
// which finds level shifts in one sweep. The procedure is bisection: take the best split over all
// current segments; keep it if a permutation test (shuffle within each segment, best split over all
// segments again) says it is unlikely under no change; repeat until one is not. Hunter and Otava swap
// the permutation test for a t-test for speed; at 60 points it costs milliseconds, and its false
// alarm rate is alpha whatever the noise's distribution, so it stays.

import {median} from 'simple-statistics'

import {seededRandom} from './statistics.js'

interface ChangePoint {
  /** Index in the series of the first point of the new level. */
  index: number
  /** Medians of the segments either side (between the neighbouring change points). */
  before: number
  after: number
  /** after / before (Infinity or NaN when `before` is 0). */
  ratio: number
  /** The permutation test's p-value for this split. */
  pValue: number
}

export interface ChangePointOptions {
  /**
   * Significance of each split's permutation test; default 0.05. In (0, 1]. A history with no
   * change shows one with about this chance (a little less: p moves in steps of
   * 1 / (1 + permutations)), whatever its noise.
   */
  alpha?: number
  /** Permutations per test; default 199. A whole number, 1 or more. */
  permutations?: number
  /** Fewest points in a segment; default 3. A whole number, 2 or more (a segment's spread needs a pair). */
  minSegment?: number
  /** Seed of the permutation order; default a fixed constant. */
  seed?: number
}

const DEFAULTS: Required<ChangePointOptions> = {alpha: 0.05, permutations: 199, minSegment: 3, seed: 0xed1f}

/** A split of a segment at tau (the first index of its right part) and its energy statistic q. */
interface Split {
  tau: number
  q: number
}

/**
 * The change points of `series` in index order ([] when none is significant or the series is too short).
 * Deterministic: the permutations come from `seed`. Throws a RangeError on a value that is not finite
 * (callers filter first) or an option out of range.
 */
export function changePoints(series: readonly number[], options: ChangePointOptions = {}): ChangePoint[] {
  const {alpha, permutations, minSegment, seed} = {...DEFAULTS, ...options}
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`changePoints: alpha must be in (0, 1], not ${alpha}`)
  if (!Number.isInteger(permutations) || permutations < 1)
    throw new RangeError(`changePoints: permutations must be a whole number >= 1, not ${permutations}`)
  if (!Number.isInteger(minSegment) || minSegment < 2)
    throw new RangeError(`changePoints: minSegment must be a whole number >= 2, not ${minSegment}`)
  series.forEach((value, index) => {
    if (!Number.isFinite(value)) throw new RangeError(`changePoints: series[${index}] is ${value}, not a finite number`)
  })

  const random = seededRandom(seed)
  const scale = series.reduce((top, value) => Math.max(top, Math.abs(value)), 0)
  const found: {index: number; pValue: number}[] = []
  for (;;) {
    const cuts = found.map((point) => point.index)
    const segments = segmentsOf(series, cuts)
    let best: {index: number; q: number} | undefined
    for (const segment of segments) {
      const split = bestSplit(segment.values, minSegment)
      if (split && (!best || split.q > best.q)) best = {index: segment.start + split.tau, q: split.q}
    }
    if (!best) break

    // The null is "no further change": the points of each segment are exchangeable, so shuffling
    // within segments and taking the best split anywhere gives the statistic's null distribution,
    // the search over tau and over segments included. Sums of the same distances in another order
    // differ in the last bits, so a tie is judged on the series' scale (q is in its units): a
    // permutation that ties counts as at least as large.
    // The test stops as soon as the p-value cannot end below alpha (Besag & Clifford's sequential
    // test, in spirit): a split with no change behind it costs a few permutations, not all.
    const atLeast = best.q - 1e-9 * scale
    const enough = alpha * (1 + permutations)
    let asLarge = 0
    for (let p = 0; p < permutations && 1 + asLarge < enough; p++) {
      let top = -Infinity
      for (const segment of segments) top = Math.max(top, bestSplit(shuffled(segment.values, random), minSegment)?.q ?? -Infinity)
      if (top >= atLeast) asLarge++
    }
    const pValue = (1 + asLarge) / (1 + permutations)
    if (pValue >= alpha) break
    found.push({index: best.index, pValue})
    found.sort((a, b) => a.index - b.index)
  }

  return described(series, found)
}

/** Change points at these indices (sorted), with the medians of the segments between them. */
function described(series: readonly number[], splits: readonly {index: number; pValue: number}[]): ChangePoint[] {
  const bounds = [0, ...splits.map((split) => split.index), series.length]
  return splits.map(({index, pValue}, i) => {
    const before = median(series.slice(bounds[i], index))
    const after = median(series.slice(index, bounds[i + 2]))
    return {index, before, after, ratio: after / before, pValue}
  })
}

/** The segments between consecutive cuts (sorted), each with its first index. */
function segmentsOf(series: readonly number[], cuts: number[]): {start: number; values: readonly number[]}[] {
  const bounds = [0, ...cuts, series.length]
  return bounds.slice(1).map((end, i) => ({start: bounds[i], values: series.slice(bounds[i], end)}))
}

/**
 * The split of z into z[0, tau) and z[tau, n), each at least minSegment long, with the largest
 * energy statistic (the first on a tie), or undefined when z is too short to split:
 *   q(tau) = m k / (m + k) * (2/(m k) * between - within(left)/C(m, 2) - within(right)/C(k, 2))
 * with m = tau, k = n - tau, and each term a sum of |z_i - z_j| over the pairs it names.
 */
function bestSplit(z: readonly number[], minSegment: number): Split | undefined {
  const n = z.length
  if (n < 2 * minSegment) return undefined
  // One pass over the pairs gives each point's distance sum to the points before and after it; as
  // tau advances, one point moves from right to left and the sums move by its two row sums, so all
  // splits cost O(n^2), not O(n^3).
  const toEarlier = new Float64Array(n)
  const toLater = new Float64Array(n)
  let total = 0
  for (let j = 1; j < n; j++) {
    for (let i = 0; i < j; i++) {
      const distance = Math.abs(z[j] - z[i])
      toEarlier[j] += distance
      toLater[i] += distance
      total += distance
    }
  }
  let left = 0
  let right = total
  let best: Split | undefined
  for (let tau = 1; tau <= n - minSegment; tau++) {
    left += toEarlier[tau - 1]
    right -= toLater[tau - 1]
    if (tau < minSegment) continue
    const m = tau
    const k = n - tau
    const between = total - left - right
    const q = ((m * k) / (m + k)) * ((2 * between) / (m * k) - (2 * left) / (m * (m - 1)) - (2 * right) / (k * (k - 1)))
    if (!best || q > best.q) best = {tau, q}
  }
  return best
}

/** A shuffled copy (Fisher-Yates). */
function shuffled(values: readonly number[], random: () => number): number[] {
  const copy = [...values]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j], copy[i]]
  }
  return copy
}
