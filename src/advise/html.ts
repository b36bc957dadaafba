// The advice as one self-contained HTML page, in the HTML report's style (its CSS, its
// Content-Security-Policy, its charts): the recommendation first, then what each candidate
// measured costs and buys (ops/s against CPU per op, the Pareto front through them, the winner
// and the default marked), the ranked table, the final A/B against the default, the notes, the
// choices left out before the search and how much of the space was measured.

import {median} from 'simple-statistics'

import type {AdviceDocument, Candidate, FinalCheck, Objective, TrialFigures} from '../model/advice.js'
import type {ComparedRatio, Spread} from '../model/result.js'
import {attributes as attrs, type LineStyle} from '../report/chart.js'
import {escapeMarkup as e} from '../report/escape.js'
import {ratioWords} from '../report/comparison.js'
import {formatSpread} from '../report/figures.js'
import {page, table} from '../report/html.js'
import {PARETO_STYLE, tradeoffPlot} from '../report/plot.js'
import {formatCount, formatDuration} from '../units.js'

/** The page's own CSS, after the report's. */
const STYLE = `
.recommendation { font-size: 1.2rem; font-weight: 600; margin: .75rem 0; padding: .6rem 1rem; border-left: 4px solid var(--good); background: #eef7f1; }
.partial-banner { margin: .75rem 0; padding: .5rem 1rem; border-left: 4px solid var(--bad); background: #fdf0ef; color: var(--bad); font-weight: 600; }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
table.candidates td.configuration, table.candidates td.outcome { white-space: normal; text-align: left; min-width: 10rem; }
table.candidates th:nth-child(2), table.candidates th:last-child { text-align: left; }
table.candidates tr.winner { background: #eef7f1; }
table.candidates tr.winner td { font-weight: 600; }
table.candidates .flags, table.candidates .needs, table.candidates .reason { display: block; color: var(--muted); font-size: .85rem; font-weight: normal; }
.knob { white-space: nowrap; }
.recommendation.unchecked { border-left-color: var(--warn); background: #fdf6e7; }
table.final td:first-child { white-space: normal; }
table.candidates td.outcome.failed, table.candidates td.outcome.failed .reason { color: var(--bad); }
table.space td, table.skipped td, table.skipped th { text-align: left; white-space: normal; }
svg.swatch { overflow: visible; }
`

/** Each dot's colour by where the search left its candidate (Okabe and Ito's palette, and grey). */
const OUTCOME_STYLE: Record<Candidate['outcome'], LineStyle> = {
  winner: {colour: '#009e73', dash: ''},
  finalist: {colour: '#0072b2', dash: ''},
  dropped: {colour: '#9aa3b2', dash: ''},
  failed: {colour: '#d55e00', dash: ''},
}

const OBJECTIVE_TEXT: Record<Objective, string> = {
  throughput: 'the most ops/s',
  p99: 'the lowest p99',
  cpu: 'the least CPU per op',
  balanced: 'the most ops/s within the bounds',
}

/** Marks a ratio the trials cannot tell from 1, as the comparison does. */
const NOT_SIGNIFICANT = '~'

type Measured = Candidate & {opsPerSec: Spread; cpuNsPerOp: Spread}

const isDefault = (candidate: Pick<Candidate, 'knobs'>): boolean => Object.keys(candidate.knobs).length === 0

const isMeasured = (candidate: Candidate): candidate is Measured => candidate.opsPerSec !== undefined && candidate.cpuNsPerOp !== undefined

/** A configuration by the knobs it sets, as the terminal form and `bench --compare` name it: "wait=spin defer-taskrun=on". */
function knobName(knobs: Record<string, string>): string {
  const entries = Object.entries(knobs)
  return entries.length ? entries.map(([name, value]) => `${name}=${value}`).join(' ') : 'the default'
}

/** The same, each knob kept on one line. */
function knobMarkup(knobs: Record<string, string>): string {
  const entries = Object.entries(knobs)
  if (!entries.length) return e(knobName(knobs))
  return entries.map(([name, value]) => `<span class="knob">${e(`${name}=${value}`)}</span>`).join(' ')
}

/** Command-line flags that break between flags only, never inside one ("--op nop" stays whole). */
function flagsMarkup(flags: string): string {
  return flags
    .split(/ (?=-)/)
    .map((flag) => `<span class="knob">${e(flag)}</span>`)
    .join(' ')
}

