import assert from 'node:assert/strict'
import {test} from 'node:test'

import {holmAdjusted, mannWhitneyU, ratioInterval, smallestPValue} from '../../src/gate/statistics.ts'

test('the exact Mann-Whitney p-value matches published tables', () => {
  // Fully separated samples of 5 and 5: 2 / C(10, 5) = 2 / 252.
  assert.ok(Math.abs(mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).pValue - 2 / 252) < 1e-12)
  assert.equal(smallestPValue(3, 3), 0.1)
  assert.ok(Math.abs(smallestPValue(4, 4) - 2 / 70) < 1e-12)
  // Ranks 1, 2, 3, 6 against 4, 5, 7, 8: U = 2, P(U <= 2) = 4/70, two-sided 8/70
  // (scipy.stats.mannwhitneyu(..., method='exact') gives 0.1143).
  const result = mannWhitneyU([1, 2, 3, 6], [4, 5, 7, 8])
  assert.equal(result.u, 2)
  assert.ok(Math.abs(result.pValue - 8 / 70) < 1e-12)
})

test("Holm's adjustment: the k-th smallest p times the rows left, never below an earlier one, at most 1", () => {
  // Sorted 0.005, 0.01, 0.03, 0.04 take 4x, 3x, 2x, 1x: 0.02, 0.03, 0.06, then 0.04 raised to 0.06.
  const adjusted = holmAdjusted([0.01, 0.04, 0.03, 0.005])
  ;[0.03, 0.06, 0.06, 0.02].forEach((expected, i) => assert.ok(Math.abs(adjusted[i] - expected) < 1e-12, `${i}: ${adjusted[i]}`))
  assert.deepEqual(holmAdjusted([0.7, 0.9]), [1, 1])
  assert.deepEqual(holmAdjusted([0.02]), [0.02], 'one row alone is not adjusted')
  assert.deepEqual(holmAdjusted([]), [])
})

test('the smallest p-value is that of fully separated samples, for every size', () => {
  for (let n1 = 1; n1 <= 8; n1++) {
    for (let n2 = 1; n2 <= 8; n2++) {
      const separated = mannWhitneyU(
        Array.from({length: n1}, (_, i) => i),
        Array.from({length: n2}, (_, i) => n1 + i),
      ).pValue
      assert.ok(Math.abs(smallestPValue(n1, n2) - separated) < 1e-12, `${n1} and ${n2}`)
    }
  }
})

test('identical samples are not significantly different', () => {
  assert.equal(mannWhitneyU([5, 5, 5, 5], [5, 5, 5, 5]).pValue, 1)
})

test('the ratio interval brackets the ratio of medians and is reproducible', () => {
  const baseline = [100, 102, 98, 101, 99]
  const candidate = [80, 81, 79, 82, 78]
  const [low, high] = ratioInterval(baseline, candidate, 0.95)
  assert.ok(low <= 0.8 && 0.8 <= high, `${low}..${high}`)
  assert.ok(high < 0.9)
  assert.deepEqual(ratioInterval(baseline, candidate, 0.95), [low, high])
})
