// The HTML report in a real browser: Debian's chromium, driven by playwright-core. The page must
// load with no console error and no request beyond its own file; every chart must be drawn, one
// of each per workload, each system in one colour everywhere; and the page must fit a phone's
// width. Screenshots at both widths are left in test-results/ to be looked at.
import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {after, before, test} from 'node:test'
import {fileURLToPath, pathToFileURL} from 'node:url'

import type {BrowserContext, Page} from 'playwright-core'

import {launchBrowser, openPage} from '../helpers/browser.ts'
import {runCli} from '../helpers/cli.ts'
import {parseResult} from '../helpers/schema.ts'

const PROBE_5_10 = fileURLToPath(new URL('../fixtures/raw-probe/debian-5.10.json', import.meta.url))
const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url))
const WIDTHS = [1280, 390]
const dir = mkdtempSync(path.join(tmpdir(), 'iob-html-'))
const file = (name: string): string => path.join(dir, name)
let browser: BrowserContext
/** The result documents, as printed with --json beside each report. */
const documents: Record<'single' | 'gate' | 'compare', any> = {single: undefined, gate: undefined, compare: undefined}

async function run(args: string[], name: 'single' | 'gate' | 'compare', env: NodeJS.ProcessEnv = {}): Promise<void> {
  const {status, stdout, stderr} = await runCli([...args, '--json', '--output', file(`${name}.html`)], {env})
  assert.ok(stdout.startsWith('{'), stderr)
  documents[name] = parseResult(stdout)
  // A self-gate of runs this short on a busy machine may find a regression: exit 1, still a report.
  assert.equal(status, documents[name].gate?.passed === false ? 1 : 0, stderr)
}

before(async () => {
  // A file workload (bytes, a test file, a baseline without windows, fio skipped: it is not on
  // the PATH) and a socket mix (kinds) beside the closed-loop timer, one trial each: what the
  // report must lay out without crowding.
  writeFileSync(
    file('quick.yaml'),
    [
      'defaults: {duration: 300ms, warmup: 50ms}',
      'workloads:',
      '  - {name: read-4k, op: file-read, fileSize: 8m, depth: 8, vs: [raw, fio, node-fs]}',
      '  - {name: socket-mix, op: mix, mix: {socket: 3, nop: 1}, vs: [raw]}',
      '  - {name: timer-100us, op: timer, timer: 100us, depth: 4, ops: 2000, vs: [raw]}',
      '',
    ].join('\n'),
  )
  // The fewest trials the gate takes, on both sides.
  writeFileSync(
    file('gate.yaml'),
    'trials: 4\ndefaults: {duration: 60ms, warmup: 20ms, vs: [raw]}\nworkloads:\n  - {name: nop, op: nop, depth: 8}\n',
  )
  await run(['run', file('quick.yaml')], 'single', {PATH: dir})
  const {status, stderr} = await runCli(['run', file('gate.yaml'), '--save-baseline', file('baseline.json')])
  assert.equal(status, 0, stderr)
  await run(['run', file('gate.yaml'), '--baseline', file('baseline.json')], 'gate')
  // Three configurations, one of which the probe of a 5.10 guest refuses: plotted, tabled, skipped.
  await run(
    [
      'bench',
      '--op',
      'nop',
      '--depth',
      '8',
      '--compare',
      'wait=sleep,adaptive',
      '--config',
      'defer-taskrun=on',
      '--trials',
      '2',
      '--duration',
      '60ms',
      '--warmup',
      '20ms',
    ],
    'compare',
    {IOURING_BENCH_PROBE_INPUT: PROBE_5_10},
  )
  browser = await launchBrowser(file('chromium-profile'))
})

after(async () => {
  await browser?.close()
})

/** The report opened at a width, with what went wrong while it loaded. */
function open(name: 'single' | 'gate' | 'compare', width: number): Promise<{page: Page; problems: string[]; requests: string[]}> {
  return openPage(browser, file(`${name}.html`), width)
}

/** The systems that measured something, in the order the charts list them. */
function measuredSystems(workload: any): string[] {
  const order = ['loop', 'raw', 'fio', 'node-fs']
  return workload.systems
    .filter((system: any) => system.ops > 0)
    .map((system: any) => system.system)
    .sort((a: string, b: string) => order.indexOf(a) - order.indexOf(b))
}

