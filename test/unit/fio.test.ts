import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {test} from 'node:test'

import {fioMeasured, parseFioOutput} from '../../src/bench/fio.ts'
import type {WorkloadSpec} from '../../src/model/workload.ts'

// Captured from fio 3.33: 4 KiB random reads at depth 32, --ramp_time=50ms --runtime=100ms
// --output-format=json+. Its own counts disagree: io_bytes is 7805 blocks, lat_ns.N (and its bins)
// 7804 ops, total_ios 7773.
const output = parseFioOutput(readFileSync(new URL('../fixtures/fio/randread-4k-qd32-ramp.json', import.meta.url), 'utf8'))
const spec = {op: 'file-read', file: {blockSize: 4096}, drive: {}} as WorkloadSpec

test("fio's ops, bytes and latency histogram all count the same ops", () => {
  const measured = fioMeasured(output, spec, [], false)!
  assert.equal(measured.ops, 7804)
  assert.equal(measured.bytes, 7804 * 4096, 'one block per op, not io_bytes (one block more)')
  assert.equal(measured.latency.totalCount, measured.ops)
  assert.equal(measured.expected, measured.ops)
})
