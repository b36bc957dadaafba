import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {describe, test} from 'node:test'

import {Parser} from 'commonmark'
import {XMLParser} from 'fast-xml-parser'

import type {ComparedConfiguration, SystemResult} from '../../src/model/result.ts'
import type {ResultDocument} from '../../src/model/result.ts'
import {LOOP_COUNTERS} from '../../src/report/counters.ts'
import {percentileDistribution} from '../../src/report/hgrm.ts'
import {decodeHistogram, newHistogram, summarize} from '../../src/report/histogram.ts'
import {renderJunit, renderResultJunit} from '../../src/report/junit.ts'
import {markdownTable, renderMarkdown} from '../../src/report/markdown.ts'
import {mergeResults} from '../../src/report/merge.ts'
import {SYSTEM_STYLE} from '../../src/report/chart.ts'
import {comparisonFigures} from '../../src/report/comparison.ts'
import {percentilePlot, tradeoffPlot} from '../../src/report/plot.ts'
import {renderPrometheus} from '../../src/report/prometheus.ts'
import {timelineOf, workloadFromTrials} from '../../src/report/result.ts'
import {assertValidJunit} from '../helpers/junit.ts'
import {assertMatchesSchema} from '../helpers/schema.ts'

/** A deterministic stream of latencies: mostly around `base`, with a long tail. */
function latencies(seed: number, count: number, base: number): number[] {
  let state = seed
  const random = (): number => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state / 2 ** 31
  }
  return Array.from({length: count}, () => Math.round(base * (1 + random()) * (random() < 0.01 ? 50 * random() + 1 : 1)))
}

function system(name: 'loop' | 'raw', values: number[], counters: Partial<Record<string, number>> = {}): SystemResult {
  const histogram = newHistogram()
  for (const value of values) histogram.recordValue(value)
  const ops = values.length
  return {
    system: name,
    error: null,
    ops,
    elapsedNs: ops * 1000,
    opsPerSec: 1e6,
    bytes: 0,
    bytesPerSec: 0,
    outcomes: {expected: ops, timedOut: 0, abandoned: 0, corrupt: 0, unexpected: {}},
    latency: summarize(histogram, {min: Math.min(...values), max: Math.max(...values)}),
    cpu: {userNs: ops * 100, systemNs: ops * 300, nsPerOp: 400, userNsPerOp: 100, systemNsPerOp: 300, ops},
    counters: Object.fromEntries(LOOP_COUNTERS.map((info) => [info.name, counters[info.name] ?? 1])),
    ring: {sqEntries: 128, cqEntries: 256, setupFlags: 0, setupFlagNames: 'none', features: 1},
  }
}

function result(systems: SystemResult[], createdAt = '2026-01-01T00:00:00.000Z'): ResultDocument {
  return {
    schemaVersion: 1,
    kind: 'iouring-bench/result',
    tool: {name: 'iouring-bench', version: '0.0.0'},
    createdAt,
    host: {hostname: 'a', arch: 'x64', cpus: 2, cpuModel: 'cpu', memoryBytes: 1, node: 'v20'},
    kernel: {release: '6.1.0', version: '#1'},
    interrupted: false,
    workloads: [
      workloadFromTrials(
        {
          name: 'nop',
          op: 'nop',
          timerNs: 0,
          loop: {ringSize: 128, ioPoll: false, singleIssuer: false},
          drive: {submitters: 1, depth: 1, durationNs: 0, ops: 10, warmupNs: 0},
          vs: ['raw'],
        },
        [{systems}],
        {interrupted: false},
      ),
    ],
  }
}

