import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import type {DrillDocument} from '../../src/model/drill.ts'
import {lines, runCli} from '../helpers/cli.ts'
import {assertValidJunit} from '../helpers/junit.ts'
import {assertMatchesSchema} from '../helpers/schema.ts'

describe('shutdown-drill', () => {
  test('passes every check here, one PASS line each, nothing on stderr (no progress when piped)', async () => {
    const {status, stdout, stderr} = await runCli(['shutdown-drill', '--rounds', '12', '--seed', '3'])
    assert.equal(status, 0, stdout + stderr)
    assert.equal(stderr, '')
    const output = lines(stdout)
    assert.match(
      output[0],
      /^shutdown-drill: 12 rounds, seed 3, ring size 16, 4 submitters, op timeout 50 ms, ops nop,timer,file-read,file-write,socket,stall$/,
    )
    assert.match(stdout, /│ no shutdown timeout +│ +6 │/)
    assert.match(stdout, /│ shutdown timeout 20 ms +│ +6 │/)
    assert.deepEqual(
      output.filter((line) => /^(PASS|FAIL) /.test(line)).map((line) => line.split(':')[0]),
      [
        'PASS no requester hung',
        'PASS every op ended exactly once',
        'PASS no descriptor leaked',
        'PASS no memory the kernel may still write was let go',
      ],
    )
    const [, submitted, completed, timedOut, abandoned] = /(\d+) submitted = (\d+) completed \+ (\d+) timed out \+ (\d+) abandoned/
      .exec(stdout)!
      .map(Number)
    assert.equal(submitted, completed + timedOut + abandoned)
    assert.ok(submitted > 0)
  })

  test('--json prints one document: modes, totals that add up, checks, descriptors', async () => {
    const {status, stdout, stderr} = await runCli([
      'shutdown-drill',
      '--rounds',
      '8',
      '--seed',
      '5',
      '--ring-size',
      '4',
      '--submitters',
      '2',
      '--json',
    ])
    assert.equal(status, 0, stderr)
    assert.equal(stderr, '')
    const document = JSON.parse(stdout) as DrillDocument
    assertMatchesSchema('shutdown-drill', document)
    assert.equal(document.kind, 'iouring-bench/shutdown-drill')
    assert.equal(document.schemaVersion, 2)
    assert.equal(document.roundsRun, 8)
    assert.equal(document.passed, true)
    assert.equal(document.error, null)
    assert.equal(document.interrupted, false)
    assert.deepEqual(document.config, {
      rounds: 8,
      seed: 5,
      ringSize: 4,
      submitters: 2,
      shutdownTimeoutsNs: [null, 20e6],
      opTimeoutNs: 50e6,
      ops: ['nop', 'timer', 'file-read', 'file-write', 'socket', 'stall'],
      roundDeadlineNs: 10e9,
    })
    assert.deepEqual(
      document.modes.map((mode) => [mode.shutdownTimeoutNs, mode.rounds]),
      [
        [null, 4],
        [20e6, 4],
      ],
    )
    for (const mode of document.modes) {
      assert.equal(mode.submitted, mode.completed + mode.timedOut + mode.abandoned)
      assert.equal(mode.shutdownLatency.count, mode.rounds)
      assert.ok(mode.shutdownLatency.p50 <= mode.shutdownLatency.p99 && mode.shutdownLatency.p99 <= mode.shutdownLatency.max)
      assert.equal(mode.shutdownLatency.unit, 'ns')
    }
    // Without a shutdown timeout nothing is abandoned.
    assert.equal(document.modes[0].abandoned, 0)
    const {totals} = document
    assert.equal(totals.submitted, totals.completed + totals.timedOut + totals.abandoned)
    assert.ok(document.fds.before > 0)
    assert.equal(document.fds.after, document.fds.before)
    assert.deepEqual(
      document.checks.map((check) => [check.name, check.status]),
      [
        ['no-hang', 'pass'],
        ['exactly-once', 'pass'],
        ['no-fd-leak', 'pass'],
        ['kernel-memory-kept', 'pass'],
      ],
    )
    assert.deepEqual(document.failures, [])
  })

  test('--shutdown-timeout picks one mode: stalls with no op timeout are all abandoned', async () => {
    const {status, stdout, stderr} = await runCli([
      'shutdown-drill',
      '--rounds',
      '3',
      '--shutdown-timeout',
      '2ms',
      '--op-timeout',
      'none',
      '--mix',
      'stall',
      '--json',
    ])
    assert.equal(status, 0, stderr)
    const document = JSON.parse(stdout) as DrillDocument
    assert.equal(document.modes.length, 1)
    const [mode] = document.modes
    assert.equal(mode.shutdownTimeoutNs, 2e6)
    assert.ok(mode.submitted > 0)
    assert.equal(mode.abandoned, mode.submitted)
  })

  // A real hang, not a staged one: ops that never end, and neither an op timeout nor a shutdown
  // timeout to end them. The round deadline turns it into FAIL lines and exit 1.
  test('a drill whose loop never shuts down fails its checks (exit 1), and still ends', async () => {
    const args = [
      'shutdown-drill',
      '--mix',
      'stall',
      '--op-timeout',
      'none',
      '--shutdown-timeout',
      'none',
      '--rounds',
      '3',
      '--round-deadline',
      '300ms',
      '--seed',
      '9',
    ]
    const {status, stdout, stderr} = await runCli(args, {timeoutMs: 30_000})
    assert.equal(status, 1, stdout + stderr)
    assert.deepEqual(lines(stderr), ['Error: shutdown-drill: 3 of 4 checks failed (seed 9)'])
    assert.match(stdout, /^shutdown-drill: 1 of 3 rounds, seed 9/)
    assert.match(stdout, /^FAIL no requester hung: 1 round hung: \d+ ops without an end 300 ms after the round began$/m)
    assert.match(stdout, /^FAIL no descriptor leaked: a hung round's loop still runs/m)
    assert.match(
      stdout,
      /^ {2}round 0 \(round seed \d+\): the round hung: .* the loop still runs with \d+ ops accepted, 0 completed, 0 abandoned, \d+ in flight$/m,
    )

    const json = await runCli([...args, '--json'], {timeoutMs: 30_000})
    assert.equal(json.status, 1, json.stderr)
    const document = JSON.parse(json.stdout) as DrillDocument
    assert.equal(document.passed, false)
    assert.equal(document.checks.find((check) => check.name === 'no-hang')?.status, 'fail')
    assert.equal(document.fds.after, null)
  })

  test('--ops, the old name of --mix, still works for one release and says so in one line', async () => {
    const {status, stdout, stderr} = await runCli(['shutdown-drill', '--rounds', '2', '--seed', '1', '--ops', 'nop,timer'])
    assert.equal(status, 0, stderr)
    assert.match(stdout, /^shutdown-drill: 2 rounds, seed 1, .*, ops nop,timer$/m)
    assert.deepEqual(lines(stderr), [' ›   Warning: The "--ops" flag has been deprecated. Use "--mix" instead.'])
  })

  const BAD_INPUT: Array<[string[], string]> = [
    [
      ['--ring-size', '0'],
      'Error: --ring-size: 0 is not allowed; use a whole number from 1 to 16384 (with an op timeout each op takes two SQ entries, so the kernel maximum of 32768 allows 16384)',
    ],
    [
      ['--ring-size', '40000', '--op-timeout', 'none'],
      'Error: --ring-size: 40000 is not allowed; use a whole number from 1 to 32768 (the kernel maximum is 32768 entries)',
    ],
    [
      ['--submitters', '65'],
      'Error: --submitters: 65 is not allowed; use a whole number from 1 to 64 (a drill starts them anew in every round)',
    ],
    [['--rounds', '0'], 'Error: --rounds: 0 is not allowed; use 1 to 1000000'],
    [['--rounds', 'abc'], "Error: --rounds: 'abc' is not allowed; use a whole number"],
    [['--mix', 'nop,bogus'], "Error: --mix: 'bogus' is not allowed; use one or more of nop, timer, file-read, file-write, socket, stall"],
    [['--shutdown-timeout', 'soon'], "Error: --shutdown-timeout: 'soon' is not allowed; use a duration (e.g. 20ms, 1s) or none"],
    [['--op-timeout', '-5ms'], "Error: --op-timeout: '-5ms' is not allowed; use a duration (e.g. 20ms, 1s) or none"],
    [['--round-deadline', '0'], "Error: --round-deadline: '0' is not allowed; use a duration above 0 (e.g. 10s)"],
  ]
  for (const [args, message] of BAD_INPUT) {
    test(`bad input ${args.join(' ')}: one line, exit 2`, async () => {
      const {status, stdout, stderr} = await runCli(['shutdown-drill', ...args])
      assert.equal(status, 2)
      assert.equal(stdout, '')
      assert.deepEqual(lines(stderr), [message])
    })
  }

  test('bad input with --json: one error document, exit 2', async () => {
    const {status, stdout} = await runCli(['shutdown-drill', '--ring-size', '0', '--json'])
    assert.equal(status, 2)
    assert.deepEqual(JSON.parse(stdout).error, {
      code: 'E_USAGE',
      message:
        '--ring-size: 0 is not allowed; use a whole number from 1 to 16384 (with an op timeout each op takes two SQ entries, so the kernel maximum of 32768 allows 16384)',
      exitCode: 2,
    })
  })

  test('--format junit prints a JUnit report with one case per check, valid against junit-10.xsd', async () => {
    const {status, stdout, stderr} = await runCli(['shutdown-drill', '--rounds', '4', '--seed', '7', '--format', 'junit'])
    assert.equal(status, 0, stderr)
    assertValidJunit(stdout)
    assert.match(stdout, /<testsuite name="shutdown-drill seed 7" tests="4" failures="0" errors="0" skipped="0"/)
    assert.match(stdout, /<testcase classname="shutdown-drill seed 7" name="every op ended exactly once" time="0\.000">/)
  })

  test('a failed check: the report, then one error line and exit 1, in every form', async () => {
    // Stalls with neither an op timeout nor a shutdown timeout hang every round: the no-hang check fails.
    const hang = [
      'shutdown-drill',
      '--rounds',
      '1',
      '--seed',
      '2',
      '--mix',
      'stall',
      '--op-timeout',
      'none',
      '--shutdown-timeout',
      'none',
      '--round-deadline',
      '100ms',
    ]
    const text = await runCli(hang)
    assert.equal(text.status, 1)
    assert.match(text.stdout, /^FAIL no requester hung: /m)
    assert.deepEqual(lines(text.stderr), ['Error: shutdown-drill: 3 of 4 checks failed (seed 2)'])
    const junit = await runCli([...hang, '--format', 'junit'])
    assert.equal(junit.status, 1)
    assertValidJunit(junit.stdout)
    assert.match(junit.stdout, /<testcase classname="shutdown-drill seed 2" name="no requester hung" time="0\.000">\n\s*<failure message="/)
  })
})
