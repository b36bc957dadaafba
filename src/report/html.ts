// The HTML report: one self-contained file (inline CSS and SVG; its Content-Security-Policy lets
// it load nothing at all) with the latency percentile plot, each workload's summary table, ratios
// and loop counters, and the kernel and host the result was measured on.

import type {GateReport} from '../gate/gate.js'
import {GATE_HEAD, gateChanges, gateOutcome, gateRows, gateTitle} from '../gate/render.js'
import {formatDuration} from '../units.js'
import {LOOP_COUNTERS} from './counters.js'
import {escapeMarkup as e} from './escape.js'
import {counterRows, documentFigures, type Line, measuredSeries, SPREAD_HEAD, workloadFigures} from './figures.js'
import {percentilePlot} from './plot.js'
import type {ResultDocument, SystemResult, WorkloadResult} from './result.js'

const STYLE = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5c6577; --rule: #d9dde5; --bad: #b42318; --warn: #9a6700; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 2rem auto; max-width: 1000px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
.meta, .note, .dim { color: var(--muted); margin: .1rem 0; }
p.plain, p.warn, p.bad { margin: .1rem 0; }
.bad { color: var(--bad); }
.warn { color: var(--warn); }
table { border-collapse: collapse; margin: .5rem 0; font-variant-numeric: tabular-nums; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid var(--rule); text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
table.counters th:last-child, table.counters td:last-child { text-align: left; color: var(--muted); white-space: normal; }
table.kernel td, table.counter-summary td, table.kinds td:nth-child(2) { text-align: left; }
details summary { color: var(--muted); cursor: pointer; }
table.kinds th:nth-child(2) { text-align: left; }
svg.percentile-plot { max-width: 100%; height: auto; font-size: 13px; }
svg .grid { stroke: #e6e9ef; }
svg .frame { fill: none; stroke: #9aa3b2; }
svg .series { fill: none; stroke-width: 2; }
svg .legend line { stroke-width: 2; }
svg text { fill: var(--ink); }
svg .axis-title { fill: var(--muted); }
`

export function renderHtml(document: ResultDocument): string {
  const series = measuredSeries(document).map(({workload, system}) => ({
    workload: workload.name,
    system: system.system,
    histogram: system.latency.histogram,
  }))
  const figures = documentFigures(document)
  const title = `iouring-bench · ${document.workloads.map((workload) => workload.name).join(', ')} · kernel ${document.kernel.release}`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>iouring-bench report</h1>
<p class="meta">${e(figures.kernel)}</p>
${figures.sources ? `<p class="meta">${e(figures.sources)}</p>\n` : ''}<p class="meta">measured ${e(document.createdAt)} on ${e(document.host.hostname)}</p>
</header>
<section id="latency">
<h2>Latency by percentile</h2>
${series.length ? percentilePlot(series) : '<p class="note">No latencies were measured.</p>'}
<p class="note">Each line is one workload through one system: the loop solid, baselines dashed. Further right is further into the tail.</p>
</section>
${document.workloads.map(renderWorkload).join('\n')}
${document.gate ? renderGateHtml(document.gate) : ''}
${figures.interrupted ? `<p class="bad">${e(figures.interrupted)}</p>` : ''}
<section id="kernel">
<h2>Kernel and host</h2>
${table(['', ''], [
  ['kernel release', document.kernel.release],
  ['kernel version', document.kernel.version],
  ['host', `${document.host.hostname} · ${document.host.arch} · ${document.host.cpus} CPUs ${document.host.cpuModel.trim()}`],
  ['node', document.host.node],
  ['iouring-bench', document.tool.version],
], 'kernel')}
</section>
</body>
</html>
`
}

function renderWorkload(workload: WorkloadResult): string {
  const {title, file, summary, ratios, details, spread, kinds, stopped, loop} = workloadFigures(workload)
  const cells = summary.rows.map((row) =>
    'note' in row
      ? `<tr><td>${e(row.system)}</td><td class="${row.note.tone}" colspan="${summary.head.length - 1}">${e(row.note.text)}</td></tr>`
      : `<tr>${[row.system, ...row.cells].map((cell) => `<td>${e(cell)}</td>`).join('')}</tr>`,
  )
  const paragraph = ({text, tone}: Line): string => `<p class="${tone}">${e(text)}</p>`
  return `<section class="workload">
<h2>${e(title)}</h2>
${file ? paragraph(file) : ''}
<table class="summary"><thead><tr>${summary.head.map((head) => `<th>${e(head)}</th>`).join('')}</tr></thead>
<tbody>${cells.join('')}</tbody></table>
${ratios.map((sentence) => paragraph({text: sentence, tone: 'plain'})).join('\n')}
${details.map(paragraph).join('\n')}
${spread ? `<h3>Over ${spread.trials} interleaved trials, median [min – max]</h3>\n${table(SPREAD_HEAD, spread.rows, 'spread')}` : ''}
${kinds ? `<h3>Per kind</h3>\n${table(kinds.head, kinds.rows, 'kinds')}` : ''}
${stopped ? `<p class="bad">${e(stopped)}</p>` : ''}
${loop ? counterTable(loop) : ''}
</section>`
}

function renderGateHtml(gate: GateReport): string {
  const changes = [...gateChanges(gate), ...gate.notes.map((note) => `note: ${note}`)]
  return `<section id="gate">
<h2 class="${gate.passed ? '' : 'bad'}">${e(gateOutcome(gate))}</h2>
<p class="meta">${e(gateTitle(gate))}</p>
${table(GATE_HEAD, gateRows(gate).map(({cells}) => cells), 'gate')}
${changes.map((line) => `<p>${e(line)}</p>`).join('\n')}
</section>`
}

/** The grouped counters every form shows, and each counter with its meaning a click away. */
function counterTable(loop: SystemResult): string {
  const rows = LOOP_COUNTERS.map((info) => {
    const value = loop.counters[info.name]
    return [info.name, info.unit === 'ns' ? formatDuration(value) : String(value), info.help]
  })
  return `<h3>Loop counters</h3>
${table(['', ''], counterRows(loop), 'counter-summary')}
<details><summary>every counter</summary>
${table(['counter', 'value', 'meaning'], rows, 'counters')}
</details>`
}

function table(head: string[], rows: string[][], className: string): string {
  const header = head.some(Boolean) ? `<thead><tr>${head.map((cell) => `<th>${e(cell)}</th>`).join('')}</tr></thead>` : ''
  return `<table class="${className}">${header}<tbody>${rows
    .map((row) => `<tr>${row.map((cell) => `<td>${e(cell)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`
}