describe('merging results', () => {
  const [a1, a2, b1, b2] = [latencies(1, 5000, 5000), latencies(2, 3000, 20000), latencies(3, 5000, 1000), latencies(4, 3000, 800)]
  const first = result([system('loop', a1, {stallNsMax: 70, sqesSubmitted: 5}), system('raw', b1)])
  const second = result([system('loop', a2, {stallNsMax: 30, sqesSubmitted: 7}), system('raw', b2)], '2026-01-02T00:00:00.000Z')
  const merged = mergeResults(
    [
      {file: 'one.json', document: first},
      {file: 'two.json', document: second},
    ],
    '9.9.9',
  )

  test('the percentiles are those of every op of both runs, not an average', () => {
    assertMatchesSchema('result', merged)
    const union = newHistogram()
    for (const value of [...a1, ...a2]) union.recordValue(value)
    const loop = merged.workloads[0].systems[0]
    assert.equal(loop.latency.count, 8000)
    assert.equal(decodeHistogram(loop.latency.histogram).totalCount, 8000)
    for (const [key, percentile] of [
      ['p50', 50],
      ['p90', 90],
      ['p99', 99],
      ['p999', 99.9],
      ['p9999', 99.99],
    ] as const) {
      assert.equal(loop.latency[key], union.getValueAtPercentile(percentile), key)
    }
    assert.equal(loop.latency.min, Math.min(...a1, ...a2))
    assert.equal(loop.latency.max, Math.max(...a1, ...a2))
    // An average of the two p99s would be far from the p99 of all ops: the runs differ 4x.
    const averaged = (first.workloads[0].systems[0].latency.p99 + second.workloads[0].systems[0].latency.p99) / 2
    assert.notEqual(loop.latency.p99, averaged)
  })

  test('totals add, maxima and gauges take the largest, trials are kept', () => {
    const loop = merged.workloads[0].systems[0]
    assert.equal(loop.ops, 8000)
    assert.equal(loop.counters.sqesSubmitted, 12)
    assert.equal(loop.counters.stallNsMax, 70)
    assert.equal(loop.counters.pendingOperations, 1)
    assert.equal(loop.elapsedNs, 8000 * 1000)
    assert.equal(loop.opsPerSec, 1e6)
    assert.deepEqual(loop.cpu, {userNs: 800_000, systemNs: 2_400_000, nsPerOp: 400, userNsPerOp: 100, systemNsPerOp: 300, ops: 8000})
    assert.equal(merged.workloads[0].trials.length, 2, 'every trial of every run is kept')
  })

  test('op-timeout lateness adds like latency; a run without timeouts adds nothing', () => {
    const lateness = (values: number[]): NonNullable<SystemResult['opTimeouts']> => {
      const histogram = newHistogram()
      for (const value of values) histogram.recordValue(value)
      return {lateness: summarize(histogram, {min: Math.min(...values), max: Math.max(...values)}), early: 1}
    }
    const timed = (values: number[], late: number[]): SystemResult => ({...system('loop', values), opTimeouts: lateness(late)})
    const [l1, l2] = [latencies(5, 400, 50_000), latencies(6, 100, 900_000)]
    const runs = [result([timed(a1, l1)]), result([timed(a2, l2)]), result([system('loop', b1)])]
    const [loop] = mergeResults(
      runs.map((document, i) => ({file: `${i}.json`, document})),
      '9.9.9',
    ).workloads[0].systems
    assertMatchesSchema('result', {...first, workloads: [{...first.workloads[0], systems: [loop], trials: [], spread: [], ratios: []}]})
    assert.equal(loop.opTimeouts?.lateness.count, 500)
    assert.equal(loop.opTimeouts?.early, 2)
    assert.equal(loop.opTimeouts?.lateness.max, Math.max(...l1, ...l2))
    const union = newHistogram()
    for (const value of [...l1, ...l2]) union.recordValue(value)
    assert.equal(loop.opTimeouts?.lateness.p99, union.getValueAtPercentile(99))
  })

  test('ratios come from the merged figures; the sources are listed', () => {
    const [loop, raw] = merged.workloads[0].systems
    const of = (pick: (system: SystemResult) => number): number => pick(loop) / pick(raw)
    assert.deepEqual(merged.workloads[0].ratios, [
      {
        baseline: 'raw',
        opsPerSec: 1,
        p50: of((s) => s.latency.p50),
        p99: of((s) => s.latency.p99),
        p90: of((s) => s.latency.p90),
        p999: of((s) => s.latency.p999),
        bytesPerSec: null,
        cpuPerOp: 1,
      },
    ])
    assert.deepEqual(
      merged.sources!.map((source) => [source.file, source.createdAt]),
      [
        ['one.json', first.createdAt],
        ['two.json', second.createdAt],
      ],
    )
    assert.equal(merged.tool.version, '9.9.9')
  })
})

