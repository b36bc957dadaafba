// Prometheus text exposition (version 0.0.4) of a result, written by prom-client: the loop's
// counters, pending_operations as a gauge, op outcomes, CPU, throughput and the latency
// percentiles as a summary, labelled by workload and system, in base units (seconds). For a
// node_exporter textfile collector or a Pushgateway.

import {Counter, Gauge, Registry, Summary} from 'prom-client'

import {REPORTED_PERCENTILES} from '../model/latency.js'
import type {ResultDocument, SystemResult} from '../model/result.js'
import {LOOP_COUNTERS} from './counters.js'
import {measuredSeries} from './figures.js'

const PREFIX = 'iouring_bench_'

type SeriesLabel = 'workload' | 'system'
type Labels = Record<SeriesLabel, string>

/**
 * A summary whose quantiles come from the run's HdrHistogram, not from prom-client's own
 * estimator: the Node equivalent of client_golang's MustNewConstSummary.
 */
class RecordedSummary extends Summary<SeriesLabel | 'quantile'> {
  private readonly recorded: Array<{labels: Labels; system: SystemResult}> = []

  record(labels: Labels, system: SystemResult): void {
    this.recorded.push({labels, system})
  }

  override async get(): ReturnType<Summary<SeriesLabel | 'quantile'>['get']> {
    const metric = await super.get()
    const name = metric.name
    const values = this.recorded.flatMap(({labels, system: {latency}}) => [
      ...REPORTED_PERCENTILES.map(([key, percentile]) => ({
        labels: {...labels, quantile: Number((percentile / 100).toFixed(6))},
        value: latency[key] / 1e9,
      })),
      {labels, value: (latency.mean * latency.count) / 1e9, metricName: `${name}_sum`},
      {labels, value: latency.count, metricName: `${name}_count`},
    ])
    return {...metric, values}
  }
}

export async function renderPrometheus(document: ResultDocument): Promise<string> {
  const registry = new Registry()
  const registers = [registry]
  const seriesLabels: SeriesLabel[] = ['workload', 'system']

  new Gauge({
    name: `${PREFIX}info`,
    help: 'The run these metrics come from: tool version, host and kernel (value always 1)',
    labelNames: ['tool_version', 'hostname', 'kernel_release', 'kernel_version'],
    registers,
  }).set(
    {
      tool_version: document.tool.version,
      hostname: document.host.hostname,
      kernel_release: document.kernel.release,
      kernel_version: document.kernel.version,
    },
    1,
  )
  const ops = new Counter({
    name: `${PREFIX}ops_total`,
    help: 'Measured ops that ended, by how they ended',
    labelNames: [...seriesLabels, 'outcome'],
    registers,
  })
  const throughput = new Gauge({
    name: `${PREFIX}throughput_ops_per_second`,
    help: 'Measured ops per second of the measured phase',
    labelNames: seriesLabels,
    registers,
  })
  const elapsed = new Gauge({
    name: `${PREFIX}measured_phase_seconds`,
    help: 'Length of the measured phase',
    labelNames: seriesLabels,
    registers,
  })
  const cpu = new Counter({
    name: `${PREFIX}cpu_seconds_total`,
    help: 'Process CPU time of the run, warm-up included',
    labelNames: [...seriesLabels, 'mode'],
    registers,
  })
  const latency = new RecordedSummary({
    name: `${PREFIX}latency_seconds`,
    help: 'Op latency from issue to completion seen by its submitter',
    labelNames: seriesLabels,
    registers,
  })
  const loopMetrics = LOOP_COUNTERS.map((info) => {
    const config = {
      name: `${PREFIX}loop_${info.metric}`,
      help: `Loop counter ${info.name}: ${info.unit === 'ns' ? info.help.replace('(ns)', '(seconds)') : info.help}`,
      labelNames: seriesLabels,
      registers,
    }
    const scale = info.unit === 'ns' ? 1e-9 : 1
    if (info.kind === 'total') {
      const metric = new Counter(config)
      return (labels: Labels, value: number) => metric.inc(labels, value * scale)
    }
    const metric = new Gauge(config)
    return (labels: Labels, value: number) => metric.set(labels, value * scale)
  })

  // Only what was measured: a baseline that did not run, or a system that failed before its
  // first op, has no samples (a 0 would read as a measurement).
  for (const {workload, system} of measuredSeries(document)) {
    const labels = {workload: workload.name, system: system.system}
    const unexpected = Object.values(system.outcomes.unexpected).reduce((sum, count) => sum + count, 0)
    ops.inc({...labels, outcome: 'expected'}, system.outcomes.expected)
    ops.inc({...labels, outcome: 'timed_out'}, system.outcomes.timedOut)
    ops.inc({...labels, outcome: 'abandoned'}, system.outcomes.abandoned)
    ops.inc({...labels, outcome: 'unexpected'}, unexpected)
    throughput.set(labels, system.opsPerSec)
    elapsed.set(labels, system.elapsedNs / 1e9)
    cpu.inc({...labels, mode: 'user'}, system.cpu.userNs / 1e9)
    cpu.inc({...labels, mode: 'system'}, system.cpu.systemNs / 1e9)
    latency.record(labels, system)
    // Only the counters the system keeps: fio and node-fs have none, the raw ring a few.
    LOOP_COUNTERS.forEach((info, i) => {
      if (info.name in system.counters) loopMetrics[i](labels, system.counters[info.name])
    })
  }
  return registry.metrics()
}
