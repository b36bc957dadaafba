// The HTML report: one self-contained file (inline CSS and SVG; its Content-Security-Policy lets
// it load nothing at all). Charts first, as small multiples (one of each per workload, every
// system in the same colour everywhere): latency by percentile, throughput with its interval,
// throughput over time, and for a gate the trial values of the baseline and of this run. Then
// each workload's tables, ratios and loop counters, and the kernel and host.

import {GATE_HEAD, gateChanges, gateOutcome, gateRows, gateTitle} from '../gate/render.js'
import type {GateReport} from '../model/gate.js'
import type {Comparison, ResultDocument, SystemResult, WorkloadResult} from '../model/result.js'
import type {SystemName} from '../model/workload.js'
import {formatDuration} from '../units.js'
import {attributes as attrs, configurationStyle, legend, SYSTEM_ORDER, SYSTEM_STYLE, systemLegend} from './chart.js'
import {comparisonFigures} from './comparison.js'
import {LOOP_COUNTERS} from './counters.js'
import {escapeMarkup as e} from './escape.js'
import {counterRows, documentFigures, type Line, SPREAD_HEAD, workloadFigures} from './figures.js'
import {gateStrip, percentilePlot, throughputBars, timelinePlot, type TimelineLine, tradeoffPlot} from './plot.js'