test('a baseline skipped in every trial is listed once, with the first reason; one that ran in any trial is a system', () => {
  const spec = result([]).workloads[0].spec
  const loop = system('loop', latencies(9, 200, 1000))
  const skippedTwice = workloadFromTrials(
    spec,
    [
      {systems: [loop], skipped: [{system: 'raw', reason: 'first'}]},
      {systems: [loop], skipped: [{system: 'raw', reason: 'second'}]},
    ],
    {interrupted: false},
  )
  assert.deepEqual(skippedTwice.skipped, [{system: 'raw', reason: 'first'}])
  assert.deepEqual(
    skippedTwice.systems.map((s) => s.system),
    ['loop'],
  )
  const ranOnce = workloadFromTrials(
    spec,
    [{systems: [loop], skipped: [{system: 'raw', reason: 'first'}]}, {systems: [loop, system('raw', latencies(10, 200, 900))]}],
    {interrupted: false},
  )
  assert.equal(ranOnce.skipped, undefined)
  assert.deepEqual(
    ranOnce.systems.map((s) => [s.system, s.ops]),
    [
      ['loop', 400],
      ['raw', 200],
    ],
  )
  assert.deepEqual(
    ranOnce.spread.map((s) => s.system),
    ['loop', 'raw'],
  )
})

test("a timeline keeps at most 100 windows, merged whole, none across the warm-up's end, the ops all counted", () => {
  // 3 warm-up windows, then 347 measured ones of 10 ops each.
  const ends = Array.from({length: 350}, (_, i) => ({
    elapsedNs: (i + 1) * 1e8,
    measuring: i >= 3,
    opsEnded: (i + 1) * 10,
    bytesEnded: (i + 1) * 40,
  }))
  const timeline = timelineOf(ends)
  assert.ok(timeline.length <= 100, String(timeline.length))
  assert.deepEqual(
    timeline.filter((window) => window.warmup).map((window) => window.ops),
    [30],
  )
  assert.equal(
    timeline.reduce((sum, window) => sum + window.ops, 0),
    3500,
  )
  assert.equal(timeline.at(-1)!.endNs, 350e8)
  assert.deepEqual(
    timelineOf(ends.slice(0, 5)).map((window) => window.ops),
    [10, 10, 10, 10, 10],
  )
})

test('.hgrm: the row at 99% is the p99 of the summary, whatever the distribution', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const values = latencies(seed, 100 + seed * 997, 1000 * seed)
    const document = result([system('loop', values)])
    const [series] = [{workload: document.workloads[0], system: document.workloads[0].systems[0]}]
    const row = percentileDistribution(document, series)
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number))
      .find(([, percentile]) => percentile === 0.99)
    assert.ok(row, `seed ${seed}: no row at 0.99`)
    assert.equal(row[0], series.system.latency.p99, `seed ${seed}`)
  }
})

test('the percentile plot: one path per series, the HdrHistogram percentile ticks, latency ticks covering the data', () => {
  const fast = system('loop', latencies(5, 10000, 2000))
  const slow = system('raw', latencies(6, 10000, 3_000_000))
  const svg = percentilePlot('a<b', 'latency', [
    {name: 'loop', style: SYSTEM_STYLE.loop, data: {'data-system': 'loop'}, histogram: fast.latency.histogram},
    {name: 'raw', style: SYSTEM_STYLE.raw, data: {'data-system': 'raw'}, histogram: slow.latency.histogram},
  ])
  assert.equal(svg.match(/<path class="series"/g)?.length, 2)
  assert.ok(svg.includes('data-workload="a&lt;b"'))
  for (const tick of ['0%', '90%', '99%', '99.9%', '99.99%', '99.999%']) assert.ok(svg.includes(`>${tick}</text>`), tick)
  assert.ok(svg.includes('>1 µs</text>') && svg.includes('>1 s</text>'), 'decades from 1 µs to 1 s')
})