/** Text with `quoted` spans (the recommendation quotes flags so) as code. */
function withCode(text: string): string {
  const parts = text.split('`')
  // An odd number of backticks: the last one quotes nothing.
  const tail = parts.length % 2 === 0 ? `\`${parts.pop()!}` : ''
  parts[parts.length - 1] += tail
  return parts.map((part, i) => (i % 2 ? `<code>${flagsMarkup(part)}</code>` : e(part))).join('')
}

function pText(ratio: ComparedRatio): string {
  const p = (value: number): string => (value < 0.001 ? value.toExponential(1) : String(Number(value.toPrecision(2))))
  return `p ${p(ratio.pValue)}${ratio.adjustedPValue === undefined ? '' : `, adjusted ${p(ratio.adjustedPValue)}`}${ratio.significant ? '' : ': not significant'}`
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`
}

export function renderAdviceHtml(document: AdviceDocument): string {
  const {workload, kernel, host} = document
  const title = `iouring-bench advice · ${workload.name} · kernel ${kernel.release}${document.partial ? ' · partial' : ''}`
  const body = `<header>
<h1>iouring-bench advice: ${e(workload.name)}${document.partial ? ' <span class="badge worse">partial</span>' : ''}</h1>
<p class="meta">workload <code>${flagsMarkup(document.flags)}</code> on kernel ${e(kernel.release)} (${e(kernel.version)})</p>
<p class="meta">measured ${e(document.createdAt)} on ${e(host.hostname)} · ${e(plural(host.cpus, 'CPU'))}</p>
<p class="meta">${e(searchLine(document))}</p>
${document.bounds ? `<p class="meta">${e(boundsLine(document.bounds))}</p>` : ''}
</header>
${document.partial ? `<p class="partial-banner" id="partial">${e(partialText(document))}</p>` : ''}
<section id="recommendation">
<h2>Recommendation</h2>
<p class="recommendation${document.partial ? ' unchecked' : ''}">${withCode(document.recommendation)}</p>
</section>
${tradeoffSection(document)}
${candidateSection(document)}
${finalSection(document)}
${
  document.notes.length
    ? `<section id="notes">
<h2>Notes</h2>
<ul>${document.notes.map((note) => `<li>${e(note)}</li>`).join('')}</ul>
</section>`
    : ''
}
${skippedSection(document)}
${spaceSection(document)}
<section id="kernel">
<h2>Kernel and host</h2>
${table(
  ['', ''],
  [
    ['kernel release', kernel.release],
    ['kernel version', kernel.version],
    ['host', `${host.hostname} · ${host.arch} · ${host.cpus} CPUs ${host.cpuModel.trim()}`],
    ['node', host.node],
    ['iouring-bench', document.tool.version],
  ],
  'kernel',
)}
</section>`
  return page(title, body, STYLE)
}

function searchLine(document: AdviceDocument): string {
  return (
    `objective: ${document.objective} (${OBJECTIVE_TEXT[document.objective]}) · budget ${formatDuration(document.budgetNs)}, ` +
    `took ${formatDuration(document.elapsedNs)} · search trials of ${formatDuration(document.trialNs)}${document.final ? `, the final check's ${formatDuration(document.final.trialNs)}` : ''}`
  )
}

function boundsLine(bounds: NonNullable<AdviceDocument['bounds']>): string {
  const source = bounds.source === 'given' ? 'as given' : "no worse than the default's own figures"
  return `bounds: p99 ≤ ${formatDuration(bounds.p99Ns)}, CPU per op ≤ ${formatDuration(bounds.cpuNsPerOp)} (${source})`
}

function partialText(document: AdviceDocument): string {
  return (
    'Partial: the search was interrupted or ran out of budget before the final check. This is the best configuration so far, ' +
    `${document.final ? 'and the final check below is incomplete' : 'not checked against the default'}.`
  )
}

/** A legend of dots (and the Pareto front's line), as HTML beside the chart. */
function dotLegend(items: Array<{label: string; swatch: string}>): string {
  const entries = items.map(
    ({label, swatch}) =>
      `<li><svg class="swatch" viewBox="0 0 28 16" width="28" height="16" aria-hidden="true">${swatch}</svg>${e(label)}</li>`,
  )
  return `<ul class="legend">${entries.join('')}</ul>`
}

function tradeoffSection(document: AdviceDocument): string {
  const measured = document.candidates.flatMap((candidate, i) => (isMeasured(candidate) ? [{candidate, rank: i + 1}] : []))
  if (!measured.length) {
    return `<section id="tradeoff">
<h2>Throughput against CPU per op</h2>
<p class="note">Nothing was measured to draw.</p>
</section>`
  }
  const outcomes = (Object.keys(OUTCOME_STYLE) as Array<Candidate['outcome']>).filter((outcome) =>
    measured.some(({candidate}) => candidate.outcome === outcome),
  )
  const dot = (colour: string, r: number, outline = false): string =>
    `<circle${attrs({cx: 14, cy: 8, r, fill: colour, stroke: outline ? '#1d2330' : undefined, 'stroke-width': outline ? 1.5 : undefined})}/>`
  const front = measured.filter(({candidate}) => candidate.pareto).length >= 2
  const legend = dotLegend([
    ...outcomes.map((outcome) => ({
      label: outcome,
      swatch: dot(OUTCOME_STYLE[outcome].colour, outcome === 'winner' ? 6 : 5, outcome === 'winner'),
    })),
    ...(measured.some(({candidate}) => isDefault(candidate))
      ? [
          {
            label: 'the default (ringed)',
            swatch: `${dot('#9aa3b2', 4)}<circle${attrs({cx: 14, cy: 8, r: 7, fill: 'none', stroke: '#1d2330', 'stroke-width': 1.5, 'stroke-dasharray': '3 2'})}/>`,
          },
        ]
      : []),
    ...(front
      ? [
          {
            label: 'Pareto front',
            swatch: `<line${attrs({x1: 0, x2: 28, y1: 8, y2: 8, stroke: PARETO_STYLE.colour, 'stroke-width': 2, 'stroke-dasharray': PARETO_STYLE.dash})}/>`,
          },
        ]
      : []),
  ])
  const svg = tradeoffPlot(
    measured.map(({candidate, rank}) => ({
      label: String(rank),
      name: knobName(candidate.knobs),
      style: OUTCOME_STYLE[candidate.outcome],
      cpuNsPerOp: candidate.cpuNsPerOp.median,
      opsPerSec: candidate.opsPerSec,
      pareto: candidate.pareto,
      highlight: candidate.outcome === 'winner',
      reference: isDefault(candidate),
      data: {'data-rank': String(rank), 'data-outcome': candidate.outcome},
    })),
  )
  return `<section id="tradeoff">
<h2>Throughput against CPU per op</h2>
${legend}
<div class="multiples">
<figure><figcaption>${e(`${plural(measured.length, 'candidate')} measured`)}</figcaption>
${svg}</figure>
</div>
<p class="note">Each dot is a candidate's median over its trials, numbered by its rank in the table; the whisker runs from its slowest trial to its fastest. Up and to the left is better: more ops/s for less CPU.${
    front ? ' The Pareto front joins the candidates that no other one beats on both.' : ''
  }</p>
