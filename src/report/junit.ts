// JUnit XML, as test-report UIs (GitLab, Jenkins, dorny/test-reporter) read it: a list of named
// verdicts, one <testsuite> per suite and one <testcase> each. A result renders as one suite per
// workload with a case per system, the regression gate with a case per metric it judged; a probe,
// a shutdown drill and a stress-timeouts run with a case per check.

import {XMLBuilder} from 'fast-xml-parser'

import {CHECK_TITLES} from '../drill/render.js'
import {METRIC_LABELS} from '../gate/gate.js'
import {HISTORY_METRIC_LABELS, historyChanges, testbedName} from '../gate/history-render.js'
import {GATE_HEAD, gateRows} from '../gate/render.js'
import type {DrillDocument} from '../model/drill.js'
import type {HistoryDocument} from '../model/history.js'
import type {ProbeDocument} from '../model/probe.js'
import type {ResultDocument, SystemResult, WorkloadResult} from '../model/result.js'
import type {StressDocument} from '../model/stress.js'
import {measuredLoop} from './figures.js'

interface Verdict {
  suite: string
  name: string
  status: 'passed' | 'failed' | 'skipped'
  /** One line: why it failed or was skipped. */
  message?: string
  /** Longer text shown with the case (figures behind the verdict). */
  detail?: string
  seconds?: number
}

/**
 * Characters XML 1.0 forbids anywhere, even as references (C0 controls other than tab, line feed
 * and carriage return, lone surrogates, U+FFFE and U+FFFF): a host name holding BEL would make
 * the whole file unreadable, so each becomes U+FFFD, the replacement character.
 */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

const xmlText = (text: string): string => text.replace(NOT_XML, '\uFFFD')

// Attributes under '@', text under '#text'; the builder escapes & < > " ' itself.
const builder = new XMLBuilder({ignoreAttributes: false, attributeNamePrefix: '@', format: true, indentBy: '  ', suppressEmptyNode: true})

/**
 * The suites as the Jenkins xUnit plugin's junit-10.xsd has them (GitLab reads the same): counts
 * on each <testsuite>, and on <testsuites> only the attributes that schema allows there.
 */
