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
  for (const host of hosts) {
    const kernel = kernels.get(host.kernel.release) ?? {release: host.kernel.release, version: host.kernel.version, hosts: 0, verdicts: {}}
    kernel.hosts++
    kernel.verdicts[host.verdict] = (kernel.verdicts[host.verdict] ?? 0) + 1
    kernels.set(kernel.release, kernel)

    const verdict = verdicts.get(host.verdict) ?? {verdict: host.verdict, hosts: 0, reasons: []}
    verdict.hosts++
    const reason = verdict.reasons.find((entry) => entry.reason === host.reason)
    if (reason) reason.sources.push(host.source)
    else verdict.reasons.push({reason: host.reason, sources: [host.source]})
    verdicts.set(verdict.verdict, verdict)
  }
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
function kernelRows(fleet: FleetDocument): {head: string[]; rows: string[][]} {
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

function sourcesText(sources: string[]): string {
  const shown = sources.slice(0, SHOWN_SOURCES).join(', ')
  return sources.length > SHOWN_SOURCES ? `${shown} and ${sources.length - SHOWN_SOURCES} more` : shown
}

function summaryLine(fleet: FleetDocument): string {
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`
  return `fleet: ${count(fleet.hosts.length, 'host')}, ${count(fleet.kernels.length, 'kernel')}`
}

export function renderFleetTerminal(fleet: FleetDocument, options: {color: boolean}): string {
  const paint = paintFor(options.color)
  const {head, rows} = kernelRows(fleet)
  const table = new Table({head, style: {head: [], border: []}, colAligns: head.map((_, i) => (i === 0 ? 'left' : 'right'))})
  table.push(...rows)
  const out = [paint.bold(summaryLine(fleet)), table.toString(), paint.dim('why:')]
  for (const verdict of fleet.verdicts) {
    for (const {reason, sources} of verdict.reasons) {
      out.push(`  ${verdict.verdict} (${sources.length}): ${reason} ${paint.dim(`— ${sourcesText(sources)}`)}`)
    }
  }
  return out.join('\n') + '\n'
}

export function renderFleetMarkdown(fleet: FleetDocument): string {
  const {head, rows} = kernelRows(fleet)
  const reasons = fleet.verdicts.flatMap((verdict) =>
    verdict.reasons.map(({reason, sources}) => [verdict.verdict, String(sources.length), reason, sourcesText(sources)]),
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
    markdownTable(['verdict', 'hosts', 'reason', 'from'], reasons, ['left', 'right', 'left', 'left']),
    '',
  ].join('\n')
}