</section>`
}

function candidateSection(document: AdviceDocument): string {
  const head = ['#', 'configuration', 'trials', 'ops/s', '× default', 'p50', 'p99', 'CPU/op', 'outcome']
  const spread = (value: Spread | undefined, format: (n: number) => string): string => (value ? format(value.median) : '–')
  const rows = document.candidates.map((candidate, i) => {
    const rank = i + 1
    const reference = isDefault(candidate)
    const ratio = reference ? '1' : candidate.versusDefault ? ratioWords(candidate.versusDefault) : '–'
    const ratioTitle = candidate.versusDefault ? pText(candidate.versusDefault) : undefined
    const why = [...(candidate.reason ? [candidate.reason] : []), ...(candidate.withinBounds === false ? ['outside the bounds'] : [])]
    const outcome = `${e(candidate.outcome)}${candidate.pareto ? ' · Pareto front' : ''}${why.length ? `<span class="reason">${e(why.join('; '))}</span>` : ''}`
    const configuration =
      knobMarkup(candidate.knobs) +
      `<code class="flags">${flagsMarkup(candidate.flags)}</code>` +
      (candidate.needs.length ? `<span class="needs">needs ${e(candidate.needs.join(', '))}</span>` : '')
    const cells = [
      `<td>${rank}</td>`,
      `<td class="configuration">${configuration}</td>`,
      `<td>${candidate.trials.length}</td>`,
      `<td${attrs({title: candidate.opsPerSec ? formatSpread(candidate.opsPerSec, formatCount) : undefined})}>${e(spread(candidate.opsPerSec, formatCount))}</td>`,
      `<td${attrs({title: ratioTitle})}>${e(ratio)}</td>`,
      `<td>${e(spread(candidate.p50Ns, formatDuration))}</td>`,
      `<td>${e(spread(candidate.p99Ns, formatDuration))}</td>`,
      `<td>${e(spread(candidate.cpuNsPerOp, formatDuration))}</td>`,
      `<td class="outcome ${candidate.outcome}">${outcome}</td>`,
    ]
    const classes = [...(candidate.outcome === 'winner' ? ['winner'] : []), ...(reference ? ['default'] : [])].join(' ')
    return `<tr${attrs({class: classes, 'data-rank': rank, 'data-outcome': candidate.outcome})}>${cells.join('')}</tr>`
  })
  const notes = [
    `Ranked best first by ${OBJECTIVE_TEXT[document.objective]}. ops/s, p50, p99 and CPU/op are medians over each candidate's trials (CPU/op counts every thread of the process, io_uring's kernel threads included).`,
    `× default: median ops/s over the default's, with its bootstrap interval; ${NOT_SIGNIFICANT}: the trials cannot tell it from the default (exact Mann-Whitney U, adjusted by Holm over the rows). Under each configuration, the exact flags that reproduce it.`,
  ]
  return `<section id="candidates">
<h2>${e(`Candidates, ${plural(document.candidates.length, 'configuration')} raced`)}</h2>
<div class="scroll"><table class="candidates"><thead><tr>${head.map((cell) => `<th>${e(cell)}</th>`).join('')}</tr></thead>
<tbody>${rows.join('')}</tbody></table></div>
${notes.map((note) => `<p class="note">${e(note)}</p>`).join('\n')}
</section>`
}

