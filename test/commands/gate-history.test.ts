// `gate --history` and `report history add`: a series of saved results judged for change points.
// The series are made from one real result of this machine, its loop's figures moved by a known
// step at a known point (with seeded noise), so the tests know where the change is.
import assert from 'node:assert/strict'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {before, describe, test} from 'node:test'

import {seededRandom} from '../../src/gate/statistics.ts'
import {lines, runCli} from '../helpers/cli.ts'
import {launchBrowser, openPage} from '../helpers/browser.ts'
import {assertValidJunit} from '../helpers/junit.ts'
import {assertMatchesSchema, parseResult} from '../helpers/schema.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'iob-history-'))

interface Shape {
  /** The loop's throughput (and the ratio to the raw ring) times this. */
  speed?: number
  /** io_uring_enter calls times this. */
  enters?: number
  kernel?: string
  /** The loop's wait strategy in the workload's settings. */
  wait?: {kind: string; spinNs: number}
}

/**
 * Writes `count` results into a new folder: result i is the real result with its loop's figures
 * times shape(i) and a seeded noise of ±`noise`, made a minute after result i - 1.
 */
function history(name: string, base: any, count: number, shape: (i: number) => Shape, noise = 0.03): string {
  const folder = path.join(dir, name)
  mkdirSync(folder)
  const random = seededRandom(7)
  for (let i = 0; i < count; i++) {
    const document = structuredClone(base)
    const {speed = 1, enters = 1, kernel, wait} = shape(i)
    const jitter = 1 + (random() * 2 - 1) * noise
    document.createdAt = new Date(Date.parse(base.createdAt) + i * 60_000).toISOString()
    document.label = `build ${i}`
    document.commit = `c0ffee${String(i).padStart(2, '0')}`
    if (kernel) document.kernel.release = kernel
    for (const workload of document.workloads) {
      if (wait) workload.spec.loop.wait = wait
      const loop = workload.systems.find((system: {system: string}) => system.system === 'loop')
      loop.opsPerSec *= speed * jitter
      loop.counters.enterCalls = Math.round(loop.counters.enterCalls * enters * (1 + (random() - 0.5) * 0.002))
      for (const ratio of workload.ratios) if (ratio.opsPerSec !== null) ratio.opsPerSec *= speed * jitter
    }
    writeFileSync(path.join(folder, `run-${String(i).padStart(2, '0')}.json`), JSON.stringify(document))
  }
  return folder
}

/** The history most tests read: 30 results, a 25 % slow-down from the 16th (made once). */
function stepHistory(base: any): string {
  const folder = path.join(dir, 'step')
  return existsSync(folder) ? folder : history('step', base, 30, (i) => ({speed: i >= 15 ? 0.75 : 1}))
}

const gate = async (folder: string, ...extra: string[]): Promise<{status: number | null; document: any; stderr: string}> => {
  const {status, stdout, stderr} = await runCli(['gate', '--history', folder, '--json', ...extra])
  const document = JSON.parse(stdout)
  if (document.kind) assertMatchesSchema('history', document)
  return {status, document, stderr}
}

/** One short trial of a NOP workload. */
const shortBench = (...flags: string[]): ReturnType<typeof runCli> =>
  runCli(['bench', '--op', 'nop', '--duration', '50ms', '--warmup', '10ms', '--trials', '1', ...flags])

const metricOf = (document: any, metric: string, series = 0): any =>
  document.series[series].metrics.find((entry: {metric: string}) => entry.metric === metric)

