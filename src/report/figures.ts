// What the human-readable forms (terminal, Markdown, HTML) all show, as plain text: the kernel
// line, and for each workload its title, the test file, the summary row of each system (response
// and service time in an open loop), the ratio to each baseline, the CPU split, lateness, data
// checks and baseline settings, the per-kind table and the loop's counters. Each form only lays
// these out and gives each tone its own look.

import type {KindResult, Ratio, ResultDocument, Spread, SystemResult, SystemSpread, WorkloadResult} from '../model/result.js'
import {waitInput} from '../bench/spec.js'
import {DEFAULT_WAIT, DEFAULT_WAKE, type DesignName, type WorkloadSpec} from '../model/workload.js'
import {formatCount, formatDuration, formatSize} from '../units.js'

/** How a line reads: plain, secondary (dim), a warning (yellow) or a failure (red). */
export type Tone = 'plain' | 'dim' | 'warn' | 'bad'

export interface Line {
  text: string
  tone: Tone
}

const line = (text: string, tone: Tone = 'plain'): Line => ({text, tone})

/** A system's cells after its name, or why it has none (it failed, or a baseline did not run). */
type SummaryRow = {system: string; cells: string[]} | {system: string; note: Line}

interface Table<Row> {
  head: string[]
  rows: Row[]
}

export const SPREAD_HEAD = ['system', 'ops/s', 'p50', 'p99']

const LATENCY_HEAD = ['p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max']

function latencyCells(latency: SystemResult['latency']): string[] {
  return [latency.p50, latency.p90, latency.p99, latency.p999, latency.p9999, latency.max].map(formatDuration)
}

const throughput = (bytesPerSec: number): string => `${formatSize(bytesPerSec)}/s`

/**
 * One row per system: ops/s, bytes/s when the workload moves bytes, the percentiles, CPU per op
 * and errors. In an open loop a system's row is its response time (from each op's intended
 * start), followed by a row of its service time (from its actual issue).
 */
function summaryTable(workload: WorkloadResult): Table<SummaryRow> {
  const moves = workload.systems.some((system) => system.bytes > 0)
  const open = workload.openLoop !== undefined
  const head = ['system', 'ops/s', ...(moves ? ['throughput'] : []), ...LATENCY_HEAD, 'CPU/op', 'errors']
  const ran = workload.systems.flatMap((system): SummaryRow[] => {
    if (system.error && system.ops === 0) return [{system: system.system, note: line(system.error.explanation, 'bad')}]
    const response: SummaryRow = {
      system: open ? `${system.system} response` : system.system,
      cells: [
        formatCount(system.opsPerSec),
        ...(moves ? [throughput(system.bytesPerSec)] : []),
        ...latencyCells(system.latency),
        formatDuration(system.cpu.nsPerOp),
        String(errorCount(system)),
      ],
    }
    if (!open || !system.service) return [response]
    return [response, {system: `${system.system} service`, cells: ['', ...(moves ? [''] : []), ...latencyCells(system.service), '', '']}]
  })
  const skipped = (workload.skipped ?? []).map(({system, reason}) => ({system, note: line(`skipped: ${reason}`, 'warn')}))
  return {head, rows: [...ran, ...skipped]}
}

/** Ops that did not end with the op's normal result (wrong data included). */
function errorCount(system: Pick<SystemResult, 'outcomes'>): number {
  const {timedOut, abandoned, corrupt, unexpected} = system.outcomes
  return timedOut + abandoned + corrupt + Object.values(unexpected).reduce((sum, count) => sum + count, 0)
}

/** "median [min – max]", each figure formatted by `format`. */
export function formatSpread(spread: Spread, format: (n: number) => string): string {
  return `${format(spread.median)} [${format(spread.min)} – ${format(spread.max)}]`
}

function spreadRow(spread: SystemSpread): [string, string, string, string] {
  return [
    spread.system,
    formatSpread(spread.opsPerSec, formatCount),
    formatSpread(spread.p50, formatDuration),
    formatSpread(spread.p99, formatDuration),
  ]
}

/**
 * "loop vs raw: 0.27× the throughput, p50 3.73×, p99 4.86×, ...", or undefined when nothing compares.
 * In the same-thread design the loop hands nothing over, so what it costs against the raw ring is
 * its bookkeeping alone: the sentence says so.
 */