const STYLE = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5c6577; --rule: #d9dde5; --bad: #b42318; --warn: #9a6700; --good: #1a7f37; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 2rem auto; max-width: 1000px; padding: 0 1rem; overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
.meta, .note, .dim { color: var(--muted); margin: .1rem 0; }
p.plain, p.warn, p.bad { margin: .1rem 0; }
.bad { color: var(--bad); }
.warn { color: var(--warn); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0; font-variant-numeric: tabular-nums; overflow-wrap: normal; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid var(--rule); text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
table.counters th:last-child, table.counters td:last-child { text-align: left; color: var(--muted); white-space: normal; min-width: 16rem; }
table.kernel td, table.counter-summary td, table.kinds td:nth-child(2) { text-align: left; }
table.kernel td:last-child { white-space: normal; }
details summary { color: var(--muted); cursor: pointer; }
table.kinds th:nth-child(2) { text-align: left; }
.multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 420px), 1fr)); gap: 1rem 2rem; }
figure { margin: 0; }
figcaption { font-weight: 600; margin: .25rem 0; }
ul.legend { list-style: none; padding: 0; margin: .25rem 0 .75rem; display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; }
ul.legend li { display: flex; align-items: center; gap: .4rem; }
svg.swatch line { stroke-width: 3; }
svg.chart { display: block; width: 100%; height: auto; font-size: 14px; }
svg .grid { stroke: #e6e9ef; }
svg .frame { fill: none; stroke: #9aa3b2; }
svg .series { fill: none; stroke-width: 2; }
svg text { fill: var(--ink); }
svg .axis-title, svg .warmup-label { fill: var(--muted); }
svg .warmup { fill: #f1f3f6; }
svg .whisker { fill: none; stroke: var(--ink); stroke-width: 1.5; }
svg.timeline-plot .series { stroke-width: 1.5; stroke-opacity: .75; }
svg .baseline .trial { fill: #fff; stroke: #6b7280; stroke-width: 1.5; }
svg .candidate .trial { fill-opacity: .8; }
svg .median { stroke: var(--ink); stroke-width: 2; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: .75rem; font-size: .85rem; font-weight: 600; color: #fff; background: #6b7280; }
.badge.worse { background: var(--bad); }
.badge.better { background: var(--good); }
.gate-metric figcaption { font-weight: normal; }
`

/**
 * A whole page: the report's CSS (and `style`, CSS of the page's own) inline, and a
 * Content-Security-Policy that lets it load nothing at all.
 */
export function page(title: string, body: string, style = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${STYLE}${style}</style>
</head>
<body>
${body}
</body>
</html>
`
}

export function renderHtml(document: ResultDocument): string {
  const figures = documentFigures(document)
  const title = `iouring-bench · ${document.workloads.map((workload) => workload.name).join(', ')} · kernel ${document.kernel.release}`
  return page(
    title,
    `<header>
<h1>iouring-bench report</h1>
<p class="meta">${e(figures.kernel)}</p>
${figures.sources ? `<p class="meta">${e(figures.sources)}</p>\n` : ''}<p class="meta">measured ${e(document.createdAt)} on ${e(document.host.hostname)}</p>
</header>
${document.comparison ? renderComparisonHtml(document.comparison, document) : ''}
${chartSections(document)}
${document.gate ? renderGateHtml(document.gate) : ''}
${document.workloads.map(renderWorkload).join('\n')}
${figures.interrupted ? `<p class="bad">${e(figures.interrupted)}</p>` : ''}
<section id="kernel">
<h2>Kernel and host</h2>
${table(
  ['', ''],
  [
    ['kernel release', document.kernel.release],
    ['kernel version', document.kernel.version],
    ['host', `${document.host.hostname} · ${document.host.arch} · ${document.host.cpus} CPUs ${document.host.cpuModel.trim()}`],
    ['node', document.host.node],
    ['iouring-bench', document.tool.version],
  ],
  'kernel',
)}
</section>`,
  )
}

/** Systems that measured something; a baseline that was skipped (listed apart, in `skipped`) or measured nothing has no mark anywhere. */
function measured(workload: WorkloadResult): SystemResult[] {
  return SYSTEM_ORDER.flatMap((name) => workload.systems.filter((system) => system.system === name && system.ops > 0))
}

/** A section of one chart per workload that has something to draw, with the systems' legend. */
function multiples(
  id: string,
  heading: string,
  note: string,
  charts: Array<{workload: WorkloadResult; systems: SystemName[]; svg?: string}>,
): string {
  const drawn = charts.filter((entry) => entry.svg)
  const systems = [...new Set(drawn.flatMap((entry) => entry.systems))]
  return `<section id="${id}">
<h2>${e(heading)}</h2>
${
  drawn.length
    ? `${systemLegend(systems)}
<div class="multiples">
${drawn.map(({workload, svg}) => `<figure${attrs({'data-workload': workload.name})}><figcaption>${e(workload.name)}</figcaption>\n${svg}</figure>`).join('\n')}
</div>`
    : ''
}
<p class="note">${e(drawn.length ? note : 'Nothing was measured to draw.')}</p>
</section>`
}

function chartSections(document: ResultDocument): string {
  const {workloads} = document
  const latency = workloads.map((workload) => {
    const series = measured(workload).filter((system) => system.latency.count > 0)
    const {distribution} = workloadFigures(workload)
    return {
      workload,
      systems: series.map((system) => system.system),
      svg: series.length
        ? percentilePlot(
            workload.name,
            distribution,
            series.map((system) => ({
              name: system.system,
              style: SYSTEM_STYLE[system.system],
              data: {'data-system': system.system},
              histogram: system.latency.histogram,
            })),
          )
        : undefined,
    }
  })
  const throughput = workloads.map((workload) => {
    const trials = workload.trials.length
    const bars = measured(workload).map((system) => {
      const spread = trials > 1 ? workload.spread.find((entry) => entry.system === system.system)?.opsPerSec : undefined
      return {system: system.system, value: system.opsPerSec, ...(spread ? {interval: [spread.min, spread.max] as [number, number]} : {})}
    })
    return {workload, systems: bars.map((bar) => bar.system), svg: bars.length ? throughputBars(workload.name, bars, trials) : undefined}
  })
  const timeline = workloads.map((workload) => {
    const lines: TimelineLine[] = workload.trials.flatMap((trial, i) =>
      trial.systems.flatMap((system) => (system.timeline?.length ? [{system: system.system, trial: i + 1, windows: system.timeline}] : [])),
    )
    return {
      workload,
      systems: lines.map((line) => line.system),
      svg: lines.length ? timelinePlot(workload.name, lines, workload.spec.drive.warmupNs) : undefined,
    }
  })
  return [
    multiples(
      'latency',
      'Latency by percentile',
      'Further right is further into the tail: 99.9% leaves one op in a thousand above the line.',
      latency,
    ),
    multiples('throughput', 'Throughput', 'Ops/s of each system; bytes/s and CPU per op are in the tables below.', throughput),
    multiples(
      'timeline',
      'Throughput over time',
      'Ops/s in each window of the run (one line per trial); the loop and the raw ring report windows, fio and node-fs do not.',
      timeline,
    ),
  ].join('\n')
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
<div class="scroll"><table class="summary"><thead><tr>${summary.head.map((head) => `<th>${e(head)}</th>`).join('')}</tr></thead>
<tbody>${cells.join('')}</tbody></table></div>
${ratios.map((sentence) => paragraph({text: sentence, tone: 'plain'})).join('\n')}
${details.map(paragraph).join('\n')}
${spread ? `<h3>Over ${spread.trials} interleaved trials, median [min – max]</h3>\n${table(SPREAD_HEAD, spread.rows, 'spread')}` : ''}
${kinds ? `<h3>Per kind</h3>\n${table(kinds.head, kinds.rows, 'kinds')}` : ''}
${stopped ? `<p class="bad">${e(stopped)}</p>` : ''}
${loop ? counterTable(loop) : ''}
</section>`
}

/** The configurations side by side: what each buys against what it costs, their latency curves overlaid, and the table. */
function renderComparisonHtml(comparison: Comparison, document: ResultDocument): string {
  const {title, head, rows, notes} = comparisonFigures(comparison)
  const ran = comparison.configurations.flatMap((row, i) => {
    const loop = document.workloads.find((workload) => workload.name === row.name)?.systems.find((system) => system.system === 'loop')
    return row.figures && loop ? [{label: String(i + 1), name: row.name, style: configurationStyle(i), figures: row.figures, loop}] : []
  })
  const curves = ran.filter(({loop}) => loop.latency.count > 0)
  const charts = ran.length
    ? `${legend(ran.map(({label, name, style}) => ({label: `${label} ${name}`, style})))}
<div class="multiples">
<figure><figcaption>Throughput against CPU per op</figcaption>
${tradeoffPlot(ran.map(({label, name, style, figures}) => ({label, name, style, cpuNsPerOp: figures.cpuNsPerOp, opsPerSec: figures.opsPerSec})))}</figure>
${
  curves.length
    ? `<figure><figcaption>Latency by percentile</figcaption>
${percentilePlot(
  'compared',
  'latency',
  curves.map(({name, style, loop}) => ({name, style, data: {'data-configuration': name}, histogram: loop.latency.histogram})),
)}</figure>`
    : ''
}
</div>
<p class="note">Up and to the left is better: more ops/s for less CPU. Each dot is numbered as in the legend; the latency curves are the loop's over all trials of each configuration.</p>`
    : ''
  const cells = rows.map((row) =>
    'skipped' in row
      ? `<tr><td>${e(row.name)}</td><td class="warn" colspan="${head.length - 1}">${e(row.skipped)}</td></tr>`
      : `<tr>${[row.name, ...row.cells].map((cell) => `<td>${e(cell)}</td>`).join('')}</tr>`,
  )
  return `<section id="comparison">
<h2>${e(title)}</h2>
${charts}
<div class="scroll"><table class="comparison"><thead><tr>${head.map((cell) => `<th>${e(cell)}</th>`).join('')}</tr></thead>
<tbody>${cells.join('')}</tbody></table></div>
${notes.map((note) => `<p class="note">${e(note)}</p>`).join('\n')}
</section>`
}

function renderGateHtml(gate: GateReport): string {
  const changes = [...gateChanges(gate), ...gate.notes.map((note) => `note: ${note}`)]
  const rows = gateRows(gate)
  const workloads = [...new Set(gate.verdicts.map((verdict) => verdict.workload))]
  const metric = ({verdict, cells: [, label, , , ratio, p]}: (typeof rows)[number]): string =>
    `<figure class="gate-metric"${attrs({'data-metric': verdict.metric})}><figcaption>${e(label)} <span class="badge ${verdict.verdict}">${verdict.verdict}</span> ` +
    `<span class="dim">${e(`ratio ${ratio}, p ${p}`)}</span></figcaption>\n${gateStrip(verdict)}</figure>`
  return `<section id="gate">
<h2 class="${gate.passed ? '' : 'bad'}">${e(gateOutcome(gate))}</h2>
<p class="meta">${e(gateTitle(gate))}</p>
${workloads
  .map(
    (workload) => `<div class="gate-workload"${attrs({'data-workload': workload})}>
<h3>${e(workload)}</h3>
<div class="multiples">
${rows
  .filter((row) => row.verdict.workload === workload)
  .map(metric)
  .join('\n')}
</div>
</div>`,
  )
  .join('\n')}
<p class="note">Each dot is one trial of the loop, hollow for the baseline and filled for now; the bar across is the median.</p>
${table(
  GATE_HEAD,
  rows.map(({cells}) => cells),
  'gate',
)}
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

/** A table that scrolls sideways inside its box on a narrow screen, never the page. */
export function table(head: string[], rows: string[][], className: string): string {
  const header = head.some(Boolean) ? `<thead><tr>${head.map((cell) => `<th>${e(cell)}</th>`).join('')}</tr></thead>` : ''
  return `<div class="scroll"><table class="${className}">${header}<tbody>${rows
    .map((row) => `<tr>${row.map((cell) => `<td>${e(cell)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`
}
