// Bencher Metric Format (https://bencher.dev/docs/reference/bencher-metric-format): one benchmark
// per workload/system, with Bencher's built-in measures `throughput` (ops/s) and `latency` (ns:
// the median, bounded by the fastest and slowest op) and one measure per tail percentile, so each
// gets its own threshold; CPU per op, bytes per second where bytes move, and the loop's capacity
// stalls where the system keeps them (the loop; not the raw ring, fio or node-fs).

import {REPORTED_PERCENTILES} from '../model/latency.js'
import type {ResultDocument} from '../model/result.js'
import {measuredSeries} from './figures.js'

interface Metric {
  value: number
  lower_value?: number
  upper_value?: number
}

function bmfDocument(document: ResultDocument): Record<string, Record<string, Metric>> {
  const benchmarks: Record<string, Record<string, Metric>> = {}
  for (const {workload, system} of measuredSeries(document)) {
    const {latency} = system
    const measures: Record<string, Metric> = {
      throughput: {value: system.opsPerSec},
      latency: {value: latency.p50, lower_value: latency.min, upper_value: latency.max},
    }
    for (const [key] of REPORTED_PERCENTILES) if (key !== 'p50') measures[`${key}-latency`] = {value: latency[key]}
    measures['cpu-per-op'] = {value: system.cpu.nsPerOp}
    if (system.bytes > 0) measures['bytes-per-second'] = {value: system.bytesPerSec}
    if (system.counters.capacityStalls !== undefined) measures['capacity-stalls'] = {value: system.counters.capacityStalls}
    benchmarks[`${workload.name}/${system.system}`] = measures
  }
  return benchmarks
}

export function renderBmf(document: ResultDocument): string {
  return JSON.stringify(bmfDocument(document), null, 2) + '\n'
}
