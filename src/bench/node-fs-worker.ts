// The node-fs baseline's process: the same file workload through Node's fs.promises FileHandle,
// `concurrency` operations at a time (closed loop), or on the same schedule as the loop's open
// loop, each op's latency measured with process.hrtime.bigint into an HdrHistogram. It is a
// process of its own (forked, its job the first message) so libuv reads UV_USE_IO_URING as the
// run sets it, its CPU is its own, and the tool's event loop is not what is measured.

import {readdirSync, readFileSync, readlinkSync} from 'node:fs'
import {open} from 'node:fs/promises'
import {setImmediate as nextTurn, setTimeout as sleep} from 'node:timers/promises'

import {encodeHistogram, newHistogram} from '../report/histogram.js'
import type {MeasuredBaseline} from './baseline.js'

export interface NodeFsJob {
  path: string
  write: boolean
  blockSize: number
  sizeBytes: number
  random: boolean
  fsyncEvery: number
  concurrency: number
  durationNs: number
  ops: number
  warmupNs: number
  rate?: number
  arrivals?: 'uniform' | 'poisson'
}

/** What the process sends back: a measured baseline, its histograms encoded to cross, and how many file-I/O rings libuv had open. */
export type NodeFsResult = Omit<MeasuredBaseline, 'latency' | 'service' | 'info'> & {
  latency: string
  service?: string
  fileIoRings: number
}

export type NodeFsMessage = {result: NodeFsResult; error?: undefined} | {result?: undefined; error: string}

let stopping = false

/**
 * libuv's file-I/O rings in this process: io_uring instances with an SQ thread (libuv makes its
 * file ring SQPOLL; the plain ring libuv 1.49+ keeps for epoll does no file I/O). A kernel whose
 * fdinfo does not show the SQ thread counts every ring.
 */
function fileIoRings(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) !== 'anon_inode:[io_uring]') return false
      const sqThread = /^SqThread:\s*(-?\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))
      return sqThread === null || sqThread[1] !== '-1'
    } catch {
      return false
    }
  }).length
}

const now = (): number => Number(process.hrtime.bigint())

async function main(job: NodeFsJob): Promise<NodeFsResult> {
  const handle = await open(job.path, job.write ? 'r+' : 'r')
  const blocks = Math.floor(job.sizeBytes / job.blockSize)
  const latency = newHistogram()
  const service = job.rate === undefined ? undefined : newHistogram()
  const started = now()
  const measureStart = started + job.warmupNs
  const end = job.ops > 0 ? Infinity : measureStart + job.durationNs
  const cpuStart = process.cpuUsage()
  const result = {ops: 0, expected: 0, unexpected: {} as Record<string, number>, bytes: 0, late: 0, missed: 0}
  let lastEnd = measureStart
  let measuredIssued = 0
  let cursor = 0
  // Open loop: the next op's due time, shared by all lanes; a lane that frees takes the next.
  const period = job.rate === undefined ? 0 : 1e9 / job.rate
  let due = started
  const nextDue = (): number => {
    const current = due
    due += job.arrivals === 'poisson' ? -Math.log(1 - Math.random()) * period : period
    return current
  }

  async function lane(): Promise<void> {
    const buffer = Buffer.alloc(job.blockSize, 0x5a)
    let writes = 0
    for (;;) {
      let intended = now()
      let late = false
      if (period > 0) {
        // A free lane always holds the next ticket, so one already overdue when taken fell due
        // while every lane was busy.
        const takenAt = now()
        intended = nextDue()
        late = intended < takenAt
        while (now() < intended && intended < end && !stopping) {
          const wait = intended - now()
          if (wait > 2e6) await sleep(Math.floor(wait / 1e6) - 1)
          else await nextTurn()
        }
      }
      const issued = now()
      // As the native loop does: the phase ends by the schedule, so an op due before the end
      // that this lane woke for a little after it is issued; one that waited for a lane past
      // the end is missed. It starts by the clock: an op issued after the warm-up is measured,
      // even one due in it that the lanes, behind their schedule, reach only now.
      if (stopping || intended >= end || (late && issued >= end)) {
        if (period > 0 && !stopping) result.missed += countDue(intended, measureStart, end)
        return
      }
      const measured = issued >= measureStart
      if (measured && job.ops > 0 && measuredIssued >= job.ops) return
      if (measured) measuredIssued++
      let outcome = 'expected'
      let bytes = 0
      try {
        if (job.write && job.fsyncEvery > 0 && writes === job.fsyncEvery) {
          writes = 0
          await handle.sync()
        } else {
          const block = job.random ? Math.floor(Math.random() * blocks) : cursor++ % blocks
          const {bytesWritten, bytesRead} = job.write
            ? {...(await handle.write(buffer, 0, job.blockSize, block * job.blockSize)), bytesRead: 0}
            : {...(await handle.read(buffer, 0, job.blockSize, block * job.blockSize)), bytesWritten: 0}
          bytes = bytesWritten + bytesRead
          if (job.write) writes++
          if (bytes !== job.blockSize) outcome = 'short'
        }
      } catch (error) {
        outcome = (error as NodeJS.ErrnoException).code ?? 'error'
      }
      const ended = now()
      if (!measured) continue
      result.ops++
      result.bytes += bytes
      lastEnd = Math.max(lastEnd, ended)
      if (outcome === 'expected') result.expected++
      else result.unexpected[outcome] = (result.unexpected[outcome] ?? 0) + 1
      latency.recordValue(Math.max(1, ended - intended))
      service?.recordValue(Math.max(1, ended - issued))
      if (late) result.late++
    }
  }

  // Ops still due in [from, end) when issuing stopped at the end of the phase (the first one
  // was already taken from the schedule by the lane that stopped).
  function countDue(first: number, from: number, until: number): number {
    let count = first >= from && first < until ? 1 : 0
    for (let at = nextDue(); at < until; at = nextDue()) count += at >= from ? 1 : 0
    return count
  }

  await Promise.all(Array.from({length: job.concurrency}, () => lane()))
  const cpu = process.cpuUsage(cpuStart)
  const rings = fileIoRings()
  await handle.close()
  return {
    ...result,
    elapsedNs: lastEnd - measureStart,
    cpu: {userNs: cpu.user * 1000, systemNs: cpu.system * 1000},
    latency: encodeHistogram(latency),
    ...(service ? {service: encodeHistogram(service)} : {}),
    interrupted: stopping,
    fileIoRings: rings,
  }
}

// Stopped by the tool ('stop'), by the terminal's Ctrl-C (this process is in its group too) or
// the tool's end: what was measured so far is still sent, as the loop's partial figures are.
const stop = (): void => void (stopping = true)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop)
process.on('disconnect', stop)

process.once('message', (job: NodeFsJob) => {
  process.on('message', (message) => {
    if (message === 'stop') stop()
  })
  const send = (message: NodeFsMessage): void => {
    if (process.connected) process.send!(message, () => process.disconnect())
  }
  main(job).then(
    (result) => send({result}),
    (error: Error) => send({error: error.message}),
  )
})