test('a comparison: the reference 1, a ratio with its interval, ~ where not significant, a skipped row with its reason', () => {
  const spread = (median: number) => ({median, min: median * 0.9, max: median * 1.1})
  const figures = (opsPerSec: number, ioThreadsNsPerOp: number | null = null) => ({
    opsPerSec: spread(opsPerSec),
    p50: spread(8000),
    p99: spread(30000),
    cpuNsPerOp: 300,
    ioThreadsNsPerOp,
    entersPerOp: 0.03,
    wakesPerOp: 0,
    vsRaw: null,
  })
  const configurations: ComparedConfiguration[] = [
    {name: 'sqpoll=off', knobs: {sqpoll: 'off'}, figures: figures(1e6)},
    {
      name: 'sqpoll=on',
      knobs: {sqpoll: 'on'},
      figures: figures(1.5e6, 120),
      versusReference: {opsPerSec: 1.5, interval: [1.4, 1.6], pValue: 0.008, adjustedPValue: 0.016, significant: true},
    },
    {
      name: 'ring-fd=on',
      knobs: {'ring-fd': 'on'},
      figures: figures(1.02e6),
      versusReference: {opsPerSec: 1.02, interval: [0.95, 1.1], pValue: 0.4, adjustedPValue: 0.4, significant: false},
    },
    {name: 'defer-taskrun=on', knobs: {'defer-taskrun': 'on'}, skipped: '--defer-taskrun needs IORING_SETUP_DEFER_TASKRUN (Linux 6.1)'},
  ]
  const {head, rows, notes} = comparisonFigures({reference: 'sqpoll=off', trials: 5, alpha: 0.05, confidence: 0.95, configurations})
  assert.deepEqual(head, [
    'configuration',
    'ops/s',
    '× 1 [95% CI]',
    'p50',
    'p99',
    'CPU/op',
    'of it io_uring threads',
    'enters/op',
    'wakes/op',
  ])
  assert.deepEqual(
    rows.map((row) => ('skipped' in row ? [row.name, row.skipped] : [row.name, row.cells[1], row.cells[5]])),
    [
      ['1 sqpoll=off', '1', '–'],
      ['2 sqpoll=on', '1.50× [1.40–1.60]', '120 ns'],
      ['3 ring-fd=on', '1.02× [0.95–1.10] ~', '–'],
      ['4 defer-taskrun=on', 'skipped: --defer-taskrun needs IORING_SETUP_DEFER_TASKRUN (Linux 6.1)'],
    ],
  )
  assert.ok(
    notes.some((note) =>
      note.includes(
        "~: not significant (exact Mann-Whitney U on the trials, its p adjusted by Holm over the 2 rows compared (the raw rings' apart), ≥ 0.05)",
      ),
    ),
  )
  assert.ok(!notes.some((note) => note.includes('no difference can be significant')), '5 trials can be, among 2 rows')
  // Among 7 rows, 5 trials cannot pass Holm's first threshold (2/252 > 0.05 / 7): no ~, and a note.
  const manyRows = {
    reference: 'sqpoll=off',
    trials: 5,
    alpha: 0.05,
    confidence: 0.95,
    configurations: [configurations[0], ...Array.from({length: 7}, (_, i) => ({...configurations[2], name: `row ${i}`}))],
  }
  const many = comparisonFigures(manyRows)
  assert.ok(many.rows.every((row) => 'cells' in row && !row.cells[1].includes('~')))
  // A result made before the adjustment tested each row alone: it is read so, ~ and all.
  const unadjusted = comparisonFigures({
    ...manyRows,
    configurations: manyRows.configurations.map(({versusReference, ...row}) =>
      versusReference ? {...row, versusReference: {...versusReference, adjustedPValue: undefined}} : row,
    ),
  })
  assert.ok(unadjusted.rows.slice(1).every((row) => 'cells' in row && row.cells[1].endsWith('~')))
  assert.ok(unadjusted.notes.some((note) => note.includes('~: not significant (exact Mann-Whitney U on the trials, p ≥ 0.05)')))
  // A row whose later trial failed is marked, and a note says why.
  const failed = comparisonFigures({
    reference: 'sqpoll=off',
    trials: 5,
    alpha: 0.05,
    confidence: 0.95,
    configurations: [configurations[0], {...configurations[2], failed: 'trial 3 failed: the loop stopped'}],
  })
  assert.equal(failed.rows[1].name, '2 ring-fd=on (failed)')
  assert.ok(failed.notes.includes('2 ring-fd=on: trial 3 failed: the loop stopped; its figures are of the trials before.'))
  assert.ok(
    many.notes.includes('With 5 trials per configuration and 7 rows compared no difference can be significant: use --trials 6 or more.'),
  )
  const svg = tradeoffPlot(
    configurations.slice(0, 3).map((row, i) => ({
      label: String(i + 1),
      name: row.name,
      style: SYSTEM_STYLE.loop,
      cpuNsPerOp: row.figures!.cpuNsPerOp,
      opsPerSec: row.figures!.opsPerSec,
    })),
  )
  assert.equal(svg.match(/<circle/g)?.length, 3)
  assert.ok(svg.includes('data-configuration="ring-fd=on"'))
})

