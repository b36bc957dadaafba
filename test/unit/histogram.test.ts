import assert from 'node:assert/strict'
import {test} from 'node:test'

import {decodeHistogram, histogramFromBuckets, summarize} from '../../src/report/histogram.ts'

test('native bucket pairs re-record losslessly and survive the base64 round trip', () => {
  // Lowest values of HdrHistogram buckets (1 ns unit, 3 digits), with counts.
  const pairs = [1000, 5, 2047, 1, 40337408, 2, 123904, 1000]
  const histogram = histogramFromBuckets(pairs)
  assert.equal(histogram.totalCount, 1008)
  const summary = summarize(histogram)
  const decoded = decodeHistogram(summary.histogram)
  assert.equal(decoded.totalCount, 1008)
  for (const percentile of [50, 90, 99, 99.9, 100]) {
    assert.equal(decoded.getValueAtPercentile(percentile), histogram.getValueAtPercentile(percentile))
  }
  assert.equal(summary.p50, histogram.getValueAtPercentile(50))
})

test('exact extremes from the native side win over bucket resolution', () => {
  const summary = summarize(histogramFromBuckets([40337408, 1]), {min: 40340000, max: 40340000})
  assert.equal(summary.max, 40340000)
  assert.equal(summary.min, 40340000)
})
