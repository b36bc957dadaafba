// The comparison of `bench --compare` from the trials a run saved: which trials count, the
// reference, and the adjustment of the rows' p-values together.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {comparisonOf} from '../../src/bench/comparison.ts'
import type {ResultDocument, SystemResult, WorkloadResult} from '../../src/model/result.ts'

const FAILURE = {call: 'io_uring_enter', code: 'EINTR', errno: 4, message: 'interrupted', explanation: 'the loop stopped: EINTR'}

/** The loop in one trial: `opsPerSec` over a second, or a failure after `opsPerSec` ops. */
function loop(opsPerSec: number, failed = false): SystemResult {
  return {
    system: 'loop',
    ops: opsPerSec,
    opsPerSec,
    latency: {p50: 1000, p99: 5000},
    cpu: {nsPerOp: 300, ioThreadsNsPerOp: null},
    counters: {opsCompleted: opsPerSec, enterCalls: opsPerSec / 10, wakesSent: 0},
    error: failed ? FAILURE : null,
  } as unknown as SystemResult
}

function workload(name: string, trials: SystemResult[]): WorkloadResult {
  const failed = trials.find((trial) => trial.error)
  const merged = {...trials[0], ...(failed ? {error: failed.error} : {})}
  return {name, systems: [merged], ratios: [], trials: trials.map((system) => ({systems: [system]}))} as unknown as WorkloadResult
}

const listed = (...names: string[]) => names.map((name) => ({name, knobs: {}}))

test('a configuration whose later trial failed: its figures and ratio are of the trials before, and it says why', () => {
  const document = {
    workloads: [
      workload('a', [loop(100), loop(101), loop(99), loop(100), loop(102)]),
      workload('b', [loop(150), loop(152), loop(20, true)]),
    ],
  } as unknown as ResultDocument
  const comparison = comparisonOf(listed('a', 'b'), document, new Map(), 5)
  const b = comparison.configurations[1]
  assert.equal(b.failed, 'trial 3 failed: the loop stopped: EINTR')
  assert.deepEqual(b.figures?.opsPerSec, {median: 151, min: 150, max: 152}, 'the partial third trial is not a trial')
  assert.equal(b.versusReference?.opsPerSec, 151 / 100)
  assert.equal(comparison.configurations[0].failed, undefined)
})

test('a first configuration that failed in its first trial is skipped, and the next that ran is the reference', () => {
  const document = {
    workloads: [workload('a', [loop(10, true)]), workload('b', [loop(100), loop(100)]), workload('c', [loop(200), loop(210)])],
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