/** Per chart section, each figure's workload and the systems its marks are drawn for. */
async function marks(page: Page, section: string, selector: string): Promise<Array<{workload: string; systems: string[]}>> {
  return page.locator(`#${section} figure`).evaluateAll(
    (figures, selector) =>
      figures.map((figure) => ({
        workload: figure.getAttribute('data-workload') ?? '',
        systems: [...figure.querySelectorAll(selector)].map((mark) => mark.getAttribute('data-system') ?? ''),
      })),
    selector,
  )
}

test('the HTML report loads alone, with no console error, and draws each chart once per workload', async () => {
  const document = documents.single
  const {page, problems, requests} = await open('single', 1280)
  assert.deepEqual(problems, [])
  assert.deepEqual(requests, [pathToFileURL(file('single.html')).href], 'the report loads nothing but itself')

  const names = document.workloads.map((workload: any) => workload.name)
  const expected = document.workloads.map((workload: any) => ({workload: workload.name, systems: measuredSystems(workload)}))
  // A skipped baseline is listed apart, has no mark in any chart, only its line in the summary table.
  assert.equal(typeof document.workloads[0].skipped.find((skipped: any) => skipped.system === 'fio').reason, 'string')
  assert.equal(
    document.workloads[0].systems.some((system: any) => system.system === 'fio'),
    false,
  )
  assert.deepEqual(
    expected.map((entry: any) => entry.systems),
    [
      ['loop', 'raw', 'node-fs'],
      ['loop', 'raw'],
      ['loop', 'raw'],
    ],
  )

  // Latency: one line per system, from 0% to where its data ends (2000 ops reach 99.95%).
  assert.deepEqual(await marks(page, 'latency', 'path.series'), expected)
  const plot = page.locator('#latency svg.percentile-plot').first()
  assert.deepEqual(await plot.locator('.x-axis text:not(.axis-title)').allTextContents(), [
    '0%',
    '90%',
    '99%',
    '99.9%',
    '99.99%',
    '99.999%',
  ])
  for (const tick of await plot.locator('.y-axis text:not(.axis-title)').allTextContents()) assert.match(tick, /^\d+ (ns|µs|ms|s)$/)
  const lines = await page.locator('#latency path.series').evaluateAll((paths) =>
    paths.map((element) => ({
      points: (element.getAttribute('d') ?? '').split(/[ML]/).filter(Boolean).length,
      width: element.getBoundingClientRect().width,
    })),
  )
  for (const line of lines) assert.ok(line.points > 50 && line.width > 100, JSON.stringify(line))

  // Throughput: one bar per system, and with one trial no whisker, saying so.
  assert.deepEqual(await marks(page, 'throughput', 'g.bar'), expected)
  assert.equal(await page.locator('#throughput .whisker').count(), 0)
  for (const title of await page.locator('#throughput .x-axis .axis-title').allTextContents())
    assert.equal(title, 'ops/s, one trial: no interval')
  const bars = await page.locator('#throughput g.bar text.value').allTextContents()
  assert.equal(bars.length, 7)
  for (const value of bars) assert.match(value, /^[\d.]+( [kMG])?$/)

  // Throughput over time: the loop and the raw ring report windows; node-fs does not.
  assert.deepEqual(
    await marks(page, 'timeline', 'path.series'),
    names.map((workload: string) => ({workload, systems: ['loop', 'raw']})),
  )
  for (const workload of document.workloads) {
    for (const system of workload.trials[0].systems.filter((s: any) => s.system === 'loop' || s.system === 'raw')) {
      const {timeline} = system
      assert.ok(timeline.length >= 3, `${workload.name}/${system.system}: ${timeline.length} windows`)
      assert.ok(timeline.every((window: any, i: number) => i === 0 || window.endNs > timeline[i - 1].endNs))
      // The warm-up's windows come first, and the windows count no op the run did not end.
      assert.equal(
        timeline.findIndex((window: any) => !window.warmup),
        timeline.filter((window: any) => window.warmup).length,
      )
      const ops = timeline.reduce((sum: number, window: any) => sum + window.ops, 0)
      assert.ok(ops > 0 && ops <= system.cpu.ops, `${ops} ops in the windows, ${system.cpu.ops} in the run`)
    }
  }

  // One colour per system across every chart and legend, and no two systems alike.
  const colours = await page.locator('svg.chart [data-system]').evaluateAll((elements) =>
    elements.map((element) => {
      const mark = element.matches('g') ? element.querySelector('rect')! : element
      return [element.getAttribute('data-system'), mark.getAttribute('stroke') ?? mark.getAttribute('fill')]
    }),
  )
  const bySystem = new Map<string, Set<string>>()
  for (const [system, colour] of colours) bySystem.set(system, (bySystem.get(system) ?? new Set()).add(colour))
  assert.deepEqual([...bySystem.keys()].sort(), ['loop', 'node-fs', 'raw'])
  for (const [system, set] of bySystem) assert.equal(set.size, 1, `${system}: ${[...set].join(', ')}`)
  assert.equal(new Set([...bySystem.values()].map((set) => [...set][0])).size, 3)
  assert.deepEqual(await page.locator('#latency ul.legend li').allTextContents(), ['loop', 'raw', 'node-fs'])

  // The rest of the report: a summary table per workload, the per-kind table of the mix, the
  // loop counters, the kernel.
  assert.equal(await page.locator('table.summary').count(), 3)
  assert.deepEqual(await page.locator('table.summary').first().locator('th').allTextContents(), [
    'system',
    'ops/s',
    'throughput',
    'p50',
    'p90',
    'p99',
    'p99.9',
    'p99.99',
    'max',
    'CPU/op',
    'errors',
  ])
  assert.match(await page.locator('section.workload').first().innerText(), /^file: .* page cache: /m)
  assert.match(await page.locator('table.summary').first().innerText(), /^fio\s+skipped: /m)
  assert.equal(await page.locator('table.kinds').count(), 1)
  assert.equal(await page.locator('table.counters').count(), 3)
  assert.match(await page.locator('table.counter-summary').first().innerText(), /capacity stalls/)
  // Every counter with its meaning, one click away.
  await page.locator('details summary').first().click()
  assert.match(await page.locator('table.counters').first().innerText(), /pendingOperations\s+0\s+ops submitted to the ring/)
  assert.match(await page.locator('#kernel').innerText(), new RegExp(document.kernel.release.replace(/[.+]/g, '\\$&')))
  await page.close()
})