describe('gate --history', () => {
  let base: any
  before(async () => {
    const {status, stdout, stderr} = await shortBench('--depth', '32', '--vs', 'raw', '--json')
    assert.equal(status, 0, stderr)
    base = parseResult(stdout)
  })

  test('30 results with a 25% slow-down from the 16th: exit 1, naming the first result after the step and its commit', async () => {
    const folder = stepHistory(base)
    const {status, document} = await gate(folder)
    assert.equal(status, 1)
    assert.equal(document.passed, false)
    assert.equal(document.results, 30)
    const [change] = metricOf(document, 'opsPerSec').changes
    assert.equal(change.verdict, 'worse')
    assert.ok(Math.abs(change.index - 15) <= 1, `found at ${change.index}`)
    assert.ok(change.ratio > 0.7 && change.ratio < 0.8, `ratio ${change.ratio}`)
    assert.match(change.firstAfter.source, /run-1[56]\.json$/)
    assert.match(change.firstAfter.commit, /^c0ffee1[56]$/)
    // The clock-free counters did not move: no change there.
    assert.deepEqual(metricOf(document, 'entersPerOp').changes, [])

    const terminal = await runCli(['gate', '--history', folder])
    assert.equal(terminal.status, 1)
    assert.match(terminal.stdout, /nop ops\/s: worse from \S+run-1[56]\.json \(commit c0ffee1[56], label build 1[56]\)/)
    assert.match(terminal.stdout, /history gate: FAILED/)
  })

  test('the same history without a step passes', async () => {
    const {status, document} = await gate(history('flat', base, 30, () => ({})))
    assert.equal(status, 0)
    assert.equal(document.passed, true)
    assert.ok(
      document.series[0].metrics.every((metric: {changes: Array<{verdict: string}>}) =>
        metric.changes.every((change) => change.verdict !== 'worse'),
      ),
    )
  })

  test('a kernel upgrade half-way, with the same slow-down, is a new testbed, not a regression', async () => {
    const folder = history('kernel', base, 30, (i) => (i >= 15 ? {speed: 0.75, kernel: '6.99.0-upgraded'} : {}))
    const {status, document} = await gate(folder)
    assert.equal(status, 0)
    assert.equal(document.series.length, 2)
    assert.equal(document.series[1].testbed.kernel, '6.99.0-upgraded')
    assert.match(document.series[1].newTestbed, /^kernel \S+ → 6\.99\.0-upgraded$/)
    const terminal = await runCli(['gate', '--history', folder])
    assert.match(terminal.stdout, /a new testbed, not a change: kernel \S+ → 6\.99\.0-upgraded/)
  })

  test("a change of the workload's settings (the wait strategy) stays in the series, noted where it happened", async () => {
    const folder = history('settings', base, 30, (i) => (i >= 15 ? {speed: 0.75, wait: {kind: 'spin', spinNs: 50_000}} : {}))
    const {status, document} = await gate(folder)
    assert.equal(status, 1)
    assert.equal(document.series.length, 1)
    assert.equal(document.series[0].settingChanges.length, 1)
    assert.match(document.series[0].settingChanges[0].at.source, /run-15\.json$/)
    assert.match(document.series[0].settingChanges[0].change, /^loop\.wait\.kind: "adaptive" → "spin", loop\.wait\.spinNs: 100000 → 50000$/)
    const terminal = await runCli(['gate', '--history', folder])
    assert.match(terminal.stdout, /settings changed from \S+run-15\.json \(commit c0ffee15, label build 15\): loop\.wait\.kind/)
  })

  test('the counter channel flags twice the enters per op where time is too noisy to tell', async () => {
    const folder = history('enters', base, 30, (i) => ({enters: i >= 15 ? 2 : 1}), 0.2)
    const {status, document} = await gate(folder)
    assert.equal(status, 1)
    const [change] = metricOf(document, 'entersPerOp').changes
    assert.equal(change.verdict, 'worse')
    assert.ok(Math.abs(change.index - 15) <= 1)
    assert.ok(metricOf(document, 'opsPerSec').changes.every((entry: {verdict: string}) => entry.verdict !== 'worse'))
  })

  test('--since a result after the step: the change is shown but no longer fails; an unknown one is a usage error', async () => {
    const folder = stepHistory(base)
    const {status, document} = await gate(folder, '--since', 'c0ffee20')
    assert.equal(status, 0)
    assert.equal(document.since, 'c0ffee20')
    const [change] = metricOf(document, 'opsPerSec').changes
    assert.equal(change.verdict, 'worse')
    assert.equal(change.gates, false)
    const terminal = await runCli(['gate', '--history', folder, '--since', 'build 20'])
    assert.equal(terminal.status, 0)
    assert.match(terminal.stdout, /nop ops\/s: worse from .*; before --since: shown, not gated/)
    const unknown = await runCli(['gate', '--history', folder, '--since', 'nosuchcommit'])
    assert.equal(unknown.status, 2)
    assert.equal(lines(unknown.stderr).length, 1)
    assert.match(
      unknown.stderr,
      /^Error: --since: 'nosuchcommit' is not allowed; give the commit \(or its start\) or the label of a result in /,
    )
  })

  test('a step on an older testbed is shown, not gated: only the newest series of a workload can fail', async () => {
    const folder = history('older', base, 40, (i) => (i < 30 ? {speed: i >= 15 ? 0.75 : 1} : {kernel: '6.99.0-upgraded'}))
    const {status, document} = await gate(folder)
    assert.equal(status, 0)
    assert.equal(document.series[0].gated, false)
    assert.equal(document.series[1].gated, true)
    const [change] = metricOf(document, 'opsPerSec').changes
    assert.equal(change.verdict, 'worse')
    assert.equal(change.gates, false)
    const terminal = await runCli(['gate', '--history', folder])
    assert.match(terminal.stdout, /^nop: 30 results, .* \(an older testbed: shown, not gated\)$/m)
  })

  test('a run whose loop failed, a link to nothing and a folder inside are no results; the rest is judged', async () => {
    const folder = history('holes', base, 12, () => ({}))
    const failed = structuredClone(base)
    const loop = failed.workloads[0].systems.find((system: {system: string}) => system.system === 'loop')
    loop.ops = 0
    loop.error = {
      call: 'io_uring_setup',
      errno: 12,
      code: 'ENOMEM',
      detail: '',
      message: 'Cannot allocate memory',
      explanation: 'the ring was refused',
    }
    writeFileSync(path.join(folder, 'failed.json'), JSON.stringify(failed))
    symlinkSync(path.join(folder, 'gone.json'), path.join(folder, 'dangling.json'))
    mkdirSync(path.join(folder, 'inner'))
    const {status, document} = await gate(folder)
    assert.equal(status, 0)
    assert.equal(document.series.length, 1)
    assert.equal(document.series[0].points.length, 12)
    const problems = Object.fromEntries(
      document.problems.map((problem: {source: string; reason: string}) => [path.basename(problem.source), problem.reason]),
    )
    assert.equal(problems['failed.json'], 'nop: the loop measured nothing (the ring was refused)')
    assert.equal(problems['dangling.json'], 'cannot be read (ENOENT)')
    assert.equal(Object.keys(problems).length, 2)
  })

  test('corrupt, empty, foreign and newer-schema files get one line each; the rest of the series is judged', async () => {
    const folder = history('mixed', base, 30, (i) => ({speed: i >= 15 ? 0.75 : 1}))
    writeFileSync(path.join(folder, 'corrupt.json'), '{"kind": "iouring-bench/res')
    writeFileSync(path.join(folder, 'empty.json'), '')
    writeFileSync(path.join(folder, 'foreign.json'), JSON.stringify({hello: 'world'}))
    writeFileSync(path.join(folder, 'newer.json'), JSON.stringify({...base, schemaVersion: 99}))
    writeFileSync(path.join(folder, 'advice.json'), readFileSync(path.join(import.meta.dirname, '../fixtures/advice/advice.json')))
    const {status, document} = await gate(folder)
    assert.equal(status, 1)
    assert.equal(document.results, 30)
    const problems = Object.fromEntries(
      document.problems.map((problem: {source: string; reason: string}) => [path.basename(problem.source), problem.reason]),
    )
    assert.match(problems['corrupt.json'], /^not JSON/)
    assert.equal(problems['empty.json'], 'empty')
    assert.match(problems['foreign.json'], /no 'kind'/)
    assert.match(problems['newer.json'], /schemaVersion 99 is not allowed/)
    assert.match(problems['advice.json'], /^is an advise run, not a result$/)
    const terminal = await runCli(['gate', '--history', folder])
    for (const name of ['corrupt.json', 'empty.json', 'foreign.json', 'newer.json', 'advice.json']) {
      assert.equal(lines(terminal.stdout).filter((line) => line.startsWith('skipped ') && line.includes(name)).length, 1, name)
    }
  })

  test('JUnit fails the regressed metric; Markdown names the change', async () => {
    const folder = stepHistory(base)
    const junit = path.join(dir, 'history.xml')
    const markdown = path.join(dir, 'history.md')
    assert.equal((await runCli(['gate', '--history', folder, '--output', junit])).status, 1)
    const xml = readFileSync(junit, 'utf8')
    assertValidJunit(xml)
    assert.match(xml, /<testcase classname="nop on [^"]+" name="ops\/s"[^>]*>\s*<failure message="nop ops\/s: worse from/)
    assert.equal((await runCli(['gate', '--history', folder, '--output', markdown])).status, 1)
    assert.match(readFileSync(markdown, 'utf8'), /history gate FAILED[\s\S]*nop ops\/s: worse from/)
  })

  test('the saved verdict renders again with report, in its forms', async () => {
    const saved = path.join(dir, 'verdict.json')
    assert.equal((await runCli(['gate', '--history', stepHistory(base), '--output', saved])).status, 1)
    assertMatchesSchema('history', JSON.parse(readFileSync(saved, 'utf8')))
    const again = await runCli(['report', saved])
    assert.equal(again.status, 0, again.stderr)
    assert.match(again.stdout, /nop ops\/s: worse from \S+run-1[56]\.json/)
    const merged = await runCli(['report', 'merge', saved, saved])
    assert.equal(merged.status, 2)
    assert.match(merged.stderr, /is a history verdict; merge takes results or probes/)
  })

  test('the HTML page plots each metric with the change marked where it fell, in a real browser', async () => {
    const html = path.join(dir, 'history.html')
    assert.equal((await runCli(['gate', '--history', stepHistory(base), '--output', html])).status, 1)
    const browser = await launchBrowser(path.join(dir, 'chromium'))
    try {
      const {page, problems, requests} = await openPage(browser, html, 1200)
      assert.deepEqual(problems, [])
      assert.deepEqual(
        requests.filter((url) => !url.startsWith('file:')),
        [],
      )
      assert.match(await page.locator('.verdict').innerText(), /history gate: FAILED/)
      const opsPerSec = page.locator('figure', {hasText: 'ops/s'}).first()
      assert.equal(await opsPerSec.locator('circle.result').count(), 30)
      const change = opsPerSec.locator('line.change')
      assert.equal(await change.count(), 1)
      assert.equal(await change.getAttribute('data-verdict'), 'worse')
      assert.ok(Math.abs(Number(await change.getAttribute('data-index')) - 15) <= 1)
      assert.equal(await page.locator('figure', {hasText: 'enters per op'}).locator('line.change').count(), 0)
    } finally {
      await browser.close()
    }
  })

  test('a history with no usable result, or none at all, is a usage error in one line', async () => {
    const broken = path.join(dir, 'broken')
    mkdirSync(broken)
    writeFileSync(path.join(broken, 'a.json'), 'nope')
    for (const [location, pattern] of [
      [broken, /^Error: --history: \S+broken holds no usable result \(1 file refused: \S+a\.json: not JSON/],
      [path.join(dir, 'missing'), /^Error: --history: \S+missing: no such file or folder/],
    ] as const) {
      const {status, stderr} = await runCli(['gate', '--history', location])
      assert.equal(status, 2)
      assert.equal(lines(stderr).length, 1, stderr)
      assert.match(stderr, pattern)
    }
  })
})

