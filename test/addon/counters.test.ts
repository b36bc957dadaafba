// The loop counters are named once in native/core/counters.h; the list a saved result is rendered
// from without the addon, and the schema's counters, are generated from it (scripts/gen). These
// check that the built addon reports the same list, and the names the generator derives.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {test} from 'node:test'

import {loopCounterInfo} from '../../src/native/addon.ts'
import {LOOP_COUNTERS} from '../../src/report/counters.ts'
import {SCHEMA_DIR} from '../../src/report/schema.ts'

test("the report's counter table has the native core's names and help texts, in its order", () => {
  const native = loopCounterInfo()
  const reported = LOOP_COUNTERS.filter((info) => info.kind !== 'gauge').map(({name, help}) => ({name, help}))
  assert.deepEqual(reported, native)
})

test('the result schema requires exactly the counters the table knows, the gauge included', () => {
  const schema = JSON.parse(readFileSync(`${SCHEMA_DIR}/result.schema.json`, 'utf8'))
  const counters = schema.$defs.counters
  const names = LOOP_COUNTERS.map((info) => info.name)
  // All of them (loop, raw) or none (fio, node-fs): the first one requires the rest, but for those
  // added after results of this schema version were first saved, which read as 0 when absent.
  const addedLater = ['zcNotifications', 'zcCopied']
  const required = names.filter((name) => !addedLater.includes(name))
  assert.deepEqual([required[0], ...counters.dependentRequired[required[0]]], required)
  assert.deepEqual(Object.keys(counters.properties), names)
})

test('Prometheus names: each counter once, counters end in _total, durations in seconds', () => {
  const metrics = LOOP_COUNTERS.map((info) => info.metric)
  assert.equal(new Set(metrics).size, metrics.length)
  for (const info of LOOP_COUNTERS) {
    assert.match(info.metric, /^[a-z][a-z0-9_]*$/)
    assert.equal(info.metric.endsWith('_total'), info.kind === 'total', info.name)
    assert.equal(info.metric.includes('seconds'), info.unit === 'ns', info.name)
  }
})
