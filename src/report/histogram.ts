// Latency histograms on the JS side, with hdr-histogram-js in the same layout the native core
// records in (1 ns unit, 3 significant digits), so re-recording its buckets is lossless and the
// HdrHistogram interchange forms (compressed base64, percentile distribution) come for free.

import * as hdr from 'hdr-histogram-js'

export type Histogram = hdr.Histogram

export function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2 ** 40,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 64,
    autoResize: true,
  })
}

/** Rebuilds a histogram from the native [value, count, ...] bucket pairs. */
export function histogramFromBuckets(buckets: ArrayLike<number>): Histogram {
  const histogram = newHistogram()
  for (let i = 0; i + 1 < buckets.length; i += 2) {
    histogram.recordValueWithCount(buckets[i], buckets[i + 1])
  }
  return histogram
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram)
}

/** Decodes into hdr-histogram-js's JS form (not WASM), whose recorded values can be iterated. */
export function decodeHistogram(encoded: string): hdr.JsHistogram {
  const histogram = hdr.decodeFromCompressedBase64(encoded, 64, false)
  if (!(histogram instanceof hdr.JsHistogram)) throw new Error('hdr-histogram-js decoded a histogram into its WebAssembly form')
  return histogram
}

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

/**
 * Summarizes a histogram. `exact` carries the true extremes when known (the histogram itself
 * only knows them to its bucket resolution).
 */
export function summarize(histogram: Histogram, exact?: {min: number; max: number}): LatencySummary {
  const count = histogram.totalCount
  const percentiles = Object.fromEntries(
    REPORTED_PERCENTILES.map(([key, percentile]) => [key, count ? histogram.getValueAtPercentile(percentile) : 0]),
  ) as Record<PercentileKey, number>
  return {
    unit: 'ns',
    count,
    min: exact?.min ?? (count ? histogram.minNonZeroValue : 0),
    max: exact?.max ?? histogram.maxValue,
    mean: count ? histogram.mean : 0,
    stddev: count ? histogram.stdDeviation : 0,
    ...percentiles,
    histogram: encodeHistogram(histogram),
  }
}