function ratioSentence(ratio: Ratio, design: DesignName | undefined): string | undefined {
  const times = (name: string, value: number | null | undefined): string | undefined =>
    value === null || value === undefined ? undefined : `${name} ${formatRatio(value)}`
  const parts = [
    ratio.opsPerSec === null ? undefined : `${formatRatio(ratio.opsPerSec)} the throughput`,
    times('p50', ratio.p50),
    times('p99', ratio.p99),
    times('p99.9', ratio.p999),
    times('CPU/op', ratio.cpuPerOp),
  ].filter(Boolean)
  if (!parts.length) return undefined
  const tax = design === 'same-thread' && ratio.baseline === 'raw' ? ' (same-thread: the bookkeeping tax, no hand-off)' : ''
  return `loop vs ${ratio.baseline}${tax}: ${parts.join(', ')}`
}

/** Two decimals, or two significant digits for a small ratio, which two decimals would show as 0.00×. */
function formatRatio(value: number): string {
  return `${value < 0.1 ? value.toPrecision(2) : value.toFixed(2)}×`
}

function describeOp(workload: WorkloadResult): string {
  const {spec} = workload
  switch (spec.op) {
    case 'timer':
      return `timer ${formatDuration(spec.timerNs)}`
    case 'mix':
      return `mix ${(spec.mix ?? []).map((entry) => `${entry.op}=${entry.weight}`).join(',')}`
    default:
      return spec.op
  }
}

/** "read: file-read · 1 submitter × depth 32 · 4 KiB random · ring 128 · 2 s (+200 ms warm-up)" */
function workloadTitle(workload: WorkloadResult): string {
  const {spec} = workload
  const drive = `${spec.drive.submitters} submitter${spec.drive.submitters === 1 ? '' : 's'} × depth ${spec.drive.depth}`
  const length = spec.drive.ops > 0 ? `${formatCount(spec.drive.ops)} ops` : formatDuration(spec.drive.durationNs)
  const {file, socket} = spec
  const extras = [
    file
      ? `${formatSize(file.blockSize)} ${file.random ? 'random' : 'sequential'}${file.direct ? ' O_DIRECT' : ''}${file.fixedFiles ? ' · fixed file' : ''}${file.fixedBuffers ? ' · fixed buffers' : ''}`
      : undefined,
    file && file.writevBuffers > 1 ? `writev ×${file.writevBuffers}` : undefined,
    file && file.fsyncEvery > 0 ? `fsync every ${file.fsyncEvery}` : undefined,
    socket ? `${socket.transport} ${formatSize(socket.messageSize)} messages${socket.sendZc ? ' · SEND_ZC' : ''}` : undefined,
    socket?.multishotRecv
      ? `multishot RECV, ${socket.multishotRecv.buffers} × ${formatSize(socket.multishotRecv.bufferSize)} buffers per connection`
      : undefined,
    workload.openLoop ? `open loop ${formatCount(workload.openLoop.rate)} ops/s ${workload.openLoop.arrivals}` : undefined,
    `ring ${spec.loop.ringSize}`,
    spec.loop.opTimeoutNs === undefined ? undefined : `op timeout ${formatDuration(spec.loop.opTimeoutNs)}`,
    spec.loop.wait && waitInput(spec.loop.wait) !== DEFAULT_WAIT ? `wait ${waitInput(spec.loop.wait)}` : undefined,
    spec.loop.submitBatch ? `submit batch ${spec.loop.submitBatch}` : undefined,
    spec.loop.wake && spec.loop.wake !== DEFAULT_WAKE ? `wake ${spec.loop.wake}` : undefined,
    spec.loop.singleIssuer ? 'single issuer' : undefined,
    spec.loop.ioPoll ? 'io_poll' : undefined,
    ...ringKnobWords(spec.loop),
    spec.drive.design === 'same-thread' ? 'same-thread' : undefined,
  ].filter(Boolean)
  const warmup = spec.drive.warmupNs > 0 ? ` (+${formatDuration(spec.drive.warmupNs)} warm-up)` : ''
  return `${workload.name}: ${describeOp(workload)} · ${drive} · ${extras.join(' · ')} · ${length}${warmup}`
}

