// JUnit XML, as test-report UIs (GitLab, Jenkins, dorny/test-reporter) read it: a list of named
// verdicts, one <testsuite> per suite and one <testcase> each. A result renders as one suite per
// workload with a case per system; the regression gate hands in its own verdicts.

import {METRIC_LABELS} from '../gate/gate.js'
import {GATE_HEAD, gateRows} from '../gate/render.js'
import {escapeMarkup as e} from './escape.js'
import {measuredLoop} from './figures.js'
import type {ResultDocument, SystemResult, WorkloadResult} from './result.js'

export interface Verdict {
  suite: string
  name: string
  status: 'passed' | 'failed' | 'skipped'
  /** One line: why it failed or was skipped. */
  message?: string
  /** Longer text shown with the case (figures behind the verdict). */
  detail?: string
  seconds?: number
}

export function renderJunit(title: string, verdicts: Verdict[]): string {
  const suites = new Map<string, Verdict[]>()
  for (const verdict of verdicts) suites.set(verdict.suite, [...(suites.get(verdict.suite) ?? []), verdict])
  const count = (list: Verdict[], status: Verdict['status']): number => list.filter((v) => v.status === status).length
  const time = (list: Verdict[]): string => list.reduce((sum, v) => sum + (v.seconds ?? 0), 0).toFixed(3)
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${e(title)}" tests="${verdicts.length}" failures="${count(verdicts, 'failed')}" skipped="${count(verdicts, 'skipped')}" errors="0" time="${time(verdicts)}">`,
  ]
  for (const [suite, cases] of suites) {
    out.push(
      `  <testsuite name="${e(suite)}" tests="${cases.length}" failures="${count(cases, 'failed')}" skipped="${count(cases, 'skipped')}" errors="0" time="${time(cases)}">`,
    )
    for (const verdict of cases) {
      const open = `    <testcase classname="${e(suite)}" name="${e(verdict.name)}" time="${(verdict.seconds ?? 0).toFixed(3)}"`
      const body = [
        verdict.status === 'failed' ? `      <failure message="${e(verdict.message ?? 'failed')}">${e(verdict.detail ?? '')}</failure>` : undefined,
        verdict.status === 'skipped' ? `      <skipped message="${e(verdict.message ?? 'skipped')}"/>` : undefined,
        verdict.status !== 'failed' && verdict.detail ? `      <system-out>${e(verdict.detail)}</system-out>` : undefined,
      ].filter(Boolean)
      out.push(body.length ? `${open}>\n${body.join('\n')}\n    </testcase>` : `${open}/>`)
    }
    out.push('  </testsuite>')
  }
  out.push('</testsuites>')
  return out.join('\n') + '\n'
}

/**
 * A result's verdicts: each system of each workload ran (or why not) and every op ended as it
 * should; with a regression gate, each metric it judged (failed when worse).
 */
export function resultVerdicts(document: ResultDocument): Verdict[] {
  const gate = document.gate ? gateRows(document.gate) : []
  return document.workloads.flatMap((workload) => [
    ...['loop', ...workload.spec.vs].map((name) => {
      const system = workload.systems.find((s) => s.system === name)
      return system ? systemVerdict(workload, system) : notRun(workload, name)
    }),
    ...gate
      .filter(({verdict}) => verdict.workload === workload.name)
      .map(({cells, verdict}): Verdict => ({
        suite: workload.name,
        name: `gate: ${METRIC_LABELS[verdict.metric]}`,
        status: verdict.verdict === 'worse' ? 'failed' : 'passed',
        message: verdict.verdict === 'worse' ? verdict.reason : undefined,
        detail: `${GATE_HEAD.slice(2).map((head, i) => `${head} ${cells[i + 2]}`).join('; ')}; ${verdict.reason}`,
      })),
  ])
}

function systemVerdict(workload: WorkloadResult, system: SystemResult): Verdict {
  const base = {suite: workload.name, name: system.system, seconds: system.elapsedNs / 1e9, detail: figures(system)}
  if (system.error) return {...base, status: 'failed', message: system.error.explanation}
  const unexpected = Object.entries(system.outcomes.unexpected)
  if (unexpected.length) {
    const results = unexpected.map(([result, count]) => `${result} ×${count}`).join(', ')
    return {...base, status: 'failed', message: `ops ended with unexpected results: ${results}`}
  }
  return {...base, status: 'passed'}
}

function notRun(workload: WorkloadResult, system: string): Verdict {
  const skipped = workload.skipped?.find((entry) => entry.system === system)
  const why = skipped
    ? skipped.reason
    : workload.interrupted
      ? 'not run: interrupted before it started'
      : measuredLoop(workload)
        ? 'not run'
        : 'not run: the loop could not run, so there is nothing to compare it with'
  return {suite: workload.name, name: system, status: 'skipped', message: why}
}

function figures(system: SystemResult): string {
  const {latency, outcomes} = system
  return (
    `${system.ops} ops, ${system.opsPerSec.toFixed(0)} ops/s; latency ns p50 ${latency.p50}, p99 ${latency.p99}, ` +
    `p99.9 ${latency.p999}, max ${latency.max}; ${outcomes.timedOut} timed out, ${outcomes.abandoned} abandoned`
  )
}

export function renderResultJunit(document: ResultDocument): string {
  return renderJunit(`iouring-bench on ${document.host.hostname}, kernel ${document.kernel.release}`, resultVerdicts(document))
}
