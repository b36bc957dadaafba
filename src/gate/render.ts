// The gate's verdicts for people: one row per workload and metric.

import Table from 'cli-table3'

import type {Paint} from '../report/terminal.js'
import {formatCount, formatDuration} from '../units.js'
import {type GateMetric, type GateReport, METRIC_LABELS} from './gate.js'

export function formatMetric(metric: GateMetric, value: number): string {
  if (metric === 'opsPerSec') return formatCount(value)
  if (metric === 'vsRaw') return value.toFixed(3)
  return formatDuration(value)
}

export function renderGate(report: GateReport, paint: Paint): string {
  const table = new Table({
    head: ['workload', 'metric', 'baseline', 'now', 'ratio [interval]', 'p', 'verdict'],
    style: {head: [], border: []},
  })
  const spread = (metric: GateMetric, values: number[]): string => {
    const sorted = [...values].sort((a, b) => a - b)
    const mid = sorted[Math.floor(sorted.length / 2)]
    return `${formatMetric(metric, mid)} [${formatMetric(metric, sorted[0])} – ${formatMetric(metric, sorted.at(-1)!)}]`
  }
  for (const v of report.verdicts) {
    const colour = v.verdict === 'worse' ? paint.red : v.verdict === 'better' ? paint.green : (text: string) => text
    table.push([
      v.workload,
      METRIC_LABELS[v.metric],
      spread(v.metric, v.baseline),
      spread(v.metric, v.candidate),
      `${v.ratio.toFixed(3)} [${v.interval[0].toFixed(3)} – ${v.interval[1].toFixed(3)}]`,
      v.pValue.toFixed(3),
      colour(v.verdict),
    ])
  }
  const lines = [
    paint.bold(
      `regression gate: Mann-Whitney U on trial values (alpha ${report.alpha}), ${Math.round(report.confidence * 100)}% bootstrap interval of the ratio`,
    ),
    table.toString(),
    ...report.verdicts.filter((v) => v.verdict !== 'same').map((v) => `${v.workload} ${METRIC_LABELS[v.metric]}: ${v.verdict}: ${v.reason}`),
    ...report.notes.map((note) => paint.dim(`note: ${note}`)),
    report.passed ? paint.green('gate: passed') : paint.red('gate: FAILED (a metric regressed)'),
  ]
  return lines.join('\n') + '\n'
}