/** The ring knobs a loop ran with, in words, each only when on. */
function ringKnobWords(loop: WorkloadSpec['loop']): string[] {
  const sqpoll = [
    loop.sqpollIdleNs === undefined ? undefined : `idle ${formatDuration(loop.sqpollIdleNs)}`,
    loop.sqpollCpu === undefined ? undefined : `cpu ${loop.sqpollCpu}`,
  ].filter(Boolean)
  return [
    loop.deferTaskrun ? 'defer taskrun' : undefined,
    loop.coopTaskrun ? 'coop taskrun' : undefined,
    loop.taskrunFlag ? 'taskrun flag' : undefined,
    loop.sqpoll ? `sqpoll${sqpoll.length ? ` (${sqpoll.join(', ')})` : ''}` : undefined,
    loop.cqSize === undefined ? undefined : `cq ${loop.cqSize}`,
    loop.submitAll ? 'submit all' : undefined,
    loop.noSqarray ? 'no SQ array' : undefined,
    loop.ringFd ? 'registered ring fd' : undefined,
  ].filter((word): word is string => word !== undefined)
}

/** Where the file workload read or wrote, and whether the page cache held it. */
function fileLine(workload: WorkloadResult): Line | undefined {
  const {file} = workload
  if (!file) return undefined
  const origin = file.createdByTool ? `laid out by the tool${file.removed ? ', removed after the run' : ''}` : 'your file, read only'
  const cached = file.pageCache === 'partly cached' ? `${(file.residentShare * 100).toFixed(0)}% cached` : file.pageCache
  return line(`file: ${file.path} (${file.filesystem}, ${formatSize(file.sizeBytes)}, ${origin}; page cache: ${cached})`, 'dim')
}

/** CPU split, open-loop lateness, op-timeout lateness, data checks and how each baseline ran. */
function detailLines(workload: WorkloadResult): Line[] {
  const lines: Line[] = []
  const measured = workload.systems.filter((system) => system.ops > 0)
  if (measured.length) {
    const split = measured.map((s) => {
      const io = s.cpu.ioThreadsNsPerOp ? ` (${formatDuration(s.cpu.ioThreadsNsPerOp)} of it io_uring's kernel threads)` : ''
      return `${s.system} ${formatDuration(s.cpu.userNsPerOp)} + ${formatDuration(s.cpu.systemNsPerOp)}${io}`
    })
    lines.push(line(`CPU per op (user + system): ${split.join(' · ')}`))
    const counted = measured.filter((s) => s.cpu.switchesPerOp !== undefined)
    if (counted.length) {
      const counts = counted.map((s) => {
        const how = [
          s.cpu.hardwareUserOnly && 'user mode only',
          s.cpu.hardwareCountedShare && `scaled: counted ${(s.cpu.hardwareCountedShare * 100).toFixed(0)} % of the time`,
        ].filter(Boolean)
        const cpu =
          s.cpu.instructionsPerOp !== undefined
            ? `, ${formatCount(s.cpu.instructionsPerOp)} instructions, ${formatCount(s.cpu.cyclesPerOp!)} cycles${how.length ? ` (${how.join('; ')})` : ''}`
            : ''
        return `${s.system} ${s.cpu.switchesPerOp!.toPrecision(3)} context switches${cpu}`
      })
      lines.push(line(`per op, from counts (not the clock): ${counts.join(' · ')}`))
      const why = counted.find((s) => s.cpu.hardwareCounters)?.cpu.hardwareCounters
      if (why) lines.push(line(`instructions and cycles not counted: ${why}`, 'dim'))
    }
  }
  for (const {system, idleCpu} of workload.systems) {
    if (idleCpu) {
      const percent = idleCpu.shareOfCore * 100
      const share = `${percent.toFixed(percent < 1 ? 2 : 1)} % of a core`
      lines.push(
        line(
          `${system}: idle CPU ${share} over ${formatDuration(idleCpu.windowNs)} (the whole process, the loop waiting with nothing to do)`,
        ),
      )
    }
  }
  for (const system of measured) {
    if (system.openLoop) {
      const {late, missed} = system.openLoop
      const text = `${system.system}: ${late} ops late (due while every in-flight slot was busy), ${missed} due but never issued`
      lines.push(line(text, late + missed > 0 ? 'warn' : 'plain'))
    }
    if (system.opTimeouts) {
      const {lateness, early} = system.opTimeouts
      const text =
        `${system.system}: ${lateness.count} op timeouts handled after their deadline by p50 ${formatDuration(lateness.p50)} · ` +
        `p99 ${formatDuration(lateness.p99)} · max ${formatDuration(lateness.max)}` +
        (early > 0 ? `; ${early} before it` : '')
      lines.push(line(text, early > 0 ? 'bad' : 'plain'))
    }
    if (system.outcomes.corrupt > 0) {
      lines.push(line(`${system.system}: ${system.outcomes.corrupt} ops returned data that was not what was written`, 'bad'))
    }
    if (system.readBack) {
      const {blocks, corrupt, firstCorruptOffset, error} = system.readBack
      const text = error
        ? `${system.system} read-back: failed (${error}) after ${blocks} blocks`
        : corrupt > 0
          ? `${system.system} read-back: ${corrupt} of ${blocks} written blocks corrupt (first at byte ${firstCorruptOffset})`
          : `${system.system} read-back: all ${blocks} written blocks hold what was written`
      lines.push(line(text, error || corrupt > 0 ? 'bad' : 'plain'))
    }
    if (system.info) {
      // The command line is long and repeats these settings; the JSON result keeps it.
      const settings = Object.entries(system.info)
        .filter(([key]) => key !== 'command')
        .map(([key, value]) => `${key}=${value ?? 'unset'}`)
      lines.push(line(`${system.system}: ${settings.join(' · ')}`, 'dim'))
    }
  }
  return lines
}

