// A latency distribution as documents keep it: the reported percentiles and the whole
// HdrHistogram beside them (src/report/histogram.ts builds one).

export const REPORTED_PERCENTILES = [
  ['p50', 50],
  ['p90', 90],
  ['p99', 99],
  ['p999', 99.9],
  ['p9999', 99.99],
] as const

export type PercentileKey = (typeof REPORTED_PERCENTILES)[number][0]

export interface LatencySummary extends Record<PercentileKey, number> {
  unit: 'ns'
  count: number
  min: number
  max: number
  mean: number
  stddev: number
  /** The whole distribution: HdrHistogram V2 compressed base64 (mergeable without loss). */
  histogram: string
}
