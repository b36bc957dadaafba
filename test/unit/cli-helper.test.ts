// The tests' runCli reports a crash or a hang as such, never as an exit status: a test expecting
// exit 1 must fail for a CLI that segfaulted or hung. The wrappers stand in for the CLI (the node
// command they are handed is never run).

import assert from 'node:assert/strict'
import {test} from 'node:test'

import {runCli} from '../helpers/cli.ts'

test('a child that exits 1 has status 1', async () => {
  const result = await runCli([], {wrapper: ['sh', '-c', 'exit 1']})
  assert.deepEqual([result.status, result.signal, result.timedOut], [1, null, false])
})

test('a child killed by SIGSEGV has no status, only the signal', async () => {
  const result = await runCli([], {wrapper: ['sh', '-c', 'ulimit -c 0; kill -SEGV $$']})
  assert.deepEqual([result.status, result.signal, result.timedOut], [null, 'SIGSEGV', false])
})

test('a child that hangs past the timeout has no status, even when it exits 1 on SIGTERM', async () => {
  const result = await runCli([], {wrapper: ['sh', '-c', 'exec sleep 30'], timeoutMs: 200})
  assert.deepEqual([result.status, result.signal, result.timedOut], [null, 'SIGTERM', true])
  // A CLI that ends itself on SIGTERM with a status of its own is still a hang.
  const handled = await runCli([], {wrapper: ['sh', '-c', "trap 'exit 1' TERM; while :; do sleep 0.05; done"], timeoutMs: 200})
  assert.deepEqual([handled.status, handled.signal, handled.timedOut], [null, null, true])
})