describe('report history add', () => {
  let saved = ''
  before(async () => {
    saved = path.join(dir, 'one.json')
    const {status, stderr} = await shortBench('--label', 'nightly', '--commit', 'abc123', '--output', saved)
    assert.equal(status, 0, stderr)
  })

  test('--label and --commit are kept in the result', () => {
    const document = parseResult(readFileSync(saved, 'utf8'))
    assert.equal(document.label, 'nightly')
    assert.equal(document.commit, 'abc123')
  })

  test('adds to a folder (named by time and label) and to a JSON-lines file, which gate --history reads', async () => {
    const folder = path.join(dir, 'kept')
    const jsonl = path.join(dir, 'kept.jsonl')
    for (let i = 0; i < 2; i++) {
      assert.equal((await runCli(['report', 'history', 'add', saved, '--to', folder])).status, 0)
      assert.equal((await runCli(['report', 'history', 'add', saved, '--to', jsonl])).status, 0)
    }
    assert.equal(readdirSync(folder).length, 2)
    assert.ok(
      readdirSync(folder).every((name) => /^\d{4}-\d\d-\d\dT[\d-]+Z-nightly(-2)?\.json$/.test(name)),
      readdirSync(folder).join(),
    )
    assert.equal(lines(readFileSync(jsonl, 'utf8')).length, 2)
    const {status, document} = await gate(jsonl)
    assert.equal(status, 0)
    assert.equal(document.results, 2)
    assert.match(document.series[0].points[1].source, /kept\.jsonl:2$/)
    assert.match(document.series[0].note, /too few to look for a change/)
  })

  test('a .jsonl whose last line has no line feed gets the result on a line of its own; --to FILE.json is refused', async () => {
    const jsonl = path.join(dir, 'unterminated.jsonl')
    writeFileSync(jsonl, readFileSync(saved, 'utf8').replace(/\s*\n\s*/g, ''))
    assert.equal((await runCli(['report', 'history', 'add', saved, '--to', jsonl])).status, 0)
    assert.equal(lines(readFileSync(jsonl, 'utf8')).length, 2)
    assert.equal((await gate(jsonl)).document.results, 2)
    const {status, stderr} = await runCli(['report', 'history', 'add', saved, '--to', path.join(dir, 'results.json')])
    assert.equal(status, 2)
    assert.match(stderr, /^Error: --to: '\S+results\.json' is not allowed; give a folder, or a JSON-lines file ending in \.jsonl\n$/)
  })

  test('what is not a whole result is refused in one line', async () => {
    const interrupted = path.join(dir, 'interrupted.json')
    writeFileSync(interrupted, JSON.stringify({...parseResult(readFileSync(saved, 'utf8')), interrupted: true}))
    for (const [file, pattern] of [
      [interrupted, /is an interrupted run/],
      [path.join(import.meta.dirname, '../fixtures/raw-probe/debian-6.1.json'), /is a probe; a history holds results/],
    ] as const) {
      const {status, stderr} = await runCli(['report', 'history', 'add', file, '--to', path.join(dir, 'refused')])
      assert.equal(status, 2)
      assert.equal(lines(stderr).length, 1, stderr)
      assert.match(stderr, pattern)
    }
  })

  test('a bad --label is a usage error naming the flag', async () => {
    const {status, stderr} = await runCli(['bench', '--op', 'nop', '--label', 'two\nlines'])
    assert.equal(status, 2)
    assert.match(stderr, /^Error: --label: 'two\\nlines' is not allowed; use one line of 1 to 200 printable characters/)
  })
})
