// The change points of a result history: a clear step is found where it is, with the medians
// either side; noise, a constant and a short series give none; bad values are refused; and the
// same input gives the same answer (the permutations are seeded).
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {changePoints} from '../../src/gate/changepoint.ts'
import {seededRandom} from '../../src/gate/statistics.ts'

/**
 * A series of these levels (each held for its count of points) times normal noise of a 3 %
 * coefficient of variation, seeded.
 */
function noisy(levels: [level: number, points: number][], seed: number): number[] {
  const random = seededRandom(seed)
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  return levels.flatMap(([level, points]) => Array.from({length: points}, () => level * (1 + 0.03 * normal())))
}

describe('changePoints', () => {
  test('finds a 15 % step at index 30 of 60, with the medians and ratio either side', () => {
    const points = changePoints(
      noisy(
        [
          [100, 30],
          [115, 30],
        ],
        11,
      ),
    )
    assert.equal(points.length, 1, JSON.stringify(points))
    const [point] = points
    assert.ok(Math.abs(point.index - 30) <= 2, `index ${point.index}`)
    assert.ok(Math.abs(point.before - 100) < 2, `before ${point.before}`)
    assert.ok(Math.abs(point.after - 115) < 2.3, `after ${point.after}`)
    assert.ok(Math.abs(point.ratio - 1.15) < 0.03, `ratio ${point.ratio}`)
    assert.equal(point.ratio, point.after / point.before)
    // No permutation comes near a step five noise widths tall: the smallest p-value 199 can give.
    assert.equal(point.pValue, 1 / 200)
  })

  test('finds a step down as well as up', () => {
    const [point, ...rest] = changePoints(
      noisy(
        [
          [100, 25],
          [80, 35],
        ],
        12,
      ),
    )
    assert.deepEqual(rest, [])
    assert.ok(Math.abs(point.index - 25) <= 2, `index ${point.index}`)
    assert.ok(point.ratio < 0.85 && point.ratio > 0.75, `ratio ${point.ratio}`)
  })

  test('finds nothing in noise alone', () => {
    for (let seed = 1; seed <= 6; seed++) assert.deepEqual(changePoints(noisy([[100, 60]], seed)), [], `seed ${seed}`)
  })

  test('finds two steps, in index order, each with the medians of its own neighbouring segments', () => {
    const points = changePoints(
      noisy(
        [
          [100, 20],
          [120, 20],
          [100, 20],
        ],
        13,
      ),
    )
    assert.equal(points.length, 2, JSON.stringify(points))
    const [up, down] = points
    assert.ok(Math.abs(up.index - 20) <= 2, `first at ${up.index}`)
    assert.ok(Math.abs(down.index - 40) <= 2, `second at ${down.index}`)
    assert.ok(Math.abs(up.ratio - 1.2) < 0.04, `first ratio ${up.ratio}`)
    assert.ok(Math.abs(down.ratio - 1 / 1.2) < 0.04, `second ratio ${down.ratio}`)
    // The segment between them is shared: after of the first is before of the second.
    assert.equal(up.after, down.before)
  })

  test('a constant series has no change point', () => {
    assert.deepEqual(changePoints(Array<number>(60).fill(42)), [])
  })

  test('a series shorter than two segments has none, however large its step', () => {
    assert.deepEqual(changePoints([]), [])
    assert.deepEqual(changePoints([1]), [])
    assert.deepEqual(changePoints([1, 1, 1, 100, 100]), [])
    assert.deepEqual(changePoints([1, 1, 1, 1, 100, 100, 100, 100], {minSegment: 5}), [])
  })

  test('refuses a value that is not a finite number, naming its index', () => {
    assert.throws(() => changePoints([1, 2, Number.NaN, 4, 5, 6]), {name: 'RangeError', message: /series\[2\] is NaN/})
    assert.throws(() => changePoints([1, 2, 3, 4, 5, Infinity]), {name: 'RangeError', message: /series\[5\] is Infinity/})
  })

  test('refuses options out of range', () => {
    const series = noisy([[100, 20]], 1)
    assert.throws(() => changePoints(series, {alpha: 0}), RangeError)
    assert.throws(() => changePoints(series, {permutations: 0}), RangeError)
    assert.throws(() => changePoints(series, {minSegment: 1}), RangeError)
  })

  test('the same input gives the same answer; the seed only moves the p-value', () => {
    const series = noisy(
      [
        [100, 30],
        [108, 30],
      ],
      14,
    )
    const first = changePoints(series)
    assert.ok(first.length > 0)
    assert.deepEqual(changePoints(series), first)
    assert.deepEqual(changePoints([...series], {seed: 0xed1f}), first, 'the default seed, given')
    const reseeded = changePoints(series, {seed: 99})
    assert.deepEqual(
      reseeded.map(({index, before, after}) => ({index, before, after})),
      first.map(({index, before, after}) => ({index, before, after})),
    )
  })

  test('two steps on almost no noise are both found, in order', () => {
    // +3 % at 20, then +20 % at 40.
    const series = Array.from({length: 60}, (_, i) => [100, 103, 123.6][Math.floor(i / 20)] * (1 + 0.001 * Math.sin(i)))
    assert.deepEqual(
      changePoints(series).map((point) => point.index),
      [20, 40],
    )
  })

  test('a split that cannot be significant stops its test early, with the same answer as the whole test', () => {
    const series = noisy([[100, 60]], 5)
    assert.deepEqual(changePoints(series, {permutations: 9999}), [])
    const step = noisy(
      [
        [100, 30],
        [120, 30],
      ],
      6,
    )
    const [point] = changePoints(step, {permutations: 999})
    assert.equal(point.pValue, 1 / 1000)
  })
})
