// The comparison of `bench --compare` from the trials a run saved: which trials count, the
// reference, and the adjustment of the rows' p-values together.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {comparisonOf} from '../../src/bench/comparison.ts'
import type {ResultDocument, SystemResult, TrialResult} from '../../src/model/result.ts'
import type {WorkloadSpec} from '../../src/model/workload.ts'
import {newHistogram, summarize} from '../../src/report/histogram.ts'
import {workloadFromTrials} from '../../src/report/result.ts'

const FAILURE = {call: 'io_uring_enter', code: 'EINTR', errno: 4, message: 'interrupted', explanation: 'the loop stopped: EINTR'}

/** The loop in one trial of a second: `opsPerSec` ops at `cpuNs` each, or a failure after them. */
function loop(opsPerSec: number, {failed = false, cpuNs = 300} = {}): SystemResult {
  const histogram = newHistogram()
  histogram.recordValue(1000)
  return {
    system: 'loop',
    ops: opsPerSec,
    elapsedNs: 1e9,
    opsPerSec,
    bytes: 0,
    bytesPerSec: 0,
    outcomes: {expected: opsPerSec, timedOut: 0, abandoned: 0, corrupt: 0, unexpected: {}},
    latency: summarize(histogram),
    cpu: {userNs: cpuNs * opsPerSec, systemNs: 0, nsPerOp: cpuNs, userNsPerOp: cpuNs, systemNsPerOp: 0, ops: opsPerSec},
    counters: {opsCompleted: opsPerSec, enterCalls: opsPerSec / 10, wakesSent: 0},
    error: failed ? FAILURE : null,
  } as unknown as SystemResult
}

/** A workload from its trials, merged as a run merges them. */
function workload(name: string, trials: SystemResult[]) {
  const spec = {name, drive: {}} as unknown as WorkloadSpec
  return workloadFromTrials(
    spec,
    trials.map((system): TrialResult => ({systems: [system]})),
    {interrupted: false},
  )
}

const listed = (...names: string[]) => names.map((name) => ({name, knobs: {}}))

test('a configuration whose later trial failed: its figures and ratio are of the trials before, and it says why', () => {
  const document = {
    workloads: [
      workload('a', [loop(100), loop(101), loop(99), loop(100), loop(102)]),
      workload('b', [loop(150), loop(152), loop(20, {failed: true, cpuNs: 90_000})]),
    ],
  } as unknown as ResultDocument
  const comparison = comparisonOf(listed('a', 'b'), document, new Map(), 5)
  const b = comparison.configurations[1]
  assert.equal(b.failed, 'trial 3 failed: the loop stopped: EINTR')
  assert.deepEqual(b.figures?.opsPerSec, {median: 151, min: 150, max: 152}, 'the partial third trial is not a trial')
  assert.equal(b.versusReference?.opsPerSec, 151 / 100)
  assert.equal(b.figures?.cpuNsPerOp, 300, "the failed trial's CPU is not counted either")
  assert.equal(comparison.configurations[0].failed, undefined)
})

test('a first configuration that failed in its first trial is skipped, and the next that ran is the reference', () => {
  const document = {
    workloads: [workload('a', [loop(10, {failed: true})]), workload('b', [loop(100), loop(100)]), workload('c', [loop(200), loop(210)])],
  } as unknown as ResultDocument
  const comparison = comparisonOf(listed('a', 'b', 'c'), document, new Map(), 2)
  assert.equal(comparison.reference, 'b')
  assert.equal(comparison.configurations[0].skipped, 'the loop stopped: EINTR')
  assert.equal(comparison.configurations[2].versusReference?.opsPerSec, 2.05)
})

test("the rows' p-values are adjusted together: each row's own p beside Holm's", () => {
  const fast = [200, 201, 202, 203, 204]
  const document = {
    workloads: [
      workload(
        'a',
        [100, 101, 102, 103, 104].map((ops) => loop(ops)),
      ),
      workload(
        'b',
        fast.map((ops) => loop(ops)),
      ),
      workload(
        'c',
        fast.map((ops) => loop(ops)),
      ),
    ],
  } as unknown as ResultDocument
  const [, b, c] = comparisonOf(listed('a', 'b', 'c'), document, new Map(), 5).configurations
  // Fully separated, 5 a side: p = 2/252 each; Holm doubles the smaller, then keeps it.
  for (const row of [b, c]) {
    assert.ok(Math.abs(row.versusReference!.pValue - 2 / 252) < 1e-12)
    assert.ok(Math.abs(row.versusReference!.adjustedPValue! - 4 / 252) < 1e-12)
    assert.equal(row.versusReference!.significant, true)
  }
})