test('a gate report: throughput with its interval over the trials, and each verdict with the trials of both sides', async () => {
  const document = documents.gate
  const {page, problems} = await open('gate', 1280)
  assert.deepEqual(problems, [])
  const [workload] = document.workloads
  assert.equal(workload.trials.length, 4)

  // The bar is the median, the whisker runs from the slowest trial to the fastest.
  assert.deepEqual(await page.locator('#throughput .x-axis .axis-title').allTextContents(), [
    'ops/s, median of 4 trials; whisker: min – max',
  ])
  const bars = await page.locator('#throughput g.bar').evaluateAll((groups) =>
    groups.map((group) => {
      const rect = group.querySelector('rect')!.getBoundingClientRect()
      const whisker = group.querySelector('.whisker')!.getBoundingClientRect()
      return {
        system: group.getAttribute('data-system'),
        barStart: rect.left,
        barEnd: rect.right,
        from: whisker.left,
        to: whisker.right,
        tooltip: group.querySelector('title')!.textContent,
      }
    }),
  )
  assert.deepEqual(
    bars.map((bar) => bar.system),
    ['loop', 'raw'],
  )
  for (const bar of bars) {
    const {opsPerSec} = workload.spread.find((spread: any) => spread.system === bar.system)
    assert.ok(bar.from <= bar.barEnd + 1 && bar.barEnd <= bar.to + 1, JSON.stringify(bar))
    // The bar runs from 0 to the median, so its pixels per op/s give the whisker's width.
    const expected = ((opsPerSec.max - opsPerSec.min) * (bar.barEnd - bar.barStart)) / opsPerSec.median
    assert.ok(
      Math.abs(bar.to - bar.from - expected) <= 2,
      `${bar.system}: the whisker spans min to max (${expected} px): ${JSON.stringify(bar)}`,
    )
    assert.match(bar.tooltip, /^[\d.]+ ?[kMG]? ops\/s \[[\d.]+ ?[kMG]? – [\d.]+ ?[kMG]?\]$/)
  }
  // Every trial's windows, of both systems.
  assert.equal(await page.locator('#timeline path.series').count(), 8)

  // Per verdict: its badge and one dot per trial on each side, with each side's median.
  const verdicts = document.gate.verdicts
  assert.ok(verdicts.length >= 3, 'ops/s, p50 and p99 by default')
  const shown = await page.locator('#gate figure.gate-metric').evaluateAll((figures) =>
    figures.map((figure) => ({
      metric: figure.getAttribute('data-metric'),
      badge: figure.querySelector('.badge')!.textContent,
      baseline: figure.querySelectorAll('.baseline circle.trial').length,
      now: figure.querySelectorAll('.candidate circle.trial').length,
      medians: figure.querySelectorAll('line.median').length,
    })),
  )
  assert.deepEqual(
    shown,
    verdicts.map((verdict: any) => ({
      metric: verdict.metric,
      badge: verdict.verdict,
      baseline: verdict.baseline.length,
      now: verdict.candidate.length,
      medians: 2,
    })),
  )
  assert.equal(await page.locator('#gate .gate-workload').getAttribute('data-workload'), 'nop')
  await page.close()
})

