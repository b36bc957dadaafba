// The HTML report's chart helpers: axes that cover their data with round ticks, and marks whose
// user text is escaped.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {type Axis, linearAxis, logAxis} from '../../src/report/chart.ts'
import {gateStrip, throughputBars} from '../../src/report/plot.ts'

const values = (axis: Axis): number[] => axis.ticks.map((tick) => tick.value)

test('a linear axis covers its range with 1, 2 or 5 times a power of ten, and labels without float noise', () => {
  assert.deepEqual(values(linearAxis('', 0, 7.3, String)), [0, 2, 4, 6, 8])
  assert.deepEqual(values(linearAxis('', 0, 1_830_000, String, 4)), [0, 500_000, 1_000_000, 1_500_000, 2_000_000])
  assert.deepEqual(
    linearAxis('', 0.1, 0.3, String, 2).ticks.map((tick) => tick.label),
    ['0.1', '0.2', '0.3'],
  )
  const axis = linearAxis('', 3.7, 4.3, String)
  assert.ok(axis.fraction(3.7) >= 0 && axis.fraction(4.3) <= 1)
  // One value still gets a range to stand in.
  const flat = linearAxis('', 5, 5, String)
  assert.ok(values(flat).length >= 2 && Number.isFinite(flat.fraction(5)))
})

test('a log axis runs from the tick at or below the lowest value to the tick at or above the highest', () => {
  assert.deepEqual(values(logAxis('', 3000, 45_000, String)), [2000, 5000, 10_000, 20_000, 50_000])
  // Over many decades, only the powers of ten.
  assert.deepEqual(values(logAxis('', 500, 3_000_000, String)), [100, 1000, 10_000, 100_000, 1_000_000, 10_000_000])
  const flat = logAxis('', 1000, 1000, String)
  assert.deepEqual(values(flat), [1000, 2000])
  assert.equal(flat.fraction(1000), 0)
})

test('throughput bars: a whisker only with an interval, and the axis saying which', () => {
  const one = throughputBars('nop', [{system: 'loop', value: 1000}], 1)
  assert.doesNotMatch(one, /class="whisker"/)
  assert.match(one, />ops\/s, one trial: no interval</)
  const five = throughputBars(
    'nop',
    [
      {system: 'loop', value: 1000, interval: [900, 1100]},
      {system: 'raw', value: 2000, interval: [1500, 2500]},
    ],
    5,
  )
  assert.equal(five.match(/class="whisker"/g)?.length, 2)
  assert.match(five, />ops\/s, median of 5 trials; whisker: min – max</)
})

test('names from the result are escaped in every mark', () => {
  const svg = gateStrip({
    workload: '<img src=x onerror=alert(1)>',
    metric: 'p99',
    verdict: 'same',
    baseline: [1000, 1100, 1200, 1300],
    candidate: [1050, 1150, 1250, 1350],
    ratio: 1.04,
    interval: [0.9, 1.2],
    pValue: 0.5,
    minEffect: 0.25,
    reason: '',
  })
  assert.doesNotMatch(svg, /<img/)
  assert.match(svg, /&lt;img src=x onerror=alert\(1\)&gt;/)
  assert.equal(svg.match(/<circle class="trial"/g)?.length, 8)
})
