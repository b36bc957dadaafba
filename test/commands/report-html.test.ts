// The HTML report in a real browser: Debian's chromium, driven by playwright-core. The page must
// load with no console error and no request beyond its own file, and the plot must have its axes
// and one line per series. The screenshot is left in test-results/ to be looked at.
import assert from 'node:assert/strict'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {after, before, test} from 'node:test'
import {fileURLToPath, pathToFileURL} from 'node:url'

import {type BrowserContext, chromium} from 'playwright-core'

import {runCli} from '../helpers/cli.ts'
import {parseResult} from '../helpers/schema.ts'

const CHROMIUM = '/usr/bin/chromium'
const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url))
const dir = mkdtempSync(path.join(tmpdir(), 'iob-html-'))
const html = path.join(dir, 'report.html')
const json = path.join(dir, 'result.json')
let browser: BrowserContext

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's 'chromium' package (scripts/setup.sh does)`)
  const profile = path.join(dir, 'quick.yaml')
  // A file workload (bytes, a test file, a baseline without counters) and a socket mix (kinds)
  // beside the closed-loop timer: what the report must lay out without crowding.
  writeFileSync(
    profile,
    [
      'defaults: {duration: 300ms, warmup: 50ms}',
      'workloads:',
      '  - {name: read-4k, op: file-read, fileSize: 8m, depth: 8, vs: [raw, node-fs]}',
      '  - {name: socket-mix, op: mix, mix: {socket: 3, nop: 1}, vs: [raw]}',
      '  - {name: timer-100us, op: timer, timer: 100us, depth: 4, ops: 2000, vs: [raw]}',
      '',
    ].join('\n'),
  )
  const {status, stdout, stderr} = await runCli(['run', profile, '--json', '--output', html])
  assert.equal(status, 0, stderr)
  writeFileSync(json, stdout)
  browser = await chromium.launchPersistentContext(path.join(dir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    viewport: {width: 1100, height: 1000},
  })
})

after(async () => {
  await browser?.close()
})

test('the HTML report loads alone, with no console error, and plots one line per workload and system', async () => {
  const document = parseResult(readFileSync(json, 'utf8'))
  const page = await browser.newPage()
  const problems: string[] = []
  const requests: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('request', (request) => requests.push(request.url()))
  await page.goto(pathToFileURL(html).href, {waitUntil: 'load'})

  assert.deepEqual(problems, [])
  assert.deepEqual(requests, [pathToFileURL(html).href], 'the report loads nothing but itself')

  const plot = page.locator('svg.percentile-plot')
  assert.equal(await plot.count(), 1)
  assert.deepEqual(await plot.locator('.x-axis text:not(.axis-title)').allTextContents(), ['0%', '90%', '99%', '99.9%', '99.99%', '99.999%'])
  const latencyTicks = await plot.locator('.y-axis text:not(.axis-title)').allTextContents()
  assert.ok(latencyTicks.length >= 3, latencyTicks.join(', '))
  for (const tick of latencyTicks) assert.match(tick, /^\d+ (ns|µs|ms|s)$/)

  const series = await plot.locator('path.series').evaluateAll((paths) =>
    paths.map((element) => ({
      workload: element.getAttribute('data-workload'),
      system: element.getAttribute('data-system'),
      points: (element.getAttribute('d') ?? '').split(/[ML]/).filter(Boolean).length,
      width: element.getBoundingClientRect().width,
    })),
  )
  const expected = document.workloads.flatMap((workload: any) => workload.systems.map((system: any) => ({workload: workload.name, system: system.system})))
  assert.equal(expected.length, 7)
  assert.deepEqual(series.map(({workload, system}) => ({workload, system})), expected)
  // Each line runs from 0% to where its data ends (1/(1-p) = its op count: 2000 ops reach 99.95%).
  for (const line of series) {
    assert.ok(line.points > 50, `${line.workload}/${line.system}: ${line.points} points`)
    assert.ok(line.width > 300, `${line.workload}/${line.system} spans ${line.width}px`)
  }

  // The rest of the report: a summary table per workload, the per-kind table of the mix, the
  // loop counters, the kernel.
  assert.equal(await page.locator('table.summary').count(), 3)
  assert.deepEqual(await page.locator('table.summary').first().locator('th').allTextContents(), ['system', 'ops/s', 'throughput', 'p50', 'p90', 'p99', 'p99.9', 'p99.99', 'max', 'CPU/op', 'errors'])
  assert.match(await page.locator('section.workload').first().innerText(), /^file: .* page cache: /m)
  assert.equal(await page.locator('table.kinds').count(), 1)
  assert.equal(await page.locator('table.counters').count(), 3)
  assert.match(await page.locator('table.counter-summary').first().innerText(), /capacity stalls/)
  // Every counter with its meaning, one click away.
  await page.locator('details summary').first().click()
  assert.match(await page.locator('table.counters').first().innerText(), /pendingOperations\s+0\s+ops submitted to the ring/)
  assert.match(await page.locator('#kernel').innerText(), new RegExp(document.kernel.release.replace(/[.+]/g, '\\$&')))

  mkdirSync(RESULTS, {recursive: true})
  await page.screenshot({path: path.join(RESULTS, 'report-html.png'), fullPage: true})
  await plot.screenshot({path: path.join(RESULTS, 'report-html-plot.png')})
  await page.close()
})
