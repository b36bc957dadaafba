// Every figure called a median is the same median: for an even count, the mean of the middle two,
// as the gate's verdict (simple-statistics) takes it.

import assert from 'node:assert/strict'
import {test} from 'node:test'

import {DEFAULT_GATE, judge} from '../../src/gate/gate.ts'
import {gateRows} from '../../src/gate/render.ts'
import {throughputWindows} from '../../src/stress/timeouts.ts'

test("the gate table's median of an even number of trials is the one behind the ratio", () => {
  const baseline = [100, 200, 300, 400]
  const candidate = [100, 200, 300, 400]
  const verdict = judge('w', 'p99', baseline, candidate, DEFAULT_GATE)
  const [row] = gateRows({passed: true, alpha: DEFAULT_GATE.alpha, confidence: DEFAULT_GATE.confidence, verdicts: [verdict], notes: []})
  // median 250 ns, not the upper middle 300 ns
  assert.equal(row.cells[2], '250 ns [100 ns – 400 ns]')
  assert.equal(verdict.ratio, 1)
})

test("stress-timeouts' median window of an even number of windows is the mean of the middle two", () => {
  // Four 1 s windows with 10, 20, 30 and 40 normal ops ended (no timeouts fired).
  let ended = 0
  const samples = [10, 20, 30, 40].map((ops, i) => {
    ended += ops
    return {elapsedNs: (i + 1) * 1e9, measuring: true, opsEnded: ended, bytesEnded: 0, counters: {opsCompleted: ended, timeoutsFired: 0}}
  })
  const windows = throughputWindows(samples, 4e9, 1e9)
  assert.deepEqual(
    {count: windows.count, min: windows.minOpsPerSec, median: windows.medianOpsPerSec, max: windows.maxOpsPerSec},
    {count: 4, min: 10, median: 25, max: 40},
  )
})
