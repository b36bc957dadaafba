// Ctrl-C during a run stops it cleanly: the partial report says it was interrupted, exit 130.
// Running out of a limit of the machine is exit 3 with the reason.
import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {test} from 'node:test'

import {BIN, runCli} from '../helpers/cli.ts'

function interruptAfter(args: string[], delayMs: number): Promise<{status: number | null; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {env: {...process.env, NO_COLOR: '1'}})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    // Interrupt once it is measuring: start-up takes about a second on a loaded machine.
    setTimeout(() => child.kill('SIGINT'), delayMs)
    child.on('exit', (status) => resolve({status, stdout, stderr}))
  })
}

test('SIGINT mid-run prints what was measured, says it was interrupted, and exits 130', async () => {
  const {status, stdout} = await interruptAfter(['bench', '--op', 'nop', '--depth', '32', '--duration', '60s', '--warmup', '0'], 4000)
  assert.equal(status, 130)
  // The run would last 60 s; the test's own timeout catches an interrupt that is ignored.
  assert.match(stdout, /│ loop\s+│\s+[\d.]+ [kM]? ?│/)
  assert.match(stdout, /Interrupted: the figures above cover only what ran before the interrupt\./)
})

test('SIGINT with --json still prints one document, marked interrupted', async () => {
  const {status, stdout} = await interruptAfter(['run', 'default', '--json'], 4000)
  assert.equal(status, 130)
  const document = JSON.parse(stdout)
  assert.equal(document.interrupted, true)
  assert.ok(document.workloads.length >= 1)
  assert.ok(document.workloads[0].systems[0].ops > 0)
})

test('SIGINT during start-up ends without a stack trace or a report', async () => {
  const {status, stdout, stderr} = await interruptAfter(['bench', '--duration', '60s'], 150)
  // Either Node had not yet handed control to the command (killed by the signal, status null)
  // or the command saw it first; in no case a stack trace or a report.
  assert.ok(status === 130 || status === null, String(status))
  assert.doesNotMatch(stderr, /at .*\.js:\d+/)
  assert.equal(stdout, '')
})

test('out of descriptors (RLIMIT_NOFILE) is said in one line with the fix, exit 3', async () => {
  // 100 socket pairs need 200 descriptors: refused before connecting them.
  const {status, stdout, stderr} = await runCli(['bench', '--op', 'socket', '--connections', '100', '--duration', '100ms'], {
    wrapper: ['prlimit', '--nofile=64', '--'],
  })
  assert.equal(status, 3, stderr)
  assert.equal(stdout, '')
  assert.match(stderr, /^Error: RLIMIT_NOFILE is 64, this run needs about 2\d\d: ulimit -n 2\d\d .*\n$/)
})
