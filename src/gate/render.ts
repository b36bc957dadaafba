// The gate's verdicts for people: one row per workload and metric.

import Table from 'cli-table3'

import type {GateMetric, GateReport, Verdict} from '../model/gate.js'
import {formatSpread} from '../report/figures.js'
import type {Paint} from '../report/paint.js'
import {spreadOf} from '../report/result.js'
import {formatCount, formatDuration} from '../units.js'
import {METRIC_LABELS} from './gate.js'

export function formatMetric(metric: GateMetric, value: number): string {
  if (metric === 'opsPerSec') return formatCount(value)
  if (metric === 'vsRaw') return value.toFixed(3)
  return formatDuration(value)
}

export const GATE_HEAD = ['workload', 'metric', 'baseline', 'now', 'ratio [interval]', 'p', 'verdict']

/** One row of cells per verdict (trial values as median [min – max]), with the verdict itself. */
export function gateRows(report: GateReport): Array<{cells: string[]; verdict: Verdict}> {
  const spread = (metric: GateMetric, values: number[]): string => formatSpread(spreadOf(values), (value) => formatMetric(metric, value))
  return report.verdicts.map((v) => ({
    verdict: v,
    cells: [
      v.workload,
      METRIC_LABELS[v.metric],
      spread(v.metric, v.baseline),
      spread(v.metric, v.candidate),
      `${v.ratio.toFixed(3)} [${v.interval[0].toFixed(3)} – ${v.interval[1].toFixed(3)}]`,
      v.pValue.toFixed(3),
      v.verdict,
    ],
  }))
}

export function gateTitle(report: GateReport): string {
  return `regression gate: Mann-Whitney U on trial values (alpha ${report.alpha}), ${Math.round(report.confidence * 100)}% bootstrap interval of the ratio`
}

/** "nop ops/s: worse: -31.2%, significant ...", for each verdict that is not "same". */
export function gateChanges(report: GateReport): string[] {
  return report.verdicts
    .filter((v) => v.verdict !== 'same')
    .map((v) => `${v.workload} ${METRIC_LABELS[v.metric]}: ${v.verdict}: ${v.reason}`)
}

export function gateOutcome(report: GateReport): string {
  return report.passed ? 'gate: passed' : 'gate: FAILED (a metric regressed)'
}

export function renderGate(report: GateReport, paint: Paint): string {
  const table = new Table({head: GATE_HEAD, style: {head: [], border: []}})
  for (const {cells, verdict} of gateRows(report)) {
    const colour = verdict.verdict === 'worse' ? paint.red : verdict.verdict === 'better' ? paint.green : (text: string) => text
    table.push([...cells.slice(0, -1), colour(cells.at(-1)!)])
  }
  const lines = [
    paint.bold(gateTitle(report)),
    table.toString(),
    ...gateChanges(report),
    ...report.notes.map((note) => paint.dim(`note: ${note}`)),
    report.passed ? paint.green(gateOutcome(report)) : paint.red(gateOutcome(report)),
  ]
  return lines.join('\n') + '\n'
}
