// Prometheus text exposition (format version 0.0.4) of a result: the loop's counters,
// pending_operations as a gauge, op outcomes, CPU, throughput and the latency percentiles as a
// summary, labelled by workload and system, in base units (seconds). For a node_exporter textfile
// collector or a Pushgateway. Written to the format's specification
// (https://prometheus.io/docs/instrumenting/exposition_formats/), checked by promtool in the tests.

import {LOOP_COUNTERS} from './counters.js'
import {measuredSeries} from './figures.js'
import {REPORTED_PERCENTILES} from './histogram.js'
import type {ResultDocument} from './result.js'

const PREFIX = 'iouring_bench_'

type Labels = Record<string, string>

interface Sample {
  /** Appended to the family's name: a summary's _sum and _count. */
  suffix?: string
  labels: Labels
  value: number
}

interface Family {
  name: string
  help: string
  type: 'counter' | 'gauge' | 'summary'
  samples: Sample[]
}

/** HELP text escapes backslash and line feed; label values also the double quote. */
const escapeHelp = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
const escapeLabelValue = (text: string): string => escapeHelp(text).replace(/"/g, '\\"')

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf'
  return String(value)
}

function renderFamily({name, help, type, samples}: Family): string {
  const lines = [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`]
  for (const {suffix = '', labels, value} of samples) {
    const pairs = Object.entries(labels).map(([label, text]) => `${label}="${escapeLabelValue(text)}"`)
    lines.push(`${name}${suffix}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${formatValue(value)}`)
  }
  return lines.join('\n')
}

const family = (name: string, type: Family['type'], help: string): Family => ({name: `${PREFIX}${name}`, help, type, samples: []})

export function renderPrometheus(document: ResultDocument): string {
  const info = family('info', 'gauge', 'The run these metrics come from: tool version, host and kernel (value always 1)')
  info.samples.push({
    labels: {
      tool_version: document.tool.version,
      hostname: document.host.hostname,
      kernel_release: document.kernel.release,
      kernel_version: document.kernel.version,
    },
    value: 1,
  })
  const ops = family('ops_total', 'counter', 'Measured ops that ended, by how they ended')
  const throughput = family('throughput_ops_per_second', 'gauge', 'Measured ops per second of the measured phase')
  const elapsed = family('measured_phase_seconds', 'gauge', 'Length of the measured phase')
  const cpu = family('cpu_seconds_total', 'counter', 'Process CPU time of the run, warm-up included')
  // Its quantiles come from the run's HdrHistogram (a client library's MustNewConstSummary).
  const latency = family('latency_seconds', 'summary', 'Op latency from issue to completion seen by its submitter')
  const loopCounters = LOOP_COUNTERS.map((counter) => ({
    counter,
    family: family(`loop_${counter.metric}`, counter.metricType, counter.metricHelp),
    scale: counter.unit === 'ns' ? 1e-9 : 1,
  }))

  // Only what was measured: a baseline that did not run, or a system that failed before its
  // first op, has no samples (a 0 would read as a measurement).
  for (const {workload, system} of measuredSeries(document)) {
    const labels = {workload: workload.name, system: system.system}
    const unexpected = Object.values(system.outcomes.unexpected).reduce((sum, count) => sum + count, 0)
    ops.samples.push(
      {labels: {...labels, outcome: 'expected'}, value: system.outcomes.expected},
      {labels: {...labels, outcome: 'timed_out'}, value: system.outcomes.timedOut},
      {labels: {...labels, outcome: 'abandoned'}, value: system.outcomes.abandoned},
      {labels: {...labels, outcome: 'unexpected'}, value: unexpected},
    )
    throughput.samples.push({labels, value: system.opsPerSec})
    elapsed.samples.push({labels, value: system.elapsedNs / 1e9})
    cpu.samples.push(
      {labels: {...labels, mode: 'user'}, value: system.cpu.userNs / 1e9},
      {labels: {...labels, mode: 'system'}, value: system.cpu.systemNs / 1e9},
    )
    const {latency: figures} = system
    latency.samples.push(
      ...REPORTED_PERCENTILES.map(([key, percentile]) => ({
        labels: {...labels, quantile: String(Number((percentile / 100).toFixed(6)))},
        value: figures[key] / 1e9,
      })),
      {suffix: '_sum', labels, value: (figures.mean * figures.count) / 1e9},
      {suffix: '_count', labels, value: figures.count},
    )
    // Only the counters the system keeps: fio and node-fs have none, the raw ring a few.
    for (const {counter, family: metric, scale} of loopCounters) {
      if (counter.name in system.counters) metric.samples.push({labels, value: system.counters[counter.name] * scale})
    }
  }
  const families = [info, ops, throughput, elapsed, cpu, latency, ...loopCounters.map(({family: metric}) => metric)]
  return `${families.map(renderFamily).join('\n\n')}\n`
}