test('a comparison: each configuration a numbered dot (ops/s against CPU per op) and a latency curve, the refused one skipped with its reason', async () => {
  const {comparison} = documents.compare
  const ran = comparison.configurations.filter((row: any) => row.figures).map((row: any) => row.name)
  assert.deepEqual(ran, ['wait=sleep', 'wait=adaptive'])
  const {page, problems} = await open('compare', 1280)
  assert.deepEqual(problems, [])
  const dots = await page
    .locator('#comparison svg.tradeoff-plot g.configuration')
    .evaluateAll((groups) =>
      groups.map((group) => ({name: group.getAttribute('data-configuration'), label: group.querySelector('text')?.textContent})),
    )
  assert.deepEqual(dots, [
    {name: 'wait=sleep', label: '1'},
    {name: 'wait=adaptive', label: '2'},
  ])
  const curves = await page
    .locator('#comparison svg.percentile-plot path.series')
    .evaluateAll((paths) => paths.map((p) => p.getAttribute('data-configuration')))
  assert.deepEqual(curves, ran)
  const rows = await page.locator('#comparison table.comparison tbody tr').allInnerTexts()
  assert.equal(rows.length, 3)
  assert.match(rows[2], /^3 defer-taskrun=on\s+skipped: --defer-taskrun needs IORING_SETUP_/)
  await page.close()
})

test('every report fits a wide screen and a phone: no sideways scrolling, charts as wide as the page, labels readable', async () => {
  mkdirSync(RESULTS, {recursive: true})
  for (const name of ['single', 'gate', 'compare'] as const) {
    for (const width of WIDTHS) {
      const {page, problems} = await open(name, width)
      assert.deepEqual(problems, [])
      const layout = {
        ...(await page
          .locator('html')
          .evaluate((html) => ({scrollWidth: html.scrollWidth, innerWidth: html.ownerDocument.defaultView!.innerWidth}))),
        charts: await page.locator('svg.chart').evaluateAll((svgs) => svgs.map((svg) => svg.getBoundingClientRect().toJSON())),
        // The smallest label's type as drawn: its font size scaled as its chart is to the page.
        smallestLabel: Math.min(
          ...(await page
            .locator('svg.chart .axis text')
            .evaluateAll((texts) =>
              texts.map(
                (text: any) => Number.parseFloat(text.ownerDocument.defaultView.getComputedStyle(text).fontSize) * text.getScreenCTM().a,
              ),
            )),
        ),
      }
      assert.ok(layout.scrollWidth <= layout.innerWidth, `${name} at ${width} px: the page is ${layout.scrollWidth} px wide`)
      assert.ok(layout.charts.length >= 3)
      for (const chart of layout.charts) {
        assert.ok(chart.left >= 0 && chart.right <= width, `${name} at ${width} px: a chart spans ${chart.left}–${chart.right}`)
        assert.ok(chart.width >= Math.min(width - 40, 400), `${name} at ${width} px: a chart only ${chart.width} px wide`)
      }
      assert.ok(layout.smallestLabel >= 11, `${name} at ${width} px: labels in ${layout.smallestLabel} px type`)
      await page.screenshot({path: path.join(RESULTS, `report-html-${name}-${width}.png`), fullPage: true})
      await page.close()
    }
  }
})
