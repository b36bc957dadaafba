// HdrHistogram's percentile distribution text (.hgrm), as its outputPercentileDistribution writes
// it and as wrk2, jHiccup and HdrHistogram's plotter read it: one distribution per
// workload/system, values in nanoseconds (the unit of the result document).

import type {ResultDocument} from '../model/result.js'
import {measuredSeries, type Series} from './figures.js'
import {decodeHistogram} from './histogram.js'
import type {Rendering} from './rendering.js'

// HdrHistogram prints 5 ticks per half distance to 100% by default; 25 is the fewest that puts a
// row exactly at 99% (ticks are binary fractions), so the p99 read from the file is the report's.
const TICKS_PER_HALF_DISTANCE = 25

/** The distribution of one series, headed by comment lines that say what it is. */
export function percentileDistribution(document: ResultDocument, {workload, system}: Series): string {
  const histogram = decodeHistogram(system.latency.histogram)
  return (
    `# iouring-bench ${document.tool.version}: workload ${workload.name}, system ${system.system}, ` +
    `kernel ${document.kernel.release}, values in ns\n` +
    histogram.outputPercentileDistribution(TICKS_PER_HALF_DISTANCE, 1)
  )
}

/** One part per series (a file each with --output); on stdout they follow one another. */
export function renderHgrm(document: ResultDocument): Rendering {
  const parts = measuredSeries(document).map((series) => ({
    name: `${series.workload.name}.${series.system.system}`,
    text: percentileDistribution(document, series),
  }))
  const text = parts.length ? parts.map((part) => part.text).join('\n') : '# iouring-bench: no latencies were measured\n'
  return {text, parts}
}
