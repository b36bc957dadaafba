// What a person at a terminal sees while a run goes: the tests run the CLI under script(1), which
// gives it a pseudo-terminal (sized with stty: log-update draws nothing on a 0x0 terminal).
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {test} from 'node:test'

import {BIN} from '../helpers/cli.ts'

function onTerminal(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const command = `stty rows 40 cols 160; exec ${process.execPath} ${BIN} ${args.join(' ')}`
  const {GITHUB_STEP_SUMMARY, NO_COLOR, ...inherited} = process.env
  return new Promise((resolve, reject) => {
    execFile('script', ['-qec', command, '/dev/null'], {env: {...inherited, ...env}, timeout: 60_000}, (error, stdout) =>
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- an Error; @types/node's Omit<> type hides that
      error ? reject(error) : resolve(stdout),
    )
  })
}

test('a run longer than a second shows its progress line on a terminal, then clears it', async () => {
  const screen = await onTerminal(['bench', '--op', 'nop', '--duration', '2s', '--warmup', '0', '--vs', 'none'])
  assert.match(screen, /nop \[loop\] measuring \d[\d.]* s \/ 2 s · [\d.]+ [kM]? ?ops\/s · [\d.]+ SQEs\/enter/)
  assert.match(screen, /\x1b\[2mkernel /, 'colour on a terminal')
})

test('a short run shows no progress line, and NO_COLOR leaves no escape sequence at all', async () => {
  const screen = await onTerminal(['bench', '--op', 'nop', '--ops', '1000', '--warmup', '0', '--vs', 'none'], {NO_COLOR: '1'})
  assert.match(screen, /^kernel /)
  assert.doesNotMatch(screen, /measuring|warming up/)
  assert.doesNotMatch(screen, /\x1b/)
})

test('--json shows no progress line even on a terminal', async () => {
  const screen = await onTerminal(['bench', '--op', 'nop', '--duration', '2s', '--warmup', '0', '--vs', 'none', '--json'])
  assert.doesNotMatch(screen, /measuring/)
  assert.equal(JSON.parse(screen).kind, 'iouring-bench/result')
})

test('advise shows what it races on a terminal: configurations left, the leader, time left', async () => {
  const screen = await onTerminal(['advise', '--op', 'nop', '--depth', '8', '--duration', '50ms', '--warmup', '10ms', '--budget', '3s'])
  assert.match(screen, /advise · \d+ of \d+ configurations racing · \d+ trials · leader: .+ \(.+ ops\/s\) · \d+ s left/)
  assert.match(screen, /advise: --op nop --depth 8 · objective throughput/, 'then the report')
})