/** Each kind of op of a mix (or of writes with fsyncs), per system. */
function kindTable(workload: WorkloadResult): Table<string[]> | undefined {
  const rows = workload.systems.flatMap((system) => (system.kinds ?? []).map((kind) => kindRow(system, kind)))
  if (rows.length === 0) return undefined
  return {head: ['system', 'kind', 'ops/s', 'throughput', 'p50', 'p99', 'p99.9', 'max', 'errors'], rows}
}

function kindRow(system: SystemResult, kind: KindResult): string[] {
  const {latency} = kind
  return [
    system.system,
    kind.kind,
    formatCount(kind.opsPerSec),
    kind.bytes > 0 ? throughput(kind.bytesPerSec) : '',
    ...[latency.p50, latency.p99, latency.p999, latency.max].map(formatDuration),
    String(errorCount(kind)),
  ]
}

/** The loop counters that explain its behaviour, grouped and named for people. */
export function counterRows(loop: SystemResult): Array<[string, string]> {
  const c = loop.counters
  const perSubmit = c.enterCalls > 0 ? (c.sqesSubmitted / c.enterCalls).toFixed(1) : '0'
  const stalls =
    c.capacityStalls > 0
      ? `${c.capacityStalls} (${c.capacityStallsWaiterBound} waiter-bound, ${c.capacityStallsSqBound} SQ-bound; ` +
        `${formatDuration(c.stallNsTotal)} total, ${formatDuration(c.stallNsMax)} max)`
      : '0'
  return [
    ['capacity stalls', stalls],
    ['sleeps / skipped', `${c.sleeps} / ${c.skippedSleeps}`],
    ...(c.spinWakes + c.spinMisses > 0
      ? [
          ['idle spins', `${c.spinWakes} found work, ${c.spinMisses} ran out, budget ${formatDuration(c.spinBudgetNs)} at the end`] as [
            string,
            string,
          ],
        ]
      : []),
    [
      'wakes',
      `${c.wakesSent} sent, ${c.wakesReceived} received (${c.lateWakes} late), ${c.wakeRearms} wake sources installed` +
        (c.futexParks ? `, ${c.futexParks} futex parks` : '') +
        (loop.ring?.msgRingSend ? `, sent by ${loop.ring.msgRingSend}` : ''),
    ],
    ['SQEs per enter', `${perSubmit} (${c.enterCalls} enters)`],
    ['backpressure', `${c.backpressureWaits} waits, ${formatDuration(c.backpressureNs)}`],
    ['transient enter errors', String(c.transientEnterErrors)],
    ['timeouts / abandoned', `${c.timeoutsFired} / ${c.opsAbandoned}`],
    ...(c.zcNotifications
      ? [
          [
            'zero-copy notifications',
            `${c.zcNotifications} (each ended the SEND_ZC its result began)` +
              (c.zcCopied ? `; ${c.zcCopied} said the kernel copied the data after all, as it does for a receiver on this host` : ''),
          ] as [string, string],
        ]
      : []),
    ...(c.multishotResults + c.multishotNoBuffers > 0
      ? [
          [
            'multishot receives',
            `${c.multishotResults} results; ${c.multishotNoBuffers} ran their buffer ring dry (ENOBUFS: armed again, the data waited in the socket)`,
          ] as [string, string],
        ]
      : []),
    ['pending at the end', String(c.pendingOperations)],
  ]
}

