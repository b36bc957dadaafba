// The advice document's schema and its HTML page: the fixture (a nop workload at depth 32, six
// candidates raced, one of them failed before it measured anything) matches schemas/advice.schema.json,
// and the page shows every section, one dot per measured candidate with the winner and the
// default marked, the Pareto front under them, and text from the document escaped.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {test} from 'node:test'

import {renderAdviceHtml} from '../../src/advise/html.ts'
import {configurationStyle} from '../../src/report/chart.ts'
import {tradeoffPlot} from '../../src/report/plot.ts'
import {schemaViolation} from '../../src/report/schema.ts'
import {assertMatchesSchema} from '../helpers/schema.ts'

const FIXTURE = new URL('../fixtures/advice/advice.json', import.meta.url)

/** A fresh copy of the fixture, to change. */
const fixture = (): any => JSON.parse(readFileSync(FIXTURE, 'utf8'))

const measured = (document: any): any[] => document.candidates.filter((candidate: any) => candidate.opsPerSec && candidate.cpuNsPerOp)

/** Text as the page writes it. */
const escaped = (text: string): string =>
  text.replace(/[&<>"']/g, (char) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[char]!)

/** The markup of the element with this id, up to its closing tag. */
function section(html: string, id: string): string {
  const match = new RegExp(`<section id="${id}">[\\s\\S]*?</section>`).exec(html)
  assert.ok(match, `no section #${id}`)
  return match[0]
}

test('the advice fixture matches schemas/advice.schema.json, and the schema refuses what the document cannot hold', () => {
  const document = fixture()
  assertMatchesSchema('advice', document)
  // What the fixture is meant to exercise.
  assert.equal(document.workload.op, 'nop')
  assert.equal(document.workload.drive.depth, 32)
  assert.equal(document.candidates.length, 6)
  assert.deepEqual(
    document.candidates.map((candidate: any) => candidate.outcome),
    ['winner', 'finalist', 'dropped', 'dropped', 'dropped', 'failed'],
  )
  assert.ok(document.skipped.length > 0 && document.final && document.notes.length > 0)

  const broken = (change: (document: any) => void): string | undefined => {
    const copy = fixture()
    change(copy)
    return schemaViolation('advice', copy)
  }
  assert.equal(
    broken((d) => delete d.candidates[2].reason),
    "/candidates/2: the field 'reason' is missing",
  )
  assert.equal(
    broken((d) => (d.candidates[0].score = 1)),
    "/candidates/0: unknown field 'score'",
  )
  assert.equal(
    broken((d) => (d.workload.loop.sqpol = true)),
    "/workload/loop: unknown field 'sqpol'",
  )
  assert.equal(
    broken((d) => (d.kind = 'iouring-bench/result')),
    '/kind: must be "iouring-bench/advice"',
  )
  assert.equal(
    broken((d) => (d.objective = 'latency')),
    '/objective: must be one of "throughput", "p99", "cpu", "balanced"',
  )
  assert.match(broken((d) => delete d.final.opsPerSec.significant) ?? '', /^\/final\/opsPerSec: the field 'significant' is missing$/)
  assert.match(broken((d) => (d.recommended.wait = 1)) ?? '', /^\/recommended\/wait: /)
  // Each ratio of the final check is a compared ratio, with its interval and test.
  assert.equal(
    broken((d) => (d.final.p99 = 0.81)),
    '/final/p99: must be object',
  )
  // Optional: a balanced search's bounds, a candidate's figures, the final check.
  assert.equal(
    broken((d) => {
      d.objective = 'balanced'
      d.bounds = {p99Ns: 50_000, cpuNsPerOp: 700, source: 'default'}
      d.candidates[0].withinBounds = false
      delete d.final
    }),
    undefined,
  )
})

test('the page: title, recommendation, the chart, the ranked table, the final check, notes, skipped choices and the space', () => {
  const document = fixture()
  const html = renderAdviceHtml(document)
  assert.match(html, /^<!doctype html>/)
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/)
  assert.match(html, /<title>iouring-bench advice · nop · kernel 6\.1\.0-28-amd64<\/title>/)
  for (const id of ['recommendation', 'tradeoff', 'candidates', 'final', 'notes', 'skipped', 'space', 'kernel']) section(html, id)
  assert.ok(html.indexOf('id="recommendation"') < html.indexOf('id="tradeoff"'), 'the recommendation comes first')
  // The flags it quotes as code, each flag kept whole.
  assert.ok(
    section(html, 'recommendation').includes(
      '<p class="recommendation"><code><span class="knob">--op nop</span> <span class="knob">--depth 32</span> <span class="knob">--wait spin=50us</span></code>: 1.26× the default&#39;s ops/s [1.24–1.35], p99 0.81×, +30 % CPU per op.</p>',
    ),
  )
  assert.doesNotMatch(html, /id="partial"|badge worse/)

  // One row per candidate, ranked as in the document, the winner's and the default's marked.
  const candidates = section(html, 'candidates')
  const rows = [...candidates.matchAll(/<tr( class="([^"]*)")? data-rank="(\d+)" data-outcome="(\w+)">/g)]
  assert.deepEqual(
    rows.map((row) => [Number(row[3]), row[4], row[2] ?? '']),
    [
      [1, 'winner', 'winner'],
      [2, 'finalist', ''],
      [3, 'dropped', ''],
      [4, 'dropped', 'default'],
      [5, 'dropped', ''],
      [6, 'failed', ''],
    ],
  )
  assert.match(candidates, /<td title="p 0\.004, adjusted 0\.016">1\.29× \[1\.21–1\.38\]<\/td>/)
  // Not significant: marked ~, as the comparison marks it.
  assert.match(candidates, /<td title="[^"]*: not significant">1\.11× \[0\.97–1\.21\] ~<\/td>/)
  assert.match(candidates, /<td title="2\.36 M \[[^"]+\]">2\.36 M<\/td>/)
  for (const candidate of document.candidates.filter((c: any) => c.reason))
    assert.ok(candidates.includes(escaped(candidate.reason)), candidate.reason)
  // Each configuration by its knobs, the exact flags under it, and what it needs of the kernel.
  assert.ok(
    candidates.includes(
      '<td class="configuration"><span class="knob">defer-taskrun=on</span><code class="flags"><span class="knob">--op nop</span> <span class="knob">--depth 32</span> <span class="knob">--defer-taskrun</span></code><span class="needs">needs --defer-taskrun (Linux 6.1)</span></td>',
    ),
  )
  assert.match(candidates, /<td class="configuration">the default<code class="flags">/)
  assert.match(candidates, /<td class="outcome winner">winner · Pareto front<\/td>/)
  assert.match(candidates, /<td class="outcome failed">failed<span class="reason">io_uring_enter: EOPNOTSUPP/)

  const final = section(html, 'final')
  assert.match(final, /8 interleaved trials of each, 600 ms long/)
  assert.match(
    final,
    /<tr><td>default<\/td><td>8<\/td><td>1\.87 M \[1\.8 M – 1\.89 M\]<\/td><td>16\.8 µs<\/td><td>44\.3 µs<\/td><td>650 ns<\/td><\/tr>/,
  )
  assert.match(final, /<tr><td>winner<\/td><td>8<\/td><td>2\.36 M \[/)
  assert.match(
    final,
    /<tr><td>winner ÷ default<\/td><td><\/td><td>1\.26× \[1\.24–1\.35\]<\/td><td>–<\/td><td>0\.81× \[0\.74–0\.88\]<\/td><td>1\.30× \[1\.25–1\.34\]<\/td><\/tr>/,
  )
  assert.match(final, /ops\/s p 1\.5e-4; p99 p 1\.5e-4; CPU\/op p 1\.5e-4/)
  for (const note of document.notes) assert.ok(section(html, 'notes').includes(`<li>${escaped(note)}</li>`), note)
  const skipped = section(html, 'skipped')
  assert.ok(skipped.includes('<td>wake=busy-poll</td>') && skipped.includes('<td>wake=futex-op</td>'))
  for (const choice of document.skipped) assert.ok(skipped.includes(`<td>${escaped(choice.reason)}</td>`), choice.reason)
  const space = section(html, 'space')
  assert.match(space, /<td>1152: the full cross product of the choices<\/td>/)
  assert.match(space, /<td>6 configurations<\/td>/)
  assert.match(space, /<td>45, the final check&#39;s included, of the 5760 that trying the whole cross product would take \(0\.78%\)<\/td>/)
})

test('the chart: a dot per measured candidate numbered by rank, the winner and the default marked, the Pareto front under the dots', () => {
  const document = fixture()
  const chart = section(renderAdviceHtml(document), 'tradeoff')
  const dots = [
    ...chart.matchAll(
      /<g class="configuration( highlight)?( reference)?" data-configuration="([^"]*)" data-rank="(\d+)" data-outcome="(\w+)">/g,
    ),
  ]
  const expected = document.candidates.flatMap((candidate: any, i: number) =>
    candidate.opsPerSec && candidate.cpuNsPerOp ? [{rank: i + 1, outcome: candidate.outcome}] : [],
  )
  // The failed candidate measured nothing: no dot.
  assert.equal(expected.length, measured(document).length)
  assert.equal(expected.length, 5)
  assert.deepEqual(
    dots.map((dot) => ({rank: Number(dot[4]), outcome: dot[5]})),
    expected,
  )
  assert.deepEqual(
    dots.filter((dot) => dot[1]).map((dot) => dot[4]),
    ['1'],
    'the winner alone is highlighted',
  )
  assert.deepEqual(
    dots.filter((dot) => dot[2]).map((dot) => [dot[3], dot[4]]),
    [['the default', '4']],
    'the default alone is ringed',
  )
  assert.equal(chart.match(/<circle class="reference-ring"/g)?.length, 1)
  // Keeping the default: its dot is both.
  const kept = fixture()
  kept.candidates[0].outcome = 'finalist'
  kept.candidates[3].outcome = 'winner'
  assert.equal(
    section(renderAdviceHtml(kept), 'tradeoff')
      .match(/<g class="configuration[^"]*"/g)
      ?.filter((g) => g.includes('highlight'))
      .join(),
    '<g class="configuration highlight reference"',
  )
  // Each dot labelled with its rank.
  assert.deepEqual(
    [...chart.matchAll(/<text [^>]*paint-order="stroke">(\d+)<\/text><\/g>/g)].map((label) => Number(label[1])),
    expected.map((entry: any) => entry.rank),
  )

  // The front: one step line, drawn before (under) every dot, through the three candidates on it.
  const paths = [...chart.matchAll(/<path class="pareto-front" d="([^"]+)"/g)]
  assert.equal(paths.length, 1)
  assert.ok(chart.indexOf('class="pareto-front"') < chart.indexOf('<g class="configuration'))
  const d = paths[0][1]
  assert.match(d, /^M[\d.]+ [\d.]+(H[\d.]+V[\d.]+)+$/)
  const onFront = measured(document).filter((candidate: any) => candidate.pareto).length
  assert.equal(onFront, 4)
  assert.equal(d.match(/H/g)?.length, onFront - 1)
  // Step by step it costs more CPU and buys more ops/s: right, then up (y shrinks).
  const numbers = d.slice(1).split(/[ HV]/).map(Number)
  for (let i = 2; i < numbers.length; i += 2) {
    assert.ok(numbers[i] > numbers[i - 2], `x grows: ${d}`)
    assert.ok(numbers[i + 1] < numbers[i - 1], `y rises: ${d}`)
  }
  assert.match(chart, /<ul class="legend">.*<li>.*winner<\/li>.*<li>.*the default \(ringed\)<\/li>.*<li>.*Pareto front<\/li><\/ul>/)
})

test('every text from the document is escaped', () => {
  const attack = '<script>alert("x")</script>'
  const document = fixture()
  document.workload.name = attack
  document.flags = `--op nop ${attack}`
  // Quoted flags become code; what they quote is escaped all the same.
  document.recommendation = `\`--op nop ${attack}\`: ${attack}`
  document.notes.push(attack)
  document.candidates[2].reason = attack
  document.candidates[1].knobs = {'submit-batch': attack}
  document.candidates[1].flags = attack
  document.candidates[0].needs = [attack]
  document.skipped[0].reason = attack
  document.skipped[1].knobs = {[attack]: 'on'}
  document.host.hostname = attack
  document.kernel.version = attack
  assertMatchesSchema('advice', document)
  const html = renderAdviceHtml(document)
  assert.doesNotMatch(html, /<script/)
  assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'))
  // In the chart's marks too: a knob is the dot's name.
  assert.match(section(html, 'tradeoff'), /data-configuration="submit-batch=&lt;script&gt;/)
})

test('a partial document says so at the top, and that no final check ran', () => {
  const document = fixture()
  document.partial = true
  delete document.final
  document.candidates[0].outcome = 'finalist'
  assertMatchesSchema('advice', document)
  const html = renderAdviceHtml(document)
  assert.match(html, /<title>[^<]* · partial<\/title>/)
  assert.match(html, /<h1>iouring-bench advice: nop <span class="badge worse">partial<\/span><\/h1>/)
  assert.match(html, /<p class="partial-banner" id="partial">Partial: .* not checked against the default\.<\/p>/)
  assert.ok(html.indexOf('id="partial"') < html.indexOf('id="recommendation"'))
  assert.match(section(html, 'final'), /<p class="bad">Not run: the search stopped before it\.<\/p>/)
  assert.match(html, /<p class="recommendation unchecked">/)
  // No winner: nothing highlighted.
  assert.doesNotMatch(section(html, 'tradeoff'), /class="configuration highlight/)
})

test('the tradeoff plot without a front or marks draws as it did for bench --compare', () => {
  const style = configurationStyle(0)
  const svg = tradeoffPlot([
    {label: '1', name: 'wait=sleep', style, cpuNsPerOp: 800, opsPerSec: {median: 1e6, min: 9e5, max: 1.1e6}},
    {label: '2', name: 'wait=spin', style, cpuNsPerOp: 900, opsPerSec: {median: 2e6, min: 1.9e6, max: 2.1e6}},
  ])
  assert.doesNotMatch(svg, /pareto-front|reference-ring|highlight|paint-order/)
  assert.equal(svg.match(/<g class="configuration" data-configuration="[^"]+">/g)?.length, 2)
  assert.equal(svg.match(/<circle cx="[\d.]+" cy="[\d.]+" r="6" fill="#0072b2">/g)?.length, 2)
  // One point on the front is no line.
  const one = tradeoffPlot([
    {label: '1', name: 'a', style, cpuNsPerOp: 800, opsPerSec: {median: 1e6, min: 9e5, max: 1.1e6}, pareto: true},
    {label: '2', name: 'b', style, cpuNsPerOp: 900, opsPerSec: {median: 9e5, min: 8e5, max: 1e6}},
  ])
  assert.doesNotMatch(one, /pareto-front/)
})