const parseXml = (xml: string): any => new XMLParser({ignoreAttributes: false, attributeNamePrefix: ''}).parse(xml)

test("JUnit: suites in order, failures and skips counted, text escaped, valid against Jenkins' junit-10.xsd", () => {
  const xml = renderJunit('gate <ci>', [
    {suite: 'nop', name: 'loop', status: 'passed', seconds: 1.5},
    {suite: 'nop', name: 'p99 "latency"', status: 'failed', message: 'p99 +30% > 10% & noise', detail: 'a < b'},
    {suite: 'timer', name: 'raw', status: 'skipped', message: 'not run'},
  ])
  assertValidJunit(xml)
  const {testsuites} = parseXml(xml)
  assert.equal(testsuites.name, 'gate <ci>')
  assert.deepEqual(
    [testsuites.tests, testsuites.failures, testsuites.skipped],
    ['3', '1', undefined],
    'junit-10.xsd has no skipped on <testsuites>',
  )
  assert.deepEqual(
    testsuites.testsuite.map((suite: {name: string; skipped: string}) => [suite.name, suite.skipped]),
    [
      ['nop', '0'],
      ['timer', '1'],
    ],
  )
  const failed = testsuites.testsuite[0].testcase[1]
  assert.equal(failed.name, 'p99 "latency"')
  assert.deepEqual(failed.failure, {message: 'p99 +30% > 10% & noise', '#text': 'a < b'})
  assert.equal(testsuites.testsuite[1].testcase.skipped.message, 'not run')
})

test('JUnit: markup characters and characters XML 1.0 forbids in names and messages still give a valid file', () => {
  const hostile = `a<&"'>\u0007b\u0000c\uFFFFd\uD800e\u001B`
  const xml = renderJunit(`host ${hostile}`, [
    {suite: hostile, name: hostile, status: 'failed', message: hostile, detail: hostile},
    {suite: hostile, name: 'skipped', status: 'skipped', message: hostile},
  ])
  assertValidJunit(xml)
  const {testsuites} = parseXml(xml)
  // Each forbidden character is U+FFFD; the markup characters arrive as they were.
  const shown = `a<&"'>\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFD`
  assert.equal(testsuites.name, `host ${shown}`)
  assert.equal(testsuites.testsuite.name, shown)
  assert.deepEqual(testsuites.testsuite.testcase[0].failure, {message: shown, '#text': shown})
  assert.equal(testsuites.testsuite.testcase[1].skipped.message, shown)
})

test('Prometheus: names and label values are escaped, every counter has its HELP and TYPE, and promtool accepts it', () => {
  const document = result([system('loop', latencies(5, 1000, 5000), {stallNsMax: 2_500_000_000})])
  document.workloads[0].name = 'quoted " back\\slash\nnew line'
  const exposition = renderPrometheus(document)

  const check = spawnSync('promtool', ['check', 'metrics'], {input: exposition, encoding: 'utf8'})
  assert.ok(!check.error, "promtool is not installed: install Debian's 'prometheus' package (scripts/setup.sh does)")
  assert.equal(check.status, 0, `${check.stdout}${check.stderr}`)
  assert.ok(exposition.includes('{workload="quoted \\" back\\\\slash\\nnew line",system="loop"}'))
  for (const counter of LOOP_COUNTERS) {
    const name = `iouring_bench_loop_${counter.metric}`
    assert.ok(exposition.includes(`# HELP ${name} ${counter.metricHelp}\n# TYPE ${name} ${counter.metricType}\n`), name)
  }
  assert.match(exposition, /^iouring_bench_loop_stall_max_seconds\{[^}]*\} 2\.5$/m)
  assert.ok(exposition.endsWith('\n') && !exposition.endsWith('\n\n'))
})

