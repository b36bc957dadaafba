// `advise` as a user runs it: short budgets (the search scales its field to the budget), the
// document against its schema, the saved profile run again, a kernel that lacks half the knobs
// (a real Debian 5.10 probe), and one line with its exit status for every bad input. No test
// asserts which configuration wins: that is the machine's answer, not the code's.
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {after, describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'

import {parse} from 'yaml'

import {lines, runCli} from '../helpers/cli.ts'
import {ringCompletions, startCli, waitFor} from '../helpers/process-tree.ts'
import {assertMatchesSchema} from '../helpers/schema.ts'

const FIXTURE = fileURLToPath(new URL('../fixtures/advice/advice.json', import.meta.url))
const PROBE_5_10 = fileURLToPath(new URL('../fixtures/raw-probe/debian-5.10.json', import.meta.url))
const QUICK = ['--op', 'nop', '--depth', '8', '--duration', '50ms', '--warmup', '10ms']
const dir = mkdtempSync(path.join(tmpdir(), 'iob-advise-'))
after(() => rmSync(dir, {recursive: true, force: true}))

describe('advise', () => {
  test('--json: one advice document, ranked, the default among the candidates, every trial counted', async () => {
    const {status, stdout, stderr} = await runCli(['advise', ...QUICK, '--budget', '4s', '--json'])
    assert.equal(status, 0, stderr)
    assert.equal(stderr, '', 'no progress when not a TTY')
    const advice = JSON.parse(stdout)
    assertMatchesSchema('advice', advice)
    assert.equal(advice.kind, 'iouring-bench/advice')
    assert.equal(advice.flags, '--op nop --depth 8')
    const winners = advice.candidates.filter((candidate: any) => candidate.outcome === 'winner')
    assert.equal(winners.length, 1)
    assert.ok(
      advice.candidates.some((candidate: any) => Object.keys(candidate.knobs).length === 0),
      'the default is raced',
    )
    assert.ok(advice.space.raced >= 2 && advice.space.raced < advice.space.configurations)
    const trials = advice.candidates.reduce((sum: number, candidate: any) => sum + candidate.trials.length, 0)
    assert.equal(advice.space.trials, trials + (advice.final ? 2 * advice.final.trials : 0))
    assert.ok(advice.elapsedNs < 4e9 * 1.5, `took ${advice.elapsedNs / 1e9} s of a 4 s budget`)
    // Every configuration is given as the exact flags that reproduce it.
    for (const candidate of advice.candidates) {
      assert.ok(candidate.flags.startsWith('--op nop --depth 8'), candidate.flags)
      for (const [flag, value] of Object.entries(candidate.knobs)) {
        // Whole words: --sqpoll must not pass for --sqpoll-idle.
        const words = `--${flag}${value === 'on' ? '' : ` ${String(value)}`}`
        assert.ok(` ${candidate.flags} `.includes(` ${words} `), `${candidate.flags} lacks ${words}`)
      }
    }
    assert.match(
      advice.recommendation,
      /^(Keep the default|`--op nop --depth 8 .+`: [\d.]+× \[[\d.]+–[\d.]+\]( ~)? the default's ops\/s, )/,
    )
    assert.ok(advice.notes.some((note: string) => /raced \d+ of the \d+ configurations/.test(note)))
  })

  test('the terminal form leads with the recommendation and lists what was skipped and why', async () => {
    const {status, stdout} = await runCli(['advise', ...QUICK, '--budget', '3s'])
    assert.equal(status, 0)
    assert.match(stdout, /^advise: --op nop --depth 8 · objective throughput · \d+ of \d+ configurations raced/m)
    assert.match(stdout, /^(Keep the default|`--op nop)/m)
    assert.match(stdout, /│ configuration +│ +ops\/s │ +× default \[95% CI\] │/)
    assert.match(stdout, /^skipped:\n {2}wake=busy-poll: burns a whole core even while the loop is idle/m)
  })

  test('--save-profile writes the advice as a profile that run takes', async () => {
    const file = path.join(dir, 'advised.yaml')
    // No --op: the profile still names the op (profiles require it).
    const advised = await runCli(['advise', ...QUICK.slice(2), '--budget', '3s', '--json', '--save-profile', file])
    assert.equal(advised.status, 0, advised.stderr)
    const advice = JSON.parse(advised.stdout)
    const profile = parse(readFileSync(file, 'utf8'))
    assert.equal(profile.workloads.length, 1)
    assert.equal(profile.workloads[0].op, 'nop')
    assert.equal(profile.workloads[0].depth, 8)
    assert.ok(profile.trials >= 4, 'enough trials for the gate')
    assert.equal(profile.description.includes(advice.recommendation), true)
    const run = await runCli(['run', file, '--duration', '50ms', '--warmup', '0', '--json'])
    assert.equal(run.status, 0, run.stderr)
    assert.equal(JSON.parse(run.stdout).workloads[0].name, 'nop-advised')
  })

  test('a kernel without half the knobs (Debian 5.10): an answer from what it has, the rest skipped with the release each needs', async () => {
    const {status, stdout, stderr} = await runCli(['advise', ...QUICK, '--budget', '3s', '--json'], {
      env: {IOURING_BENCH_PROBE_INPUT: PROBE_5_10},
    })
    assert.equal(status, 0, stderr)
    const advice = JSON.parse(stdout)
    const skipped = new Map(advice.skipped.map((entry: any) => [Object.entries(entry.knobs)[0].join('='), entry.reason]))
    for (const [knob, release] of [
      ['wake=msg-ring', '5.18'],
      ['wake=futex-op', '6.7'],
      ['defer-taskrun=on', '6.0'],
      ['coop-taskrun=on', '5.19'],
      ['no-sqarray=on', '6.6'],
    ]) {
      assert.match(String(skipped.get(knob)), new RegExp(`\\(Linux ${release.replace('.', '\\.')}\\); this kernel is 5\\.10\\.`), knob)
    }
    for (const candidate of advice.candidates) {
      assert.ok(!/msg-ring|futex-op|defer-taskrun|coop-taskrun|no-sqarray/.test(candidate.flags), candidate.flags)
    }
    assert.equal(advice.candidates.filter((candidate: any) => candidate.outcome === 'winner').length, 1)
  })

  test('a choice given as a flag stays as given: it is not raced', async () => {
    const {status, stdout, stderr} = await runCli([
      'advise',
      ...QUICK,
      '--design',
      'cross-thread',
      '--wait',
      'adaptive',
      '--budget',
      '3s',
      '--json',
    ])
    assert.equal(status, 0, stderr)
    for (const candidate of JSON.parse(stdout).candidates) {
      assert.ok(!('design' in candidate.knobs) && !('wait' in candidate.knobs), candidate.flags)
      assert.ok(candidate.flags.startsWith('--op nop --depth 8 --design cross-thread --wait adaptive'), candidate.flags)
    }
  })

  test('bounds no configuration can meet: exit 2, one line with the closest configurations', async () => {
    const {status, stdout, stderr} = await runCli(['advise', ...QUICK, '--budget', '3s', '--objective', 'balanced', '--max-p99', '1ns'])
    assert.equal(status, 2)
    assert.match(stdout, /advise: /, 'the measured table is still printed')
    const errors = lines(stderr)
    assert.equal(errors.length, 1, stderr)
    assert.match(
      errors[0],
      /^Error: --max-p99 \/ --max-cpu-per-op: no configuration met the bounds \(p99 ≤ 1ns, CPU\/op ≤ .+\); closest: `--op nop --depth 8.*` \(p99 .+, CPU\/op .+\)/,
    )
  })

  test('report renders a saved advice again, in the terminal and as HTML; merge refuses it', async () => {
    const terminal = await runCli(['report', FIXTURE])
    assert.equal(terminal.status, 0, terminal.stderr)
    const advice = JSON.parse(readFileSync(FIXTURE, 'utf8'))
    assert.ok(terminal.stdout.includes(advice.recommendation), terminal.stdout)
    const html = path.join(dir, 'advice.html')
    const rendered = await runCli(['report', FIXTURE, '--format', 'html', '--output', html])
    assert.equal(rendered.status, 0, rendered.stderr)
    assert.match(readFileSync(html, 'utf8'), /Pareto front/)
    const merged = await runCli(['report', 'merge', FIXTURE, FIXTURE])
    assert.equal(merged.status, 2)
    assert.match(merged.stderr, /is an advise run; merge takes results or probes/)
  })

  test('Ctrl-C: the best answer so far, marked partial, exit 130', async () => {
    const run = startCli(['advise', ...QUICK, '--budget', '60s', '--json'], {})
    // A trial's ring counts up from 0: a count below the last one seen is the next trial's ring,
    // so the first trial has ended and been recorded.
    let last = 0
    await waitFor(run, 'a second trial', () => {
      const count = ringCompletions(run.pid)
      if (count !== undefined && count < last) return true
      if (count !== undefined) last = count
      return undefined
    })
    process.kill(run.pid, 'SIGINT')
    const {status, stdout, stderr} = await run.exited
    assert.equal(status, 130, stderr)
    const advice = JSON.parse(stdout)
    assertMatchesSchema('advice', advice)
    assert.equal(advice.partial, true)
    assert.ok(advice.candidates.some((candidate: any) => candidate.trials.length > 0))
    assert.ok(advice.notes.some((note: string) => note.startsWith('interrupted')))
  })

  test('bad input: one line naming the field, exit 2, before anything runs', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--budget', '0'], /^Error: --budget: '0' is not allowed; give a time above 0/],
      [
        ['--budget', '1s'],
        /^Error: --budget: '1s' is not allowed; give at least 3\.41s, the time of a trial of the default, one round of two and a final check of 4 trials each \(with --duration 200ms and --warmup 50ms\)/,
      ],
      [['--objective', 'fastest'], /^Error: Expected --objective=fastest to be one of: throughput, p99, cpu, balanced/],
      [['--max-p99', '1ms'], /^Error: --max-p99: not allowed with --objective throughput; bounds apply to --objective balanced/],
      [['--vs', 'raw'], /^Error: --vs: not taken by advise; advise races configurations of the loop/],
      [['--ops', '100'], /^Error: --ops: not taken by advise; advise runs timed trials/],
      [['--depth', '0'], /^Error: --depth: /],
    ]
    for (const [args, expected] of cases) {
      const {status, stdout, stderr} = await runCli(['advise', ...args])
      assert.equal(status, 2, `${args.join(' ')}: ${stderr}`)
      assert.equal(stdout, '')
      const errors = lines(stderr)
      assert.equal(errors.length, 1, stderr)
      assert.match(errors[0], expected)
    }
  })
})
