// The advice page in a real browser: Debian's chromium, driven by playwright-core, as the HTML
// report is (report-html.test.ts). The page renders the advice fixture; it must load with no
// console error and no request beyond its own file, draw its chart at a real size with a dot per
// measured candidate and the Pareto front, and fit a phone's width. Screenshots at both widths
// are left in test-results/ to be looked at.
import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {after, before, test} from 'node:test'
import {fileURLToPath, pathToFileURL} from 'node:url'

import type {BrowserContext} from 'playwright-core'

import {launchBrowser, openPage} from '../helpers/browser.ts'
import {renderAdviceHtml} from '../../src/advise/html.ts'
import {assertMatchesSchema} from '../helpers/schema.ts'

const FIXTURE = new URL('../fixtures/advice/advice.json', import.meta.url)
const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url))
const WIDTHS = [1280, 390]
const dir = mkdtempSync(path.join(tmpdir(), 'iob-advice-html-'))
const page = path.join(dir, 'advice.html')
const document = JSON.parse(readFileSync(FIXTURE, 'utf8'))
let browser: BrowserContext

before(async () => {
  assertMatchesSchema('advice', document)
  writeFileSync(page, renderAdviceHtml(document))
  browser = await launchBrowser(path.join(dir, 'chromium-profile'))
})

after(async () => {
  await browser?.close()
})

test('the advice page loads alone with no console error, draws its chart, and fits a wide screen and a phone', async () => {
  mkdirSync(RESULTS, {recursive: true})
  const measured = document.candidates.filter((candidate: any) => candidate.opsPerSec && candidate.cpuNsPerOp).length
  for (const width of WIDTHS) {
    const {page: tab, problems, requests} = await openPage(browser, page, width)
    assert.deepEqual(problems, [], `at ${width} px`)
    assert.deepEqual(requests, [pathToFileURL(page).href], 'the page loads nothing but itself')

    const svg = (await tab.locator('#tradeoff svg.tradeoff-plot').boundingBox())!
    assert.ok(svg.width >= Math.min(width - 40, 400) && svg.height > 200, `at ${width} px: the chart is ${JSON.stringify(svg)}`)
    // Every measured candidate's dot is drawn, inside the chart.
    const dots = await tab
      .locator('#tradeoff g.configuration circle:not(.reference-ring)')
      .evaluateAll((circles) => circles.map((circle) => circle.getBoundingClientRect().toJSON()))
    assert.equal(dots.length, measured)
    for (const dot of dots) {
      assert.ok(dot.width > 0 && dot.left >= svg.x && dot.right <= svg.x + svg.width, `at ${width} px: a dot at ${JSON.stringify(dot)}`)
    }
    const front = (await tab.locator('#tradeoff path.pareto-front').boundingBox())!
    assert.ok(front.width > 0 && front.height > 0, `at ${width} px: the Pareto front is ${JSON.stringify(front)}`)
    assert.equal(await tab.locator('#candidates table.candidates tbody tr').count(), document.candidates.length)
    // The flags it quotes are set as code, without the backticks.
    assert.equal(await tab.locator('#recommendation .recommendation').innerText(), document.recommendation.replaceAll('`', ''))
    assert.equal(await tab.locator('#recommendation .recommendation code').count(), 1)

    const layout = await tab
      .locator('html')
      .evaluate((html) => ({scrollWidth: html.scrollWidth, innerWidth: html.ownerDocument.defaultView!.innerWidth}))
    assert.ok(layout.scrollWidth <= layout.innerWidth, `at ${width} px: the page is ${layout.scrollWidth} px wide`)
    await tab.screenshot({path: path.join(RESULTS, `advice-html-${width}.png`), fullPage: true})
    await tab.close()
  }
})