export function renderJunit(title: string, verdicts: Verdict[]): string {
  const suites = new Map<string, Verdict[]>()
  for (const verdict of verdicts) suites.set(verdict.suite, [...(suites.get(verdict.suite) ?? []), verdict])
  const count = (list: Verdict[], status: Verdict['status']): number => list.filter((v) => v.status === status).length
  const time = (list: Verdict[]): string => list.reduce((sum, v) => sum + (v.seconds ?? 0), 0).toFixed(3)
  const testcase = (suite: string, verdict: Verdict): object => ({
    '@classname': xmlText(suite),
    '@name': xmlText(verdict.name),
    '@time': (verdict.seconds ?? 0).toFixed(3),
    ...(verdict.status === 'failed'
      ? {failure: {'@message': xmlText(verdict.message ?? 'failed'), '#text': xmlText(verdict.detail ?? '')}}
      : {}),
    ...(verdict.status === 'skipped' ? {skipped: {'@message': xmlText(verdict.message ?? 'skipped')}} : {}),
    ...(verdict.status !== 'failed' && verdict.detail ? {'system-out': xmlText(verdict.detail)} : {}),
  })
  const xml = builder.build({
    testsuites: {
      '@name': xmlText(title),
      '@tests': verdicts.length,
      '@failures': count(verdicts, 'failed'),
      '@errors': 0,
      '@time': time(verdicts),
      testsuite: [...suites].map(([suite, cases]) => ({
        '@name': xmlText(suite),
        '@tests': cases.length,
        '@failures': count(cases, 'failed'),
        '@errors': 0,
        '@skipped': count(cases, 'skipped'),
        '@time': time(cases),
        testcase: cases.map((verdict) => testcase(suite, verdict)),
      })),
    },
  })
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`
}

/**
 * A result's verdicts: each system of each workload ran (or why not) and every op ended as it
 * should; with a regression gate, each metric it judged (failed when worse).
 */
function resultVerdicts(document: ResultDocument): Verdict[] {
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
        detail: `${GATE_HEAD.slice(2)
          .map((head, i) => `${head} ${cells[i + 2]}`)
          .join('; ')}; ${verdict.reason}`,
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

export function renderProbeJunit(document: ProbeDocument): string {
  const suite = `probe-kernel ${document.kernel.label}`
  const {usability} = document
  const verdicts: Verdict[] = [
    usability.usable
      ? {suite, name: 'io_uring usable', status: 'passed'}
      : {
          suite,
          name: 'io_uring usable',
          status: 'failed',
          message: usability.cause?.summary ?? `io_uring_setup failed with ${usability.setup.error}`,
          detail: usability.cause?.fix,
        },
    ...[document.verdict.loop, document.verdict.singleIssuer].map((assessment, index): Verdict => ({
      suite,
      name: index === 0 ? 'the loop can run' : 'the single-issuer loop can run',
      // What the kernel lacks is a finding here, not a failure: --require makes it one.
      status: assessment.met ? 'passed' : 'skipped',
      message: assessment.met ? undefined : assessment.reason,
      detail: assessment.met ? assessment.reason : undefined,
    })),
    ...(document.requirements ?? []).map((requirement): Verdict => ({
      suite,
      name: `--require ${requirement.given}`,
      status: requirement.met ? 'passed' : 'failed',
      message: requirement.met ? undefined : requirement.reason,
      detail: requirement.met ? requirement.reason : undefined,
    })),
  ]
  return renderJunit(`iouring-bench probe-kernel on ${document.host?.hostname ?? document.source.file}`, verdicts)
}

export function renderDrillJunit(document: DrillDocument): string {
  const suite = `shutdown-drill seed ${document.config.seed}`
  const verdicts: Verdict[] = document.checks.map((check) => ({
    suite,
    name: CHECK_TITLES[check.name],
    status: check.status === 'pass' ? 'passed' : 'failed',
    message: check.status === 'pass' ? undefined : check.detail,
    detail: check.detail,
  }))
  if (document.error) verdicts.unshift({suite, name: 'the drill ran', status: 'failed', message: document.error})
  return renderJunit(`iouring-bench shutdown-drill on ${document.host.hostname}, kernel ${document.kernel.release}`, verdicts)
}

export function renderStressJunit(document: StressDocument): string {
  const verdicts = document.checks.map((check): Verdict => ({
    suite: 'stress-timeouts',
    name: check.name,
    status: check.passed ? 'passed' : 'failed',
    message: check.passed ? undefined : check.detail,
    detail: check.detail,
  }))
  return renderJunit(`iouring-bench stress-timeouts on ${document.host.hostname}, kernel ${document.kernel.release}`, verdicts)
}

/**
 * A case per series and metric: failed on a change judged worse that fails the gate, skipped
 * where nothing was looked for (a series too short, a metric the results lack or that never moves).
 */
export function renderHistoryJunit(document: HistoryDocument): string {
  const changes = historyChanges(document)
  const verdicts = document.series.flatMap((series): Verdict[] => {
    const suite = `${series.workload} on ${testbedName(series)}`
    if (series.note) return [{suite, name: 'change points', status: 'skipped', message: series.note}]
    return series.metrics.map(({metric, tested, changes: found}): Verdict => {
      const name = HISTORY_METRIC_LABELS[metric]
      if (!tested) return {suite, name, status: 'skipped', message: 'not looked at: too few values, or all the same'}
      const texts = changes.filter(({change}) => found.includes(change))
      const failing = texts.filter(({change}) => change.verdict === 'worse' && change.gates)
      return {
        suite,
        name,
        status: failing.length > 0 ? 'failed' : 'passed',
        message: failing[0]?.text,
        detail: texts.map(({text}) => text).join('\n') || undefined,
      }
    })
  })
  return renderJunit(`iouring-bench history of ${document.history}`, verdicts)
}