test('JUnit of a result: a workload, host and kernel named with markup and control characters still give a valid file', () => {
  const hostile = `a<&"'>\u0007b\u001B`
  const document = result([system('loop', latencies(3, 100, 1000)), system('raw', latencies(4, 100, 900))])
  document.host = {...document.host, hostname: hostile}
  document.kernel = {release: hostile, version: hostile}
  document.workloads[0].name = `nop ${hostile}`
  const xml = renderResultJunit(document)
  assertValidJunit(xml)
  const {testsuites} = parseXml(xml)
  const shown = `a<&"'>\uFFFDb\uFFFD`
  assert.equal(testsuites.name, `iouring-bench on ${shown}, kernel ${shown}`)
  assert.equal(testsuites.testsuite.name, `nop ${shown}`)
  assert.deepEqual(
    testsuites.testsuite.testcase.map((testcase: {classname: string}) => testcase.classname),
    [`nop ${shown}`, `nop ${shown}`],
  )
})

describe('Markdown: text from outside shows as text, never as markup', () => {
  /** A result whose every outside string is `text`: host, kernel, CPU, workload, file, a skipped baseline's reason. */
  function withText(text: string): ResultDocument {
    const document = result([system('loop', latencies(7, 500, 1000)), system('raw', latencies(8, 500, 900))])
    document.host = {...document.host, hostname: `host ${text}`, cpuModel: `cpu ${text}`}
    document.kernel = {release: `6.1 ${text}`, version: `#1 ${text}`}
    const [workload] = document.workloads
    workload.name = `nop ${text}`
    workload.file = {
      path: `/tmp/${text}.dat`,
      createdByTool: false,
      removed: false,
      filesystem: `ext4 ${text}`,
      sizeBytes: 4096,
      residentShare: 1,
      pageCache: 'hot',
    }
    workload.skipped = [{system: 'fio', reason: `fio failed: ${text}`}]
    workload.systems[1].error = {call: 'io_uring_enter', errno: 5, code: 'EIO', detail: '', message: 'EIO', explanation: `stopped: ${text}`}
    return document
  }

  /** The CommonMark tree as its node types in document order (text nodes aside), and all its text. */
  function rendered(markdown: string): {elements: string[]; text: string} {
    const walker = new Parser().parse(markdown).walker()
    const elements: string[] = []
    let text = ''
    for (let step = walker.next(); step; step = walker.next()) {
      if (!step.entering) continue
      const {type, literal} = step.node
      if (type === 'text') text += literal
      else elements.push(type === 'html_block' || type === 'html_inline' ? `${type} ${literal?.trim()}` : type)
    }
    return {elements, text}
  }

  const HOSTILE = [
    '<img src=x onerror=alert(1)>',
    '<script>alert(1)</script>',
    '[click](javascript:alert(1))',
    '![x](https://example.invalid/x.png)',
    '**bold** _em_ `code` ~~gone~~',
    '&lt;b&gt; \\<b> |pipe| #',
    'line\n# heading\n- item\n<div>block</div>',
  ]
  for (const text of HOSTILE) {
    test(JSON.stringify(text), () => {
      const plain = rendered(renderMarkdown(withText('plain')))
      const hostile = rendered(renderMarkdown(withText(text)))
      // Exactly the elements the same report has with harmless text: none came from the text.
      assert.deepEqual(hostile.elements, plain.elements)
      assert.ok(!plain.elements.some((element) => /^(link|image|code|emph)$/.test(element)), plain.elements.join(', '))
      // And the text reads as given (a line break as a space).
      const flat = text.replace(/\n/g, ' ')
      for (const where of [`host ${flat}`, `/tmp/${flat}.dat`, `fio failed: ${flat}`, `stopped: ${flat}`, `nop ${flat}: nop`]) {
        assert.ok(hostile.text.includes(where), `${where} in ${hostile.text}`)
      }
    })
  }
})

test('Markdown tables escape what would break a cell', () => {
  assert.equal(markdownTable(['a', 'b'], [['x|y', 'line\nbreak']], ['left', 'right']), '| a | b |\n| --- | ---: |\n| x\\|y | line break |')
})
