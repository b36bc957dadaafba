// The node-fs baseline: what a Node user would write instead, fs.promises FileHandle reads or
// writes at the same concurrency (submitters x depth), block size and file, in a Node process of
// its own: libuv reads UV_USE_IO_URING once per process, so node-fs (as Node 20 runs by default)
// and node-fs-uring (UV_USE_IO_URING=1) each get a process with the variable as they need it.
// Whether libuv did use io_uring is read from the process itself (an io_uring fd), not trusted
// from the variable, and when it did not, the report says why.

import {fork} from 'node:child_process'
import {release} from 'node:os'

import type {WorkloadSpec} from '../model/workload.js'
import {decodeHistogram} from '../report/histogram.js'
import type {BaselineRun} from './baseline.js'
import type {NodeFsJob, NodeFsMessage} from './node-fs-worker.js'
import type {TestFile} from './test-file.js'

/** libuv's own rule (src/unix/linux.c, uv__use_io_uring): older kernels' SQPOLL thread could spin at 100 % CPU. */
const LIBUV_KERNEL_GATE: [number, number, number] = [5, 10, 186]
/** The first libuv that does file I/O through io_uring. */
const LIBUV_IO_URING_SINCE: [number, number] = [1, 45]

function versionAtLeast(text: string, least: readonly number[]): boolean {
  const parts = (text.match(/\d+/g) ?? []).map(Number)
  for (let i = 0; i < least.length; i++) {
    if ((parts[i] ?? 0) !== least[i]) return (parts[i] ?? 0) > least[i]
  }
  return true
}

/** Why libuv ran its thread pool and not io_uring, most basic reason first. */
function whyNoIoUring(variable: string | undefined): string {
  const uv = process.versions.uv
  if (!versionAtLeast(uv, LIBUV_IO_URING_SINCE)) return `libuv ${uv} has no io_uring (it came in ${LIBUV_IO_URING_SINCE.join('.')})`
  // libuv reads it with atoi: any number other than 0 turns io_uring on.
  if (!Number.parseInt(variable ?? '0', 10))
    return `UV_USE_IO_URING is ${variable === undefined ? 'unset' : `'${variable}'`}: this Node's libuv ${uv} keeps io_uring off unless it is a number other than 0`
  if (!versionAtLeast(release(), LIBUV_KERNEL_GATE))
    return `libuv uses io_uring only on Linux ${LIBUV_KERNEL_GATE.join('.')} and later; this kernel is ${release()}`
  return "UV_USE_IO_URING asks for it and the kernel passes libuv's gate, yet no file ring was open: io_uring_setup was refused (seccomp, kernel.io_uring_disabled)"
}

export function runNodeFs(spec: WorkloadSpec, file: TestFile, ioUring: boolean, signal?: AbortSignal): Promise<BaselineRun> {
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
  // node-fs runs as the user's Node does: the variable as this process has it.
  const variable = ioUring ? '1' : process.env.UV_USE_IO_URING
  const {UV_USE_IO_URING: _inherited, ...env} = process.env
  return new Promise((resolve) => {
    const child = fork(new URL('./node-fs-worker.js', import.meta.url), {
      env: variable === undefined ? env : {...env, UV_USE_IO_URING: variable},
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    child.send(job)
    let stderr = ''
    child.stderr!.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
    const stop = (): void => void (child.connected && child.send('stop'))
    signal?.addEventListener('abort', stop, {once: true})
    let settled = false
    const settle = (run: BaselineRun): void => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', stop)
      resolve(run)
    }
    child.once('message', (message: NodeFsMessage) => {
      if (!message.result) {
        settle({failed: `node-fs failed: ${message.error}`})
        return
      }
      const {result} = message
      const used = result.fileIoRings > 0
      settle({
        measured: {
          ...result,
          latency: decodeHistogram(result.latency),
          service: result.service === undefined ? undefined : decodeHistogram(result.service),
          info: {
            node: process.version,
            libuv: process.versions.uv,
            api: `fs.promises FileHandle.${job.write ? 'write' : 'read'}, ${job.concurrency} at a time`,
            UV_USE_IO_URING: variable ?? null,
            ioUring: used
              ? `used: ${result.fileIoRings} io_uring rings with an SQ thread (libuv's file I/O) in the process`
              : `not used: ${whyNoIoUring(variable)}`,
            UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? null,
            cpu: `the whole process (libuv's ${used ? 'io_uring, with its SQ thread,' : 'thread pool'} does the I/O)`,
            ...(files.direct ? {direct: 'Node cannot open with O_DIRECT: it reads through the page cache'} : {}),
          },
        },
      })
    })
    child.once('error', (error) => settle({failed: `node-fs failed: ${error.message}`}))
    // 'close', not 'exit': only then has every message it sent been read.
    child.once('close', (code, killedBy) =>
      settle({
        failed: `node-fs failed: its process ended (${killedBy ?? `status ${code}`}) without a result${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`,
      }),
    )
  })
}
