// The HTML pages in a real browser: Debian's chromium (scripts/setup.sh installs it), driven by
// playwright-core, headless with nothing of its own on the network. One way to start it and to
// open a page with what went wrong while it loaded, for every test that looks at a page.
import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {pathToFileURL} from 'node:url'

import {type BrowserContext, chromium, type Page} from 'playwright-core'

const CHROMIUM = '/usr/bin/chromium'

export async function launchBrowser(profileDir: string): Promise<BrowserContext> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's 'chromium' package (scripts/setup.sh does)`)
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
}

/** The file opened at a width, with the console errors and warnings, page errors and requests while it loaded. */
export async function openPage(
  browser: BrowserContext,
  file: string,
  width: number,
): Promise<{page: Page; problems: string[]; requests: string[]}> {
  const page = await browser.newPage()
  await page.setViewportSize({width, height: 900})
  const problems: string[] = []
  const requests: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('request', (request) => requests.push(request.url()))
  await page.goto(pathToFileURL(file).href, {waitUntil: 'load'})
  return {page, problems, requests}
}
