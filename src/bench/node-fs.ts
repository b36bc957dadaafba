// The node-fs baseline: what a Node user would write instead, fs.promises FileHandle reads or
// writes at the same concurrency (submitters x depth), block size and file, in a worker thread.
// UV_USE_IO_URING is reported as it was: this Node's libuv uses its thread pool unless it is 1.

import {Worker} from 'node:worker_threads'

import type {WorkloadSpec} from '../model/workload.js'
import {decodeHistogram} from '../report/histogram.js'
import type {BaselineRun} from './baseline.js'
import type {NodeFsJob, NodeFsResult} from './node-fs-worker.js'
import type {TestFile} from './test-file.js'

export function runNodeFs(spec: WorkloadSpec, file: TestFile, signal?: AbortSignal): Promise<BaselineRun> {
  const files = spec.file!
  const job: NodeFsJob = {
    path: file.path,
    write: spec.op === 'file-write',
    blockSize: files.blockSize,
    sizeBytes: file.sizeBytes,
    random: files.random,
    fsyncEvery: files.fsyncEvery,
    concurrency: spec.drive.submitters * spec.drive.depth,
    durationNs: spec.drive.durationNs,
    ops: spec.drive.ops,
    warmupNs: spec.drive.warmupNs,
    rate: spec.drive.rate,
    arrivals: spec.drive.arrivals,
  }
  const info = {
    node: process.version,
    api: `fs.promises FileHandle.${job.write ? 'write' : 'read'}, ${job.concurrency} at a time`,
    UV_USE_IO_URING: process.env.UV_USE_IO_URING ?? null,
    UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? null,
    cpu: "the whole process (libuv's thread pool does the I/O)",
    ...(files.direct ? {direct: 'Node cannot open with O_DIRECT: it reads through the page cache'} : {}),
  }
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./node-fs-worker.js', import.meta.url), {workerData: job})
    const stop = (): void => worker.postMessage('stop')
    signal?.addEventListener('abort', stop, {once: true})
    worker.once('message', (message: {result?: NodeFsResult; error?: string}) => {
      signal?.removeEventListener('abort', stop)
      void worker.terminate()
      if (!message.result) {
        resolve({failed: `node-fs failed: ${message.error}`})
        return
      }
      const {result} = message
      resolve({
        measured: {
          ...result,
          latency: decodeHistogram(result.latency),
          service: result.service === undefined ? undefined : decodeHistogram(result.service),
          info,
        },
      })
    })
    worker.once('error', (error) => resolve({failed: `node-fs failed: ${error.message}`}))
  })
}
