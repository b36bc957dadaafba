// The addon's long jobs (ThreadJob in native/addon/thread_job.h) and its one error shape.
import assert from 'node:assert/strict'
import {test} from 'node:test'
import {Worker} from 'node:worker_threads'

import {nativeRequest} from '../../src/bench/run.ts'
import {testFileInfo} from '../../src/native/addon.ts'
import {flagLabels} from '../../src/settings/table.ts'
import {toWorkloadSpec} from '../../src/settings/workload.ts'

test('a worker that ends with a 60 s benchmark still running ends at once: the job is cancelled before its thread is joined', async () => {
  // The built wrapper: a worker started from source text gets no TypeScript loader.
  const addon = new URL('../../dist/native/addon.js', import.meta.url).href
  const spec = toWorkloadSpec({name: 'nop', op: 'nop', ringSize: 64, depth: 8, duration: 60e9, warmup: 0, vs: []}, flagLabels())
  const request = {...nativeRequest(spec, 'loop'), progressIntervalMs: 100}
  const code = `
    const {parentPort} = require('node:worker_threads')
    import(${JSON.stringify(addon)}).then(({runBench}) => {
      runBench(${JSON.stringify(request)}, () => parentPort.postMessage('running'))
    })`
  const worker = new Worker(code, {eval: true})
  await new Promise((resolve, reject) => {
    worker.once('message', resolve)
    worker.once('error', reject)
  })
  const started = performance.now()
  await worker.terminate()
  const seconds = (performance.now() - started) / 1000
  assert.ok(seconds < 10, `the worker took ${seconds.toFixed(1)} s to end`)
})

test('a failed call on a test file is an Error with code, errno, call, syscall and path', () => {
  assert.throws(
    () => testFileInfo('/nonexistent/iouring-bench'),
    (error: Error & Record<string, unknown>) => {
      assert.equal(error.code, 'ENOENT')
      assert.equal(error.errno, 2)
      assert.equal(error.call, error.syscall)
      assert.equal(error.path, '/nonexistent/iouring-bench')
      assert.match(error.message, /ENOENT/)
      return true
    },
  )
})
