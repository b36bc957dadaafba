import assert from 'node:assert/strict'
import {test} from 'node:test'

import {checkGateTrials, checkSameHost, checkTrials, DEFAULT_GATE, judge, minimumTrials} from '../../src/gate/gate.ts'

const config = {...DEFAULT_GATE, metrics: {opsPerSec: {minEffect: 0.1}, p99: {minEffect: 0.1}}}
const steady = [1000, 1010, 990, 1005, 995, 1002]

test('a large, consistent slowdown is worse', () => {
  const verdict = judge(
    'w',
    'opsPerSec',
    steady,
    steady.map((v) => v * 0.5),
    config,
  )
  assert.equal(verdict.verdict, 'worse')
  assert.ok(verdict.pValue < 0.05)
  assert.ok(Math.abs(verdict.ratio - 0.5) < 0.01)
  assert.ok(verdict.interval[0] <= verdict.ratio && verdict.ratio <= verdict.interval[1])
})

test('direction follows the metric: higher latency is worse, higher throughput better', () => {
  assert.equal(
    judge(
      'w',
      'p99',
      steady,
      steady.map((v) => v * 2),
      config,
    ).verdict,
    'worse',
  )
  assert.equal(
    judge(
      'w',
      'opsPerSec',
      steady,
      steady.map((v) => v * 2),
      config,
    ).verdict,
    'better',
  )
})

test('the minimum effect holds both ways: swapping baseline and candidate swaps worse and better', () => {
  const wide = {...DEFAULT_GATE, metrics: {p99: {minEffect: 1}, opsPerSec: {minEffect: 0.3}}}
  const eightTimes = steady.map((v) => v * 8)
  assert.equal(judge('w', 'p99', steady, eightTimes, wide).verdict, 'worse')
  assert.equal(judge('w', 'p99', eightTimes, steady, wide).verdict, 'better', 'an 8× lower p99 is beyond a 100% effect')
  for (const [factor, verdict, swapped] of [
    [0.75, 'same', 'same'],
    [0.6, 'worse', 'better'],
  ] as const) {
    const dropped = steady.map((v) => v * factor)
    assert.equal(judge('w', 'opsPerSec', steady, dropped, wide).verdict, verdict, `throughput ×${factor}`)
    assert.equal(judge('w', 'opsPerSec', dropped, steady, wide).verdict, swapped, `throughput ×${factor}, sides swapped`)
  }
})

test('a significant change smaller than the minimum effect is the same', () => {
  const verdict = judge(
    'w',
    'opsPerSec',
    steady,
    steady.map((v) => v * 0.95),
    config,
  )
  assert.ok(verdict.pValue < 0.05, 'the shift is consistent, so significant')
  assert.equal(verdict.verdict, 'same')
  assert.match(verdict.reason, /smaller than the minimum effect of 10%/)
})

test('a large but noisy difference is not significant, so the same', () => {
  const verdict = judge('w', 'opsPerSec', [100, 400, 150, 380, 120, 390], [110, 300, 90, 200, 260, 150], config)
  assert.equal(verdict.verdict, 'same')
  assert.match(verdict.reason, /within the trials' spread/)
})

test('too few trials to ever be significant are refused', () => {
  assert.throws(() => checkTrials(3, 3, 0.05), /trials: 3 \(baseline\) and 3 \(now\) are too few for the gate/)
  checkTrials(4, 4, 0.05)
})

test('the fewest trials a side that can reach significance, by alpha', () => {
  assert.equal(minimumTrials(0.05), 4)
  assert.equal(minimumTrials(0.1), 4, 'at 3 a side the smallest p is exactly 0.1, not below it')
  assert.equal(minimumTrials(0.2), 3)
  assert.equal(minimumTrials(0.01), 5)
  // Among 7 rows adjusted by Holm the smallest p must be below 0.05 / 7: 2/252 at 5 a side is not.
  assert.equal(minimumTrials(0.05, 7), 6)
  assert.throws(() => checkGateTrials(3, 0.05, 'trials'), /: trials: 3 is too few for the regression gate: .*use at least 4/)
  checkGateTrials(4, 0.05, 'trials')
})

test('a baseline from another host or kernel is refused unless allowed', () => {
  const here = {
    host: {hostname: 'a', cpus: 2, cpuModel: 'X', arch: 'x64', memoryBytes: 1, node: 'v20'},
    kernel: {release: '6.18', version: '#1'},
  }
  const there = {...here, kernel: {release: '6.1', version: '#1'}}
  assert.throws(
    () => checkSameHost(there, here, false),
    /^UsageError: --baseline: measured elsewhere: kernel 6\.1 \(baseline\) vs 6\.18 \(now\)|--baseline: measured elsewhere: kernel 6\.1 \(baseline\) vs 6\.18 \(now\)/,
  )
  checkSameHost(there, here, true)
  checkSameHost(here, here, false)
})