/** Medians of one side's trials; ops/s as "median [min – max]". */
function finalRow(name: string, trials: TrialFigures[]): string[] {
  if (!trials.length) return [name, '0', '–', '–', '–', '–']
  const values = (key: keyof TrialFigures): number[] => trials.map((trial) => trial[key])
  const ops = values('opsPerSec')
  return [
    name,
    String(trials.length),
    formatSpread({median: median(ops), min: Math.min(...ops), max: Math.max(...ops)}, formatCount),
    formatDuration(median(values('p50Ns'))),
    formatDuration(median(values('p99Ns'))),
    formatDuration(median(values('cpuNsPerOp'))),
  ]
}

function finalSection(document: AdviceDocument): string {
  const final: FinalCheck | undefined = document.final
  if (!final) {
    const why = document.partial
      ? 'Not run: the search stopped before it.'
      : 'Not run: nothing raced led the default, or the budget left no time for it (see the notes).'
    return `<section id="final">
<h2>Final check against the default</h2>
<p class="${document.partial ? 'bad' : 'note'}">${e(why)}</p>
</section>`
  }
  const rows = [
    finalRow('default', final.default),
    finalRow('winner', final.winner),
    ['winner ÷ default', '', ratioWords(final.opsPerSec), '–', ratioWords(final.p99), ratioWords(final.cpuNsPerOp)],
  ]
  const tests = `ops/s ${pText(final.opsPerSec)}; p99 ${pText(final.p99)}; CPU/op ${pText(final.cpuNsPerOp)}`
  return `<section id="final">
<h2>Final check against the default</h2>
<p class="plain">${e(`${plural(final.trials, 'interleaved trial')} of each, ${formatDuration(final.trialNs)} long: each side's medians, and the winner's over the default's with bootstrap intervals.`)}</p>
${table(['', 'trials', 'ops/s median [min – max]', 'p50', 'p99', 'CPU/op'], rows, 'final')}
<p class="note">${e(`Exact Mann-Whitney U: ${tests}. ${NOT_SIGNIFICANT}: not significant. For p99 and CPU per op below 1 is better.`)}</p>
</section>`
}

function skippedSection(document: AdviceDocument): string {
  return `<section id="skipped">
<h2>Left out before the search</h2>
${
  document.skipped.length
    ? table(
        ['choice', 'why'],
        document.skipped.map((choice) => [knobName(choice.knobs), choice.reason]),
        'skipped',
      )
    : '<p class="note">Nothing: every choice was in the space.</p>'
}
</section>`
}

function spaceSection(document: AdviceDocument): string {
  const {configurations, raced, trials, crossProductTrials} = document.space
  const share = crossProductTrials > 0 ? ` (${Number(((100 * trials) / crossProductTrials).toPrecision(2))}%)` : ''
  return `<section id="space">
<h2>The space searched</h2>
${table(
  ['', ''],
  [
    ['configurations in the space', `${configurations}: the full cross product of the choices`],
    ['left out before the search', `${plural(document.skipped.length, 'choice')}, listed above`],
    ['raced', `${plural(raced, 'configuration')}`],
    [
      'trials run',
      `${trials}, the final check's included, of the ${crossProductTrials} that trying the whole cross product would take${share}`,
    ],
  ],
  'space',
)}
</section>`
}
