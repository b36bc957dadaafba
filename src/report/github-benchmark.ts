// github-action-benchmark's custom formats: the action picks the direction from its `tool`
// input and reads one file per tool, an array of {name, unit, value, range?, extra?} (its
// BenchmarkResult). So the figures come as two files: throughput (ops/s, and bytes/s where bytes
// move) for `customBiggerIsBetter`, latencies and CPU per op for `customSmallerIsBetter`.

import {REPORTED_PERCENTILES} from '../model/latency.js'
import type {ResultDocument} from '../model/result.js'
import {measuredSeries} from './figures.js'
import type {Rendering} from './rendering.js'

interface BenchmarkEntry {
  name: string
  unit: string
  value: number
  extra?: string
}

function githubBenchmarkEntries(document: ResultDocument): {
  customBiggerIsBetter: BenchmarkEntry[]
  customSmallerIsBetter: BenchmarkEntry[]
} {
  const bigger: BenchmarkEntry[] = []
  const smaller: BenchmarkEntry[] = []
  for (const {workload, system} of measuredSeries(document)) {
    const series = `${workload.name}/${system.system}`
    const extra = `${system.ops} ops on kernel ${document.kernel.release}`
    bigger.push({name: `${series} throughput`, unit: 'ops/s', value: system.opsPerSec, extra})
    if (system.bytes > 0) bigger.push({name: `${series} bytes per second`, unit: 'B/s', value: system.bytesPerSec, extra})
    for (const [key, percentile] of REPORTED_PERCENTILES) {
      smaller.push({name: `${series} p${percentile} latency`, unit: 'ns', value: system.latency[key], extra})
    }
    smaller.push({name: `${series} max latency`, unit: 'ns', value: system.latency.max, extra})
    smaller.push({name: `${series} CPU per op`, unit: 'ns', value: system.cpu.nsPerOp, extra})
  }
  return {customBiggerIsBetter: bigger, customSmallerIsBetter: smaller}
}

/** A file per direction, named after its tool; none when nothing was measured (the action refuses an empty file). */
export function renderGithubBenchmark(document: ResultDocument): Rendering {
  return {
    parts: Object.entries(githubBenchmarkEntries(document))
      .filter(([, list]) => list.length > 0)
      .map(([tool, list]) => ({name: tool, text: JSON.stringify(list, null, 2) + '\n'})),
  }
}
