// bench --compare and --config: configurations run with their trials interleaved, one table with
// each one's ratio to the first, the refused ones skipped with the probe's reason, and every bad
// knob or value refused in one line before anything runs.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'

import {PROBE_INPUT_VARIABLE} from '../../src/bench/kernel-needs.ts'
import {lines, runCli} from '../helpers/cli.ts'
import {parseResult} from '../helpers/schema.ts'

const PROBE_5_10 = {[PROBE_INPUT_VARIABLE]: fileURLToPath(new URL('../fixtures/raw-probe/debian-5.10.json', import.meta.url))}
/** Short trials: these tests check what runs and what is reported, not how fast. */
const QUICK = ['--op', 'nop', '--depth', '32', '--duration', '40ms', '--warmup', '10ms']

describe('bench --compare', () => {
  test('two knobs multiply out: four configurations, each with its trials, the first the reference', async () => {
    const args = ['bench', ...QUICK, '--compare', 'defer-taskrun=off,on', '--compare', 'ring-fd=off,on', '--trials', '3', '--json']
    const {status, stdout, stderr} = await runCli(args)
    assert.equal(status, 0, stderr)
    const document = parseResult(stdout)
    const {comparison} = document
    const names = [
      'defer-taskrun=off ring-fd=off',
      'defer-taskrun=off ring-fd=on',
      'defer-taskrun=on ring-fd=off',
      'defer-taskrun=on ring-fd=on',
    ]
    assert.deepEqual(
      comparison.configurations.map((row: any) => row.name),
      names,
    )
    assert.equal(comparison.reference, names[0])
    assert.deepEqual(comparison.configurations[3].knobs, {'defer-taskrun': 'on', 'ring-fd': 'on'})
    // Each configuration is a workload of the document, its trials all there, the loop alone (no --vs).
    assert.deepEqual(
      document.workloads.map((workload: any) => workload.name),
      names,
    )
    for (const workload of document.workloads) {
      assert.equal(workload.trials.length, 3)
      assert.deepEqual(
        workload.systems.map((system: any) => system.system),
        ['loop'],
      )
      assert.equal(workload.spec.drive.warmupNs, 10e6)
    }
    assert.equal(document.workloads[3].spec.loop.deferTaskrun, true)
    assert.equal(document.workloads[3].spec.loop.ringFd, true)
    assert.equal(document.workloads[0].spec.loop.deferTaskrun, undefined)
    for (const [i, row] of comparison.configurations.entries()) {
      assert.ok(row.figures.opsPerSec.median > 0)
      assert.ok(row.figures.entersPerOp > 0)
      assert.equal(row.versusReference === undefined, i === 0, 'every configuration but the first has a ratio')
    }
    const ratio = comparison.configurations[1].versusReference
    assert.ok(ratio.interval[0] <= ratio.opsPerSec && ratio.opsPerSec <= ratio.interval[1], JSON.stringify(ratio))
    // 3 trials a side can never reach p < 0.05 (the smallest is 0.1): nothing is significant.
    assert.ok(comparison.configurations.slice(1).every((row: any) => row.versusReference.significant === false))
    // Holm over the three rows: no adjusted p is below its own.
    assert.ok(comparison.configurations.slice(1).every((row: any) => row.versusReference.adjustedPValue >= row.versusReference.pValue))
  })

  test('the terminal shows one table: a row per configuration with its ratio, interval and ~, and why few trials cannot tell', async () => {
    const {status, stdout, stderr} = await runCli(['bench', ...QUICK, '--compare', 'submit-all=on', '--trials', '2'])
    assert.equal(status, 0, stderr)
    assert.match(stdout, /compared: 2 configurations of the loop/)
    assert.match(stdout, /1 as given .* 1 │/)
    // Two trials a side can never be significant: no ~, and the notes say why.
    assert.match(stdout, /2 submit-all=on .* \d+\.\d+× \[\d+\.\d+–\d+\.\d+\] │/)
    assert.match(stdout, /With 2 trials per configuration no difference can be significant: use --trials 4 or more/)
    assert.doesNotMatch(stdout, /loop counters/, 'the table stands for the configurations')
  })

  test("with --config and SQPOLL, the SQ thread's CPU is its own column; --vs raw prices each against the raw ring with the same knobs", async () => {
    const args = ['bench', ...QUICK, '--config', 'sqpoll=on sqpoll-idle=10ms', '--vs', 'raw', '--trials', '1', '--json']
    const {status, stdout, stderr} = await runCli(args)
    assert.equal(status, 0, stderr)
    const {comparison, workloads} = parseResult(stdout)
    assert.deepEqual(
      comparison.configurations.map((row: any) => row.name),
      ['as given', 'sqpoll=on sqpoll-idle=10ms'],
    )
    const [plain, sqpoll] = comparison.configurations
    assert.equal(plain.figures.ioThreadsNsPerOp, null)
    assert.ok(sqpoll.figures.ioThreadsNsPerOp > 0, JSON.stringify(sqpoll.figures))
    assert.ok(sqpoll.figures.vsRaw > 0 && plain.figures.vsRaw > 0)
    // The raw ring has its own ratio: SQPOLL's raw ring against the plain raw ring.
    assert.equal(plain.figures.raw.versusReference, undefined)
    assert.ok(sqpoll.figures.raw.versusReference.opsPerSec > 0 && sqpoll.figures.raw.entersPerOp >= 0)
    assert.match(workloads[1].systems.find((system: any) => system.system === 'raw').ring.setupFlagNames, /SQPOLL/)
  })

  test('a configuration the kernel lacks is skipped with the probe reason; the others run; none at all exits 3', async () => {
    const args = ['bench', ...QUICK, '--compare', 'wait=sleep,adaptive', '--config', 'single-issuer=on', '--trials', '1', '--json']
    const {status, stdout, stderr} = await runCli(args, {env: PROBE_5_10})
    assert.equal(status, 0, stderr)
    const {comparison, workloads} = parseResult(stdout)
    assert.deepEqual(comparison.configurations[2], {
      name: 'single-issuer=on',
      knobs: {'single-issuer': 'on'},
      skipped: '--single-issuer needs IORING_SETUP_SINGLE_ISSUER (Linux 6.0); this kernel is 5.10.262 (Debian)',
    })
    assert.equal(workloads.length, 2, 'a skipped configuration has no workload')
    const none = await runCli(['bench', ...QUICK, '--single-issuer', '--compare', 'wait=sleep,adaptive', '--trials', '1'], {
      env: PROBE_5_10,
    })
    assert.equal(none.status, 3, none.stderr)
    assert.deepEqual(lines(none.stderr), [
      'Error: --single-issuer needs IORING_SETUP_SINGLE_ISSUER (Linux 6.0); this kernel is 5.10.262 (Debian)',
    ])
  })

  test('a combination of the product the rules refuse is listed as not allowed and the rest run; a skipped first leaves the next as the reference', async () => {
    const args = ['bench', ...QUICK, '--compare', 'sqpoll=off,on', '--compare', 'defer-taskrun=off,on', '--trials', '1', '--json']
    const {status, stdout, stderr} = await runCli(args)
    assert.equal(status, 0, stderr)
    const {comparison} = parseResult(stdout)
    assert.deepEqual(
      comparison.configurations.map((row: any) => [row.name, row.skipped === undefined]),
      [
        ['sqpoll=off defer-taskrun=off', true],
        ['sqpoll=off defer-taskrun=on', true],
        ['sqpoll=on defer-taskrun=off', true],
        ['sqpoll=on defer-taskrun=on', false],
      ],
    )
    assert.match(
      comparison.configurations[3].skipped,
      /^not allowed: --defer-taskrun: not allowed; the kernel refuses it on an SQPOLL ring/,
    )
    const first = await runCli(['bench', ...QUICK, '--compare', 'single-issuer=on,off', '--trials', '1', '--json'], {env: PROBE_5_10})
    assert.equal(first.status, 0, first.stderr)
    const refusedFirst = parseResult(first.stdout).comparison
    assert.equal(refusedFirst.reference, 'single-issuer=off')
    assert.ok(refusedFirst.configurations[0].skipped)
  })

  test('a configuration equal to an earlier one runs once and says so', async () => {
    // adaptive's budget is 100 µs unless given: the same wait.
    const {status, stdout, stderr} = await runCli([
      'bench',
      ...QUICK,
      '--compare',
      'wait=adaptive,adaptive=100us',
      '--trials',
      '1',
      '--json',
    ])
    assert.equal(status, 0, stderr)
    const {comparison, workloads} = parseResult(stdout)
    assert.equal(comparison.configurations[1].skipped, "the same workload as 'wait=adaptive'")
    assert.equal(workloads.length, 1)
  })

  const refusals: Array<[string, string[], RegExp]> = [
    [
      'an unknown knob',
      ['--compare', 'turbo=on,off'],
      /^Error: --compare: 'turbo=on,off' names no knob 'turbo'; use a workload flag of bench: op, timer, .*sqpoll/,
    ],
    [
      'a value without a knob',
      ['--compare', 'sqpoll'],
      /^Error: --compare: 'sqpoll' is not allowed; give one knob and its values, e.g. sqpoll=off,on\n$/,
    ],
    ['a boolean that is not on or off', ['--compare', 'sqpoll=maybe'], /^Error: --sqpoll: 'maybe' is not allowed; use on or off\n$/],
    ['a number that is not one', ['--compare', 'depth=1,deep'], /^Error: --depth: 'deep' is not allowed; use a whole number\n$/],
    [
      'a CPU this machine does not have',
      ['--config', 'sqpoll=on sqpoll-cpu=99'],
      /^Error: configuration 'sqpoll=on sqpoll-cpu=99': --sqpoll-cpu: 99 is not allowed; use a CPU this process may run on: /,
    ],
    ['a CQ smaller than the ring', ['--compare', 'cq-size=16'], /^Error: configuration 'cq-size=16': --cq-size: 16 is not allowed; .*128/],
    [
      'knobs the rules refuse together',
      ['--compare', 'sqpoll=on', '--compare', 'coop-taskrun=on'],
      /^Error: configuration 'sqpoll=on coop-taskrun=on': --coop-taskrun: /,
    ],
    [
      'the baselines as a knob',
      ['--compare', 'vs=raw,fio'],
      /^Error: --compare: 'vs=raw,fio': --vs cannot be compared; the baselines are the whole run's: give --vs once\n$/,
    ],
    [
      'a knob twice in one configuration',
      ['--config', 'sqpoll=on sqpoll=off'],
      /^Error: --config: --sqpoll is given twice in one configuration; give it once\n$/,
    ],
    ['no trials', ['--compare', 'sqpoll=on', '--trials', '0'], /^Error: --trials: 0 is not allowed; run at least 1 trial\n$/],
    [
      'a value no configuration can take',
      ['--compare', 'wake=bogus,eventfd'],
      /^Error: configuration 'wake=bogus': --wake: 'bogus' is not allowed; use one of: eventfd, /,
    ],
    ['a value listed twice', ['--compare', 'ring-fd=on,on'], /^Error: --compare: 'ring-fd=on,on' lists on twice; give each value once\n$/],
    [
      'a baseline a comparison does not run',
      ['--compare', 'ring-fd=on', '--vs', 'raw,fio'],
      /^Error: --vs: 'fio' is not allowed; a comparison prices the loop/,
    ],
  ]
  for (const [what, flags, message] of refusals) {
    test(`${what}: one line, exit 2, nothing run`, async () => {
      const {status, stdout, stderr} = await runCli(['bench', ...QUICK, ...flags])
      assert.equal(status, 2, stderr)
      assert.equal(lines(stderr).length, 1, stderr)
      assert.match(stderr, message)
      assert.equal(stdout, '')
    })
  }
})
