import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {lines, runCli} from '../helpers/cli.ts'
import {assertValidJunit} from '../helpers/junit.ts'
import {assertMatchesSchema} from '../helpers/schema.ts'

// Short runs: the checks hold at any length, and no test asserts a speed.
const QUICK = ['--duration', '300ms', '--op-timeout', '5ms']

describe('stress-timeouts', () => {
  test('passes on this machine: every check, the lateness histogram and both liveness halves', async () => {
    const {status, stdout, stderr} = await runCli(['stress-timeouts', ...QUICK, '--slack', '1s'])
    assert.equal(status, 0, stdout + stderr)
    assert.equal(stderr, '', 'no progress when not a TTY')
    for (const name of [
      'stalled ops come back -ETIMEDOUT',
      'within the timeout + slack',
      'no op lost',
      'normal ops end normally',
      'waiters freed: normal ops keep completing',
      'liveness without timeouts: stall detected, then unblocked',
      'liveness with timeouts: recovers on its own',
    ]) {
      assert.match(stdout, new RegExp(`^PASS  ${name.replace(/[+]/g, '\\+')}: `, 'm'), name)
    }
    assert.match(
      stdout,
      /^ {2}watchdog: capacity stall: all waiters in flight, 2 ops queued, no completion for [\d.]+ m?s -> wrote to both peers$/m,
    )
    assert.match(stdout, /^ {2}read\(fd1\) +-ETIMEDOUT +after /m)
    assert.match(stdout, /^ {2}write\(fd2\) +10 bytes +after /m)
    assert.match(stdout, /timeout lateness .*\n {2}p50 .* · p99 .* · max /)
    assert.match(stdout, /normal ops without stalls: .* ops\/s · with stalls [\d.]+× that/)
  })

  test('--json prints one document: checks, counts that add up, lateness, throughput ratio, liveness', async () => {
    const {status, stdout, stderr} = await runCli(['stress-timeouts', ...QUICK, '--slack', '1s', '--json'])
    assert.equal(status, 0, stderr)
    assert.equal(stderr, '')
    const document = JSON.parse(stdout)
    assertMatchesSchema('stress-timeouts', document)
    assert.equal(document.kind, 'iouring-bench/stress-timeouts')
    assert.equal(document.schemaVersion, 1)
    assert.equal(document.passed, true)
    assert.equal(document.interrupted, false)
    assert.equal(document.checks.length, 7)
    assert.ok(document.checks.every((check: {passed: boolean}) => check.passed))
    assert.deepEqual(document.config.mix, [
      {op: 'stall', weight: 1},
      {op: 'nop', weight: 3},
      {op: 'timer', weight: 3},
      {op: 'socket', weight: 3},
    ])
    const {stress} = document
    assert.equal(stress.submitted, stress.completed + stress.timedOut + stress.abandoned)
    assert.equal(stress.submitted, stress.requesterEnds)
    assert.equal(stress.submitted, stress.counters.opsAccepted)
    assert.ok(stress.stalls.ops > 0)
    assert.equal(stress.stalls.timedOut, stress.stalls.ops)
    assert.equal(stress.lateness.count, stress.stalls.ops)
    assert.equal(stress.lateness.early, 0)
    assert.ok(stress.lateness.p50 <= stress.lateness.p99 && stress.lateness.p99 <= stress.lateness.max)
    assert.match(stress.lateness.histogram, /^HISTF/)
    assert.ok(stress.windows.count > 0)
    assert.ok(document.withoutStalls.normalOpsPerSec > 0)
    assert.ok(document.normalThroughputRatio > 0)
    const {withoutTimeouts, withTimeouts} = document.liveness
    assert.equal(withoutTimeouts.stalls.length, 1)
    assert.equal(withoutTimeouts.stalls[0].queued, 2)
    assert.deepEqual(
      withTimeouts.ops.map((op: {name: string; resultName: string; result: number}) => [op.name, op.resultName || op.result]),
      [
        ['read(fd1)', 'ETIMEDOUT'],
        ['read(fd2)', 'ETIMEDOUT'],
        ['write(fd1)', 10],
        ['write(fd2)', 10],
      ],
    )
  })

  test('a slack no timeout can meet fails the lateness check: exit 1, named on stderr', async () => {
    const {status, stdout, stderr} = await runCli(['stress-timeouts', ...QUICK, '--slack', '0ns', '--skip-liveness'])
    assert.equal(status, 1, stdout + stderr)
    assert.match(stdout, /^FAIL {2}within the timeout \+ slack: \d+ of \d+ came later than 5 ms \+ 0 ns slack/m)
    assert.match(stdout, /^PASS {2}no op lost: /m)
    assert.deepEqual(lines(stderr), ['Error: 1 of 5 checks failed: within the timeout + slack'])
  })

  test('--format junit: one case per check, the failed one a failure, exit 1', async () => {
    const {status, stdout} = await runCli(['stress-timeouts', ...QUICK, '--slack', '0ns', '--skip-liveness', '--format', 'junit'])
    assert.equal(status, 1)
    assertValidJunit(stdout)
    assert.match(stdout, /<testsuite name="stress-timeouts" tests="5" failures="1" errors="0" skipped="0"/)
    assert.match(
      stdout,
      /<testcase classname="stress-timeouts" name="within the timeout \+ slack" time="0\.000">\n\s*<failure message="\d+ of \d+ came later/,
    )
  })

  test('with --json a failed check still prints the document, and exits 1', async () => {
    const {status, stdout} = await runCli(['stress-timeouts', ...QUICK, '--slack', '0ns', '--skip-liveness', '--json'])
    assert.equal(status, 1)
    const document = JSON.parse(stdout)
    assert.equal(document.passed, false)
    assert.equal(document.liveness, null)
    assert.deepEqual(
      document.checks.filter((check: {passed: boolean}) => !check.passed).map((check: {name: string}) => check.name),
      ['within the timeout + slack'],
    )
  })

  const badInputs: Array<[string, string[], string]> = [
    [
      'a mix without stalls',
      ['--mix', 'nop=1'],
      "Error: --mix: 'nop=1' is not allowed; it needs stall with a weight above 0; use stall plus normal kinds from: nop, timer, socket (e.g. stall=1,nop=3,timer=3,socket=3)",
    ],
    [
      'a mix of stalls only',
      ['--mix', 'stall=1'],
      "Error: --mix: 'stall=1' is not allowed; it needs a normal kind with a weight above 0; use stall plus normal kinds from: nop, timer, socket (e.g. stall=1,nop=3,timer=3,socket=3)",
    ],
    [
      'a file kind in the mix',
      ['--mix', 'stall=1,file-read=1'],
      "Error: --mix: 'stall=1,file-read=1' is not allowed; use stall plus normal kinds from: nop, timer, socket (e.g. stall=1,nop=3,timer=3,socket=3)",
    ],
    [
      'an unknown kind in the mix',
      ['--mix', 'stall=1,teleport=2'],
      "Error: --mix: 'stall=1,teleport=2' is not allowed; use kind=weight pairs such as 'file-read=3,socket=1' with kinds: nop, timer, file-read, file-write, socket, stall",
    ],
    ['a zero op timeout', ['--op-timeout', '0'], "Error: --op-timeout: '0' is not allowed; an op timeout must be longer than 0"],
    ['a negative slack', ['--slack', '-1ms'], "Error: --slack: '-1ms' is not allowed; durations cannot be negative"],
    [
      'a timer as long as the op timeout',
      ['--timer', '10ms'],
      "Error: --timer: '10 ms' is not allowed; it must be shorter than --op-timeout (10 ms), or the normal timers would time out too",
    ],
    [
      'a run too short for the timeout',
      ['--duration', '50ms'],
      "Error: --duration: '50 ms' is not allowed; give at least 10 × --op-timeout (100 ms), so stalls time out and free their waiters many times over",
    ],
    [
      'a watchdog quicker than the timeout',
      ['--watchdog', '5ms'],
      "Error: --watchdog: '5 ms' is not allowed; it must be longer than --op-timeout (10 ms), so the timeouts recover before the watchdog would step in (or give --skip-liveness)",
    ],
    [
      'ring size 0',
      ['--ring-size', '0'],
      'Error: --ring-size: 0 is not allowed; use a whole number from 1 to 16384 (with an op timeout each op takes two SQ entries, so the kernel maximum of 32768 allows 16384)',
    ],
    ['no submitters', ['--submitters', '0'], 'Error: --submitters: 0 is not allowed; use a whole number from 1 to 256'],
    ['a depth that is not a number', ['--depth', 'deep'], "Error: --depth: 'deep' is not allowed; use a whole number"],
  ]
  for (const [what, args, message] of badInputs) {
    test(`refuses ${what} with one line and exit 2`, async () => {
      const {status, stdout, stderr} = await runCli(['stress-timeouts', ...args])
      assert.equal(status, 2, stderr)
      assert.equal(stdout, '')
      assert.deepEqual(lines(stderr), [message])
    })
  }
})
