// The fleet view: probe results from many hosts (`report merge` of probe documents) tabulated by
// kernel and by verdict, with the reasons, which is what a kernel engineer looking after a fleet
// asks first: which kernels do what, and why the others do not.

import Table from 'cli-table3'

import {toolInfo} from '../model/envelope.js'
import {FLEET_KIND, FLEET_SCHEMA_VERSION, type FleetDocument, type FleetHost, type FleetKernel, type FleetVerdict} from '../model/fleet.js'
import {markdownTable, markdownText} from './markdown.js'
import {paintFor} from './paint.js'

/** Leading numbers of a kernel release ("6.1.0-56-cloud-amd64" -> [6, 1, 0, 56]), for ordering. */
function releaseNumbers(release: string): number[] {
  return (release.match(/\d+/g) ?? []).map(Number)
}

function byRelease(a: string, b: string): number {
  const [x, y] = [releaseNumbers(a), releaseNumbers(b)]
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const difference = (x[i] ?? -1) - (y[i] ?? -1)
    if (difference) return difference
  }
  return a.localeCompare(b)
}

export function fleetDocument(hosts: FleetHost[], toolVersion: string): FleetDocument {
  const kernels = new Map<string, FleetKernel>()
  const verdicts = new Map<string, FleetVerdict>()
  // What each kernel lacks: the flags failing on every one of its hosts that can use io_uring.
  const lacking = new Map<string, Set<string>>()
  for (const host of hosts) {
    const kernel = kernels.get(host.kernel.release) ?? {release: host.kernel.release, version: host.kernel.version, hosts: 0, verdicts: {}}
    kernel.hosts++
    kernel.verdicts[host.verdict] = (kernel.verdicts[host.verdict] ?? 0) + 1
    kernels.set(kernel.release, kernel)
    if (host.verdict !== 'unusable' && host.lacks) {
      const before = lacking.get(kernel.release)
      lacking.set(kernel.release, before ? new Set(host.lacks.filter((flag) => before.has(flag))) : new Set(host.lacks))
    }

    const verdict = verdicts.get(host.verdict) ?? {verdict: host.verdict, hosts: 0, reasons: []}
    verdict.hosts++
    const reason = verdict.reasons.find((entry) => entry.reason === host.reason)
    if (reason) reason.sources.push(host.source)
    else verdict.reasons.push({reason: host.reason, ...(host.fix ? {fix: host.fix} : {}), sources: [host.source]})
    verdicts.set(verdict.verdict, verdict)
  }
  for (const [release, flags] of lacking) kernels.get(release)!.lacks = [...flags]
  return {
    schemaVersion: FLEET_SCHEMA_VERSION,
    kind: FLEET_KIND,
    tool: toolInfo(toolVersion),
    createdAt: new Date().toISOString(),
    hosts,
    kernels: [...kernels.values()].sort((a, b) => byRelease(a.release, b.release)),
    verdicts: [...verdicts.values()].sort((a, b) => b.hosts - a.hosts || a.verdict.localeCompare(b.verdict)),
  }
}

/** The kernel × verdict table: one row per kernel, a column of host counts per verdict. */
export function kernelRows(fleet: FleetDocument): {head: string[]; rows: string[][]} {
  const verdicts = fleet.verdicts.map((entry) => entry.verdict)
  return {
    head: ['kernel', 'hosts', ...verdicts],
    rows: fleet.kernels.map((kernel) => [
      kernel.release,
      String(kernel.hosts),
      ...verdicts.map((verdict) => String(kernel.verdicts[verdict] ?? '')),
    ]),
  }
}

const SHOWN_SOURCES = 3

export function sourcesText(sources: string[]): string {
  const shown = sources.slice(0, SHOWN_SOURCES).join(', ')
  return sources.length > SHOWN_SOURCES ? `${shown} and ${sources.length - SHOWN_SOURCES} more` : shown
}

export function summaryLine(fleet: FleetDocument): string {
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`
  return `fleet: ${count(fleet.hosts.length, 'host')}, ${count(fleet.kernels.length, 'kernel')}`
}

export const LACKS_TITLE = 'what each kernel lacks (the bench flags that fail on all its hosts that can use io_uring):'

function lacksLines(fleet: FleetDocument): string[] {
  return fleet.kernels.flatMap((kernel) => (kernel.lacks ? [`${kernel.release}: ${kernel.lacks.join(' ') || 'nothing'}`] : []))
}

export function renderFleetTerminal(fleet: FleetDocument, options: {color: boolean}): string {
  const paint = paintFor(options.color)
  const {head, rows} = kernelRows(fleet)
  const table = new Table({
    head,
    style: {head: [], border: []},
    colAligns: head.map((_, i) => (i === 0 ? 'left' : 'right')),
  })
  table.push(...rows)
  const out = [paint.bold(summaryLine(fleet)), table.toString()]
  const lacks = lacksLines(fleet)
  if (lacks.length) out.push(paint.dim(LACKS_TITLE), ...lacks.map((text) => `  ${text}`))
  out.push(paint.dim('why:'))
  for (const verdict of fleet.verdicts) {
    for (const {reason, fix, sources} of verdict.reasons) {
      out.push(`  ${verdict.verdict} (${sources.length}): ${reason} ${paint.dim(`— ${sourcesText(sources)}`)}`)
      if (fix) out.push(`    fix: ${fix}`)
    }
  }
  return out.join('\n') + '\n'
}

export function renderFleetMarkdown(fleet: FleetDocument): string {
  const {head, rows} = kernelRows(fleet)
  const reasons = fleet.verdicts.flatMap((verdict) =>
    verdict.reasons.map(({reason, fix, sources}) => [verdict.verdict, String(sources.length), reason, fix ?? '', sourcesText(sources)]),
  )
  return [
    `## iouring-bench ${markdownText(summaryLine(fleet))}`,
    '',
    markdownTable(
      head,
      rows,
      head.map((_, i) => (i === 0 ? 'left' : 'right')),
    ),
    '',
    ...(lacksLines(fleet).length ? [markdownText(LACKS_TITLE), '', ...lacksLines(fleet).map((text) => `- ${markdownText(text)}`), ''] : []),
    markdownTable(['verdict', 'hosts', 'reason', 'fix', 'from'], reasons, ['left', 'right', 'left', 'left', 'left']),
    '',
  ].join('\n')
}
