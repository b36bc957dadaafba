// The fio baseline: the same file workload through fio's io_uring engine, as a child process,
// its figures read from its JSON output (json+, whose latency bins rebuild a full histogram).
// fio prints warnings before its JSON at times; only the JSON document is parsed.

import {execFile, spawn} from 'node:child_process'

import {trackChild} from '../interrupt.js'
import type {WorkloadSpec} from '../model/workload.js'
import {type Histogram, newHistogram} from '../report/histogram.js'
import type {BaselineRun} from './baseline.js'
import type {TestFile} from './test-file.js'

export const FIO_MISSING = 'fio not found: apt-get install fio'

/** fio's version string ("fio-3.33"), or undefined when fio is not installed. */
export function fioVersion(): Promise<string | undefined> {
  return new Promise((resolve) => {
    trackChild(execFile('fio', ['--version'], (error, stdout) => resolve(error ? undefined : stdout.trim())))
  })
}

/**
 * fio's io_uring options for the ring knobs the run sets, so a ratio to fio compares like with
 * like, and the knobs fio has no option for. Beyond these fio (3.33 and later) sets
 * COOP_TASKRUN, SINGLE_ISSUER|DEFER_TASKRUN and CQSIZE on its own wherever the kernel takes them
 * (engines/io_uring.c), whatever the loop uses: see fioRingFlags.
 */
export function fioKnobOptions({loop, file}: Pick<WorkloadSpec, 'loop' | 'file'>): {options: string[]; unmatched: string[]} {
  const options: string[] = []
  const unmatched: string[] = []
  if (loop.sqpoll) {
    // fio registers its file itself under SQPOLL (which needed fixed files before 5.11).
    options.push('--sqthread_poll=1')
    if (loop.sqpollCpu !== undefined) options.push(`--sqthread_poll_cpu=${loop.sqpollCpu}`)
    if (loop.sqpollIdleNs !== undefined) unmatched.push("sqpoll-idle (fio keeps the kernel's 1 s)")
  }
  if (loop.ioPoll) options.push('--hipri=1')
  if (file?.fixedFiles) options.push('--registerfiles=1')
  if (file?.fixedBuffers) options.push('--fixedbufs=1')
  if (loop.ringFd) unmatched.push('ring-fd (fio enters through the ring fd itself)')
  if (loop.submitAll) unmatched.push('submit-all')
  if (loop.noSqarray) unmatched.push('no-sqarray')
  if (loop.taskrunFlag) unmatched.push('taskrun-flag')
  if (loop.cqSize !== undefined) unmatched.push('cq-size (fio sizes its CQ itself)')
  return {options, unmatched}
}

