// The history gate's rules, apart from any file: which way a change counts for each metric, the
// minimum effects, the permutations a family of tests needs, and how the values draw.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {changePointOptions, changeVerdict, HISTORY_MIN_EFFECT} from '../../src/gate/history.ts'
import {sparkline} from '../../src/gate/history-render.ts'

describe('history gate: the verdict of a change', () => {
  test('throughput down is worse, latency and counts up are worse; each at its own minimum effect', () => {
    assert.equal(changeVerdict('opsPerSec', 1, 0.9, 0.001, 0.05).verdict, 'worse')
    assert.equal(changeVerdict('opsPerSec', 1, 1.1, 0.001, 0.05).verdict, 'better')
    assert.equal(changeVerdict('p99', 1, 1.3, 0.001, 0.05).verdict, 'worse')
    assert.equal(changeVerdict('entersPerOp', 1, 2, 0.001, 0.05).verdict, 'worse')
    assert.equal(changeVerdict('sqesPerEnter', 1, 0.5, 0.001, 0.05).verdict, 'worse')
    // Smaller than the minimum effect: significant, but the same.
    assert.equal(changeVerdict('p99', 1, 1.2, 0.001, 0.05).verdict, 'same')
    assert.match(changeVerdict('p99', 1, 1.2, 0.001, 0.05).reason, /smaller than the minimum effect of 25%/)
    assert.equal(changeVerdict('instructionsPerOp', 1, 1.03, 0.001, 0.05).verdict, 'worse')
    // Not significant among the family: the same, however large.
    const chance = changeVerdict('opsPerSec', 1, 0.5, 0.2, 0.05)
    assert.equal(chance.verdict, 'same')
    assert.match(chance.reason, /not significant among the history's tests \(p = 0\.200 adjusted/)
    // From nothing (no wakes before), any rise counts.
    const fromZero = changeVerdict('wakesPerOp', 0, 0.5, 0.001, 0.05)
    assert.equal(fromZero.verdict, 'worse')
    assert.match(fromZero.reason, /^from 0 to 0\.5, significant/)
    // Zero on both sides moved nothing, however the split fell.
    assert.equal(changeVerdict('wakesPerOp', 0, 0, 0.001, 0.05).verdict, 'same')
  })

  test('the counts have tighter minimum effects than time', () => {
    assert.ok(HISTORY_MIN_EFFECT.entersPerOp < HISTORY_MIN_EFFECT.p50)
    assert.ok(HISTORY_MIN_EFFECT.instructionsPerOp < HISTORY_MIN_EFFECT.opsPerSec)
  })

  test('enough permutations that the smallest p of a family can pass Holm at alpha', () => {
    for (const tests of [1, 9, 48, 200]) {
      const {permutations, alpha} = changePointOptions(tests, 0.05)
      // The smallest permutation p-value, times the family's size (Holm's first step), below alpha.
      assert.ok((tests * 1) / (permutations! + 1) < alpha!, `${tests} tests, ${permutations} permutations`)
    }
    assert.equal(changePointOptions(1, 0.05).permutations, 199)
  })
})

describe('history gate: the sparkline', () => {
  test('a step draws low and high; noise of a fraction of a per cent draws flat; a missing value is a gap', () => {
    assert.equal(sparkline([1, 1, 1, 2, 2, 2]), '▁▁▁███')
    assert.equal(sparkline([1, 1.001, 0.999, 1]), '▁▁▁▁')
    assert.equal(sparkline([1, null, 2]), '▁ █')
  })
})