/** The loop's result in a workload, when it measured anything. */
export function measuredLoop(workload: WorkloadResult): SystemResult | undefined {
  return workload.systems.find((system) => system.system === 'loop' && system.ops > 0)
}

interface WorkloadFigures {
  title: string
  /** The test file of a file workload. */
  file?: Line
  summary: Table<SummaryRow>
  ratios: string[]
  /** CPU split, open-loop lateness, op-timeout lateness, wrong data, read-back checks, baseline settings. */
  details: Line[]
  /** With several trials: per system, ops/s, p50 and p99 as "median [min – max]". */
  spread?: {trials: number; rows: Array<[system: string, opsPerSec: string, p50: string, p99: string]>}
  kinds?: Table<string[]>
  /** "raw: <why>" when a system stopped part-way: its figures are partial. */
  stopped?: string
  /** The loop's result when it measured anything: its counters and distribution are shown. */
  loop?: SystemResult
  /** What the loop's distribution measures: "latency", or "response time" in an open loop. */
  distribution: string
}

export function workloadFigures(workload: WorkloadResult): WorkloadFigures {
  const stopped = workload.systems.find((system) => system.error && system.ops > 0)
  return {
    title: workloadTitle(workload),
    file: fileLine(workload),
    summary: summaryTable(workload),
    ratios: workload.ratios
      .map((ratio) => ratioSentence(ratio, workload.spec.drive.design))
      .filter((sentence): sentence is string => sentence !== undefined),
    details: detailLines(workload),
    spread: workload.trials.length > 1 ? {trials: workload.trials.length, rows: workload.spread.map(spreadRow)} : undefined,
    kinds: kindTable(workload),
    stopped: stopped?.error ? `${stopped.system}: ${stopped.error.explanation}` : undefined,
    loop: measuredLoop(workload),
    distribution: workload.openLoop ? 'response time' : 'latency',
  }
}

interface DocumentFigures {
  /** "kernel 6.18.44 (#1 SMP ...) · 2 CPUs AMD EPYC · node v20.20.2 · iouring-bench 0.1.0" */
  kernel: string
  /** For a merged result: which runs, hosts and kernels it adds up. */
  sources?: string
  interrupted?: string
}

export function documentFigures(document: ResultDocument): DocumentFigures {
  const {kernel, host} = document
  return {
    kernel: `kernel ${kernel.release} (${kernel.version}) · ${host.cpus} CPUs ${host.cpuModel.trim()} · node ${host.node} · iouring-bench ${document.tool.version}`,
    sources: sourcesLine(document),
    interrupted: document.interrupted ? 'Interrupted: the figures above cover only what ran before the interrupt.' : undefined,
  }
}

/** For a merged result: "merged from 3 runs: hosts vm ×2, box-b; kernels 6.18.44 ×2, 6.1.0-56" */
function sourcesLine(document: ResultDocument): string | undefined {
  if (!document.sources) return undefined
  const tally = (values: string[]): string => {
    const counts = new Map<string, number>()
    for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
    return [...counts].map(([value, count]) => (count > 1 ? `${value} ×${count}` : value)).join(', ')
  }
  const {sources} = document
  return (
    `merged from ${sources.length} run${sources.length === 1 ? '' : 's'}: hosts ${tally(sources.map((s) => s.hostname))}; ` +
    `kernels ${tally(sources.map((s) => s.kernel.release))}`
  )
}

export interface Series {
  workload: WorkloadResult
  system: SystemResult
}

/** Every system that measured latencies, workload by workload: what the plots and CI forms show. */
export function measuredSeries(document: ResultDocument): Series[] {
  return document.workloads.flatMap((workload) =>
    workload.systems.filter((system) => system.latency.count > 0).map((system) => ({workload, system})),
  )
}