/** What fio's engine sets on its ring by itself, from its version ("fio-3.33"): CQSIZE since 3.29, the taskrun flags since 3.33. */
function fioRingFlags(version: string): string {
  const [major = 0, minor = 0] = (/(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number)
  const since = (least: number): boolean => major > 3 || (major === 3 && minor >= least)
  if (since(33)) return 'COOP_TASKRUN, SINGLE_ISSUER|DEFER_TASKRUN and CQSIZE, set by fio itself where the kernel takes them'
  return since(29) ? 'CQSIZE, set by fio itself (fio before 3.33 sets no taskrun flags)' : 'none beyond the options'
}

/** fio's arguments for the same op, block size, depth, jobs, file, phases and ring knobs as the loop. */
function fioArguments(spec: WorkloadSpec, file: TestFile): string[] {
  const {drive} = spec
  const files = spec.file!
  const write = spec.op === 'file-write'
  const rw = write ? (files.random ? 'randwrite' : 'write') : files.random ? 'randread' : 'read'
  const ms = (ns: number): string => `${Math.max(1, Math.round(ns / 1e6))}ms`
  const args = [
    '--name=iouring-bench',
    `--filename=${file.path}`,
    `--size=${file.sizeBytes}`,
    '--ioengine=io_uring',
    `--rw=${rw}`,
    `--bs=${files.blockSize}`,
    `--iodepth=${drive.depth}`,
    `--numjobs=${drive.submitters}`,
    '--group_reporting',
    '--thread',
    `--direct=${files.direct ? 1 : 0}`,
    // Keep the page cache as it is (fio drops it by default): the loop ran on it as it is.
    '--invalidate=0',
    '--output-format=json+',
    '--lat_percentiles=1',
    ...fioKnobOptions(spec).options,
  ]
  if (drive.ops > 0) {
    // Each job does its share and stops: io_size wraps the file as often as needed. fio 3.33
    // ignores number_ios with time_based, and counts ramp_time's ops toward io_size, so an op
    // count runs without a warm-up (the report's fio settings say so).
    args.push(`--io_size=${Math.ceil(drive.ops / drive.submitters) * files.blockSize}`)
  } else {
    args.push('--time_based', `--ramp_time=${ms(drive.warmupNs)}`, `--runtime=${ms(drive.durationNs)}`)
  }
  if (files.fsyncEvery > 0) args.push(`--fsync=${files.fsyncEvery}`)
  if (drive.rate !== undefined) {
    args.push(`--rate_iops=${Math.max(1, Math.round(drive.rate / drive.submitters))}`)
    if (drive.arrivals === 'poisson') args.push('--rate_process=poisson')
  }
  return args
}

interface FioLatency {
  N: number
  min: number
  max: number
  bins?: Record<string, number>
}

interface FioJob {
  error: number
  job_runtime: number
  usr_cpu: number
  sys_cpu: number
  read: FioDirection
  write: FioDirection
  sync?: {total_ios: number}
}

interface FioDirection {
  io_bytes: number
  total_ios: number
  short_ios: number
  drop_ios: number
  runtime: number
  lat_ns: FioLatency
}

/** The JSON document in fio's output: from the first line that opens an object. */
export function parseFioOutput(output: string): {'fio version': string; jobs: FioJob[]} {
  const start = output.search(/^\{/m)
  if (start < 0) throw new Error(`fio printed no JSON: ${output.trim().split('\n')[0] ?? ''}`)
  return JSON.parse(output.slice(start)) as {'fio version': string; jobs: FioJob[]}
}

/** Runs fio for the workload; resolves with its figures in the loop's terms. */
export function runFio(spec: WorkloadSpec, file: TestFile, signal?: AbortSignal): Promise<BaselineRun> {
  const args = fioArguments(spec, file)
  return new Promise((resolve) => {
    const child = trackChild(spawn('fio', args, {stdio: ['ignore', 'pipe', 'pipe']}))
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
    // fio stops on SIGINT and still prints what it measured.
    const stop = (): void => void child.kill('SIGINT')
    signal?.addEventListener('abort', stop, {once: true})
    child.on('error', (error) => resolve({failed: `fio could not run: ${error.message}`}))
    child.on('close', (status) => {
      signal?.removeEventListener('abort', stop)
      try {
        resolve({measured: fioMeasured(parseFioOutput(stdout), spec, args, signal?.aborted ?? false)})
      } catch (error) {
        const why = stderr.trim().split('\n').at(-1) || (error as Error).message
        resolve({failed: `fio exited with status ${status}: ${why}`})
      }
    })
  })
}

export function fioMeasured(
  output: ReturnType<typeof parseFioOutput>,
  spec: WorkloadSpec,
  args: string[],
  interrupted: boolean,
): BaselineRun['measured'] {
  const job = output.jobs[0]
  const direction = spec.op === 'file-write' ? job.write : job.read
  const latency = histogramFromBins(direction.lat_ns)
  // After --ramp_time fio's counts disagree: io_bytes holds one block more than the ops it timed,
  // total_ios leaves out the ops in flight when the ramp ended. Both figures come from the ops
  // its latency bins hold, one block each, so ops, bytes and the histogram agree.
  const ops = direction.lat_ns.N
  // usr_cpu and sys_cpu are percentages of one CPU over the job's runtime.
  const cpuNs = (percent: number): number => (percent / 100) * job.job_runtime * 1e6
  const errors = direction.short_ios + direction.drop_ios
  const knobs = fioKnobOptions(spec)
  return {
    ops,
    expected: ops - errors,
    unexpected: errors > 0 ? {short: direction.short_ios, dropped: direction.drop_ios} : {},
    bytes: ops * spec.file!.blockSize,
    elapsedNs: direction.runtime * 1e6,
    // usr_cpu and sys_cpu are its job threads': an SQ thread of its own is not in them.
    cpu: {userNs: cpuNs(job.usr_cpu), systemNs: cpuNs(job.sys_cpu), ...(spec.loop.sqpoll ? {leavesOut: 'its SQ thread'} : {})},
    latency,
    interrupted,
    info: {
      version: output['fio version'],
      command: ['fio', ...args].join(' '),
      options: knobs.options.join(' ') || 'none for ring knobs (the run sets none fio has)',
      ringFlags: fioRingFlags(output['fio version']),
      ...(knobs.unmatched.length ? {unmatched: `${knobs.unmatched.join(', ')}: no fio option`} : {}),
      ...(spec.loop.sqpoll
        ? {
            cpu: "fio's usr_cpu and sys_cpu are its job threads' own: its SQ thread's CPU is not in its CPU per op, so no CPU ratio is given",
          }
        : {}),
      latency: "fio lat_ns: submission to completion, from fio's json+ bins",
      ...(spec.drive.ops > 0 ? {warmup: "none: fio counts ramp_time's ops toward io_size, so a run of --ops N has no warm-up"} : {}),
      ...(spec.drive.rate === undefined
        ? {}
        : {openLoop: 'fio measures from each actual submission (rate_iops), not from the intended start'}),
      ...(job.error ? {error: job.error} : {}),
    },
  }
}

/** fio's latency bins (value in ns -> count) re-recorded into an HdrHistogram. */
function histogramFromBins(latency: FioLatency): Histogram {
  const histogram = newHistogram()
  for (const [value, count] of Object.entries(latency.bins ?? {})) {
    histogram.recordValueWithCount(Math.max(1, Number(value)), count)
  }
  return histogram
}
