// scripts/bench/instructions-per-op.mjs: its refusals, and one real count under callgrind (it
// builds loop-bench in native/build-rel first, as a user's run would).
import assert from 'node:assert/strict'
import {fileURLToPath} from 'node:url'
import {describe, test} from 'node:test'

import {lines, runProcess} from '../helpers/cli.js'

const SCRIPT = fileURLToPath(new URL('../../scripts/bench/instructions-per-op.mjs', import.meta.url))
const run = (args: string[]) => runProcess(process.execPath, [SCRIPT, ...args], {env: process.env, timeoutMs: 600_000})

describe('instructions-per-op', () => {
  for (const [args, message] of [
    [['--depth', '8,x'], "Error: --depth: expected whole numbers of at least 1 separated by commas, got '8,x'"],
    [['--ops', '0'], "Error: --ops: expected a whole number of at least 1, got '0'"],
    [['--ops', '5,6'], "Error: --ops: expected a whole number of at least 1, got '5,6'"],
    [['--top', 'x'], "Error: --top: expected a whole number of at least 0, got 'x'"],
    [['--top', '-1'], "Error: Option '--top' argument is ambiguous."],
    [['--design', 'sideways'], "Error: --design: expected same-thread or cross-thread, got 'sideways'"],
    [['--trials', '3'], /^Error: Unknown option '--trials'/],
  ] as const) {
    test(`refuses ${args.join(' ')} in one line, exit 2`, async () => {
      const result = await run([...args])
      assert.equal(result.status, 2, result.stderr)
      assert.equal(lines(result.stderr).length, 1, result.stderr)
      if (typeof message === 'string') assert.equal(lines(result.stderr)[0], message)
      else assert.match(result.stderr, message)
      assert.equal(result.stdout, '')
    })
  }

  test('counts the loop and the raw ring per op, and names the loop’s costliest functions', async () => {
    const result = await run(['--depth', '8', '--ops', '3000', '--top', '3'])
    assert.equal(result.status, 0, result.stderr)
    const row = lines(result.stdout).find((line) => line.trim().startsWith('same-thread'))
    assert.ok(row, result.stdout)
    const [, depth, raw, loop, ratio] = row.trim().split(/\s+/)
    assert.equal(depth, '8')
    // Per op, setup cancelled: the loop runs the raw ring's work plus its bookkeeping, so more
    // instructions, never fewer; a figure out of all proportion is a broken count.
    assert.ok(Number(raw) > 50 && Number(loop) > Number(raw) && Number(loop) < 4 * Number(raw), row)
    assert.equal(Number(ratio).toFixed(2), (Number(loop) / Number(raw)).toFixed(2))
    const costliest = lines(result.stdout.split('costliest functions')[1] ?? '').slice(1)
    assert.equal(costliest.length, 3, result.stdout)
    for (const line of costliest) assert.match(line, /^\s+\d+\.\d {2}native\/core\/\S+\.(cc|h):/)
  })
})
