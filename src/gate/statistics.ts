// The statistics of the regression gate: a non-parametric test on trial values (benchmark
// timings are not normal; benchstat uses the same test) and a bootstrap interval of the ratio of
// medians. simple-statistics provides the rank sum (with ties) and resampling; the exact null
// distribution of U, which it does not provide, is a short recurrence.

import {median, sampleWithReplacement, wilcoxonRankSum} from 'simple-statistics'

interface MannWhitney {
  u: number
  /** Two-sided exact p-value (ties handled by mid-ranks; the exact table assumes none). */
  pValue: number
}

/** Exact two-sided Mann-Whitney U test of x against y. */
export function mannWhitneyU(x: number[], y: number[]): MannWhitney {
  const u = wilcoxonRankSum(x, y) - (x.length * (x.length + 1)) / 2
  const counts = uDistribution(x.length, y.length)
  const total = counts.reduce((sum, count) => sum + count, 0)
  let below = 0
  let above = 0
  counts.forEach((count, value) => {
    if (value <= u) below += count
    if (value >= u) above += count
  })
  return {u, pValue: Math.min(1, (2 * Math.min(below, above)) / total)}
}

/**
 * The smallest two-sided p-value samples of these sizes can reach: all of one above the other is
 * one arrangement of the C(n1 + n2, n1) equally likely under the null, counted at both ends.
 */
export function smallestPValue(n1: number, n2: number): number {
  let arrangements = 1
  for (let i = 1; i <= n1; i++) arrangements = (arrangements * (n2 + i)) / i
  return Math.min(1, 2 / arrangements)
}

/**
 * Holm's step-down adjustment of a family of p-values, in their order: comparing each adjusted
 * value with alpha holds the chance of any false difference in the family to alpha, where testing
 * each row alone lets one of many pass by chance. Uniformly more powerful than Bonferroni.
 */
export function holmAdjusted(pValues: readonly number[]): number[] {
  const order = pValues.map((p, index) => ({p, index})).sort((a, b) => a.p - b.p)
  const adjusted = new Array<number>(pValues.length)
  let running = 0
  order.forEach(({p, index}, rank) => {
    running = Math.max(running, Math.min(1, (pValues.length - rank) * p))
    adjusted[index] = running
  })
  return adjusted
}

/** Number of arrangements giving each U, for sample sizes m and n (Mann & Whitney's recurrence). */
function uDistribution(m: number, n: number): number[] {
  // table[i][j] = counts of U for sizes i and j: c(i, j, u) = c(i - 1, j, u - j) + c(i, j - 1, u)
  let previous: number[][] = Array.from({length: n + 1}, () => [1])
  for (let i = 1; i <= m; i++) {
    const current: number[][] = [[1]]
    for (let j = 1; j <= n; j++) {
      const counts = new Array<number>(i * j + 1).fill(0)
      previous[j].forEach((count, u) => (counts[u + j] += count))
      current[j - 1].forEach((count, u) => (counts[u] += count))
      current.push(counts)
    }
    previous = current
  }
  return previous[n]
}

/** A seeded generator (mulberry32), so a gate's interval is the same every time it is computed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Percentile bootstrap interval of median(candidate) / median(baseline). */
export function ratioInterval(baseline: number[], candidate: number[], confidence: number, resamples = 4000): [number, number] {
  const random = seededRandom(0x10b3)
  const ratios: number[] = []
  for (let i = 0; i < resamples; i++) {
    const b = median(sampleWithReplacement(baseline, baseline.length, random))
    const c = median(sampleWithReplacement(candidate, candidate.length, random))
    if (b > 0) ratios.push(c / b)
  }
  ratios.sort((a, b) => a - b)
  const tail = (1 - confidence) / 2
  const at = (q: number): number => ratios[Math.min(ratios.length - 1, Math.max(0, Math.floor(q * ratios.length)))]
  return [at(tail), at(1 - tail)]
}
