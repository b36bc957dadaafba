import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {before, describe, test} from 'node:test'

import {lines, runCli} from '../helpers/cli.ts'
import {assertValidJunit} from '../helpers/junit.ts'
import {parseResult} from '../helpers/schema.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'iob-gate-'))
const file = (name: string): string => path.join(dir, name)

function profile(name: string, depth: number, trials = 4): string {
  writeFileSync(
    file(`${name}.yaml`),
    `trials: ${trials}\ngate: {metrics: {opsPerSec: {minEffect: 0.2}}}\ndefaults: {duration: 100ms, warmup: 50ms, vs: [raw]}\nworkloads:\n  - {name: nop, op: nop, depth: ${depth}}\n`,
  )
  return file(`${name}.yaml`)
}

describe('run --baseline (the regression gate)', () => {
  let baseline = ''
  before(async () => {
    baseline = file('baseline.json')
    const {status, stderr} = await runCli(['run', profile('deep', 256), '--save-baseline', baseline])
    assert.equal(status, 0, stderr)
  })

  test('--save-baseline writes the result document with every trial', () => {
    const document = parseResult(readFileSync(baseline, 'utf8'))
    assert.equal(document.kind, 'iouring-bench/result')
    assert.equal(document.workloads[0].trials.length, 4)
    assert.equal(document.workloads[0].spread[0].system, 'loop')
  })

  test('a real slowdown (depth 256 in the baseline, depth 1 now) fails the gate with exit 1, named per metric', async () => {
    const {status, stdout} = await runCli(['run', profile('shallow', 1), '--baseline', baseline, '--json'])
    assert.equal(status, 1)
    const {gate} = parseResult(stdout)
    assert.equal(gate.passed, false)
    const verdict = gate.verdicts.find((v: {metric: string}) => v.metric === 'opsPerSec')
    assert.equal(verdict.workload, 'nop')
    assert.equal(verdict.verdict, 'worse')
    assert.equal(verdict.baseline.length, 4)
    assert.ok(verdict.ratio < 0.5)
    assert.ok(gate.notes.some((note: string) => note.includes('drive.depth: 256 → 1')))
  })

  test('the terminal form shows the verdict table and the failure', async () => {
    const {status, stdout} = await runCli(['run', profile('shallow', 1), '--baseline', baseline])
    assert.equal(status, 1)
    assert.match(stdout, /regression gate: Mann-Whitney U/)
    assert.match(stdout, /nop ops\/s: worse: -\d+(\.\d)?%, significant/)
    assert.match(stdout, /gate: FAILED/)
  })

  test('the verdicts are part of the result: JUnit fails the regressed metric, the job summary shows the gate', async () => {
    const junit = file('gate.xml')
    const summary = file('summary.md')
    const {status} = await runCli(['run', profile('shallow', 1), '--baseline', baseline, '--output', junit], {
      env: {GITHUB_STEP_SUMMARY: summary},
    })
    assert.equal(status, 1)
    const xml = readFileSync(junit, 'utf8')
    assertValidJunit(xml)
    assert.match(xml, /<testcase classname="nop" name="gate: ops\/s"[^>]*>\n\s*<failure message="-\d+(\.\d)?%, significant/)
    assert.match(readFileSync(summary, 'utf8'), /^### ❌ gate: FAILED \(a metric regressed\)$/m)
  })

  test('a baseline from another kernel is refused with what differs, exit 2', async () => {
    const moved = JSON.parse(readFileSync(baseline, 'utf8'))
    moved.kernel.release = '5.10.0-other'
    writeFileSync(file('moved.json'), JSON.stringify(moved))
    const {status, stderr} = await runCli(['run', profile('deep', 256), '--baseline', file('moved.json')])
    assert.equal(status, 2)
    assert.equal(lines(stderr).length, 1)
    assert.match(
      stderr,
      /^Error: --baseline: measured elsewhere: kernel 5\.10\.0-other \(baseline\) vs \S+ \(now\); make a baseline here with --save-baseline, or pass --allow-host-change\n$/,
    )
  })

  test('a baseline of too few trials is refused before measuring, exit 2', async () => {
    const few = JSON.parse(readFileSync(baseline, 'utf8'))
    for (const workload of few.workloads) workload.trials = workload.trials.slice(0, 2)
    writeFileSync(file('few.json'), JSON.stringify(few))
    const {status, stdout, stderr} = await runCli(['run', profile('deep', 256), '--baseline', file('few.json')])
    assert.equal(status, 2)
    assert.equal(stdout, '')
    assert.match(
      stderr,
      /^Error: trials: 2 \(baseline\) and 4 \(now\) are too few for the gate: the smallest p-value they can give is 0\.133, not below alpha 0\.05; use at least 4 trials on each side/,
    )
  })

  // With n trials a side the exact test's smallest p-value is 2 / C(2n, n): 0.1 at 3, 0.029 at 4.
  test('a profile whose trials are too few to pass its gate is refused when it saves a baseline, before measuring, exit 2', async () => {
    const {status, stdout, stderr} = await runCli(['run', profile('few', 256, 3), '--save-baseline', file('never.json')])
    assert.equal(status, 2)
    assert.equal(stdout, '')
    assert.equal(lines(stderr).length, 1)
    assert.match(
      stderr,
      /^Error: \S*few\.yaml: trials: 3 is too few for the regression gate: with 3 trials a side its exact Mann-Whitney U test never gives p below 0\.100, not below alpha 0\.05; use at least 4 \(5 or more recommended\)\n$/,
    )
  })

  test('saving or gating with too few trials is refused before measuring, naming where the count came from, exit 2', async () => {
    writeFileSync(file('plain.yaml'), 'defaults: {duration: 100ms, warmup: 0s}\nworkloads:\n  - {name: nop, op: nop}\n')
    const cases: Array<[string[], RegExp]> = [
      [
        [file('plain.yaml'), '--save-baseline', file('never.json')],
        /^Error: \S*plain\.yaml: trials: 1 is too few for the regression gate: .*; use at least 4/,
      ],
      [
        [profile('deep', 256), '--trials', '2', '--save-baseline', file('never.json')],
        /^Error: --trials: 2 is too few for the regression gate: .*; use at least 4/,
      ],
      [
        [profile('deep', 256), '--trials', '3', '--baseline', baseline],
        /^Error: --trials: 3 is too few for the regression gate: .*; use at least 4/,
      ],
    ]
    for (const [args, message] of cases) {
      const {status, stdout, stderr} = await runCli(['run', ...args])
      assert.equal(status, 2, args.join(' '))
      assert.equal(stdout, '')
      assert.match(stderr, message)
    }
    assert.equal(existsSync(file('never.json')), false)
  })

  const bad: Array<[string, string, RegExp]> = [
    ['not JSON', 'not json', /^Error: --baseline: \S+bad\.json: not JSON \(/],
    [
      'not a result',
      '{"kind": "something-else"}',
      /^Error: --baseline: \S+bad\.json: kind "something-else" is not allowed; give a result saved by bench or run/,
    ],
    [
      'a newer schema',
      '{"kind": "iouring-bench/result", "schemaVersion": 99}',
      /^Error: --baseline: \S+bad\.json: schemaVersion 99 is not allowed; this iouring-bench reads iouring-bench\/result up to schemaVersion 1/,
    ],
  ]
  for (const [what, content, message] of bad) {
    test(`a baseline that is ${what} gets one line and exit 2`, async () => {
      writeFileSync(file('bad.json'), content)
      const {status, stderr} = await runCli(['run', profile('deep', 256), '--baseline', file('bad.json')])
      assert.equal(status, 2)
      assert.equal(lines(stderr).length, 1)
      assert.match(stderr, message)
    })
  }
})

test('found by fuzzing: an unwritable --save-baseline is refused before measuring, exit 2', async () => {
  const {status, stdout, stderr} = await runCli(['run', '--save-baseline', '/nonexistent-dir/b.json'])
  assert.equal(status, 2)
  assert.match(
    stderr,
    /^Error: --save-baseline: \/nonexistent-dir\/b\.json cannot be written \(\/nonexistent-dir is not a writable directory\)/,
  )
  assert.equal(stdout, '', 'nothing was measured first')
})
