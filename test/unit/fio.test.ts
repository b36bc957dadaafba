import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {test} from 'node:test'

import {fioKnobOptions, fioMeasured, parseFioOutput} from '../../src/bench/fio.ts'
import type {WorkloadSpec} from '../../src/model/workload.ts'

// Captured from fio 3.33: 4 KiB random reads at depth 32, --ramp_time=50ms --runtime=100ms
// --output-format=json+. Its own counts disagree: io_bytes is 7805 blocks, lat_ns.N (and its bins)
// 7804 ops, total_ios 7773.
const output = parseFioOutput(readFileSync(new URL('../fixtures/fio/randread-4k-qd32-ramp.json', import.meta.url), 'utf8'))
const spec = {op: 'file-read', file: {blockSize: 4096}, drive: {}, loop: {}} as WorkloadSpec

test("fio's ops, bytes and latency histogram all count the same ops", () => {
  const measured = fioMeasured(output, spec, [], false)!
  assert.equal(measured.ops, 7804)
  assert.equal(measured.bytes, 7804 * 4096, 'one block per op, not io_bytes (one block more)')
  assert.equal(measured.latency.totalCount, measured.ops)
  assert.equal(measured.expected, measured.ops)
})

test("fio gets its own options for the loop's ring knobs, and the report says which it has none for and what fio sets itself", () => {
  assert.deepEqual(fioKnobOptions({loop: {}} as WorkloadSpec), {options: [], unmatched: []})
  const loop = {
    sqpoll: true,
    sqpollCpu: 1,
    sqpollIdleNs: 10e6,
    ioPoll: true,
    ringFd: true,
    submitAll: true,
    noSqarray: true,
    deferTaskrun: true,
  }
  assert.deepEqual(fioKnobOptions({loop, file: {fixedFiles: true}} as unknown as WorkloadSpec), {
    options: ['--sqthread_poll=1', '--sqthread_poll_cpu=1', '--hipri=1', '--registerfiles=1'],
    unmatched: ["sqpoll-idle (fio keeps the kernel's 1 s)", 'ring-fd (fio enters through the ring fd itself)', 'submit-all', 'no-sqarray'],
  })
  const {info} = fioMeasured(output, {...spec, loop: {sqpoll: true, ringFd: true}} as WorkloadSpec, [], false)!
  assert.equal(info.options, '--sqthread_poll=1')
  assert.equal(info.unmatched, 'ring-fd (fio enters through the ring fd itself): no fio option')
  assert.equal(fioMeasured(output, {...spec, loop: {sqpoll: true}} as WorkloadSpec, [], false)!.cpu.leavesOut, 'its SQ thread')
  assert.match(String(info.ringFlags), /^COOP_TASKRUN, SINGLE_ISSUER\|DEFER_TASKRUN and CQSIZE, set by fio itself/)
})
