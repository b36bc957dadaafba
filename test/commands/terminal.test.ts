// The terminals people have: FORCE_COLOR and NO_COLOR, a pty that reports 0×0 (under `script`,
// some CI runners), a mistyped command with no one to answer a prompt, shell completion.
import assert from 'node:assert/strict'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'

import {BIN, type CliResult, lines, runCli, runProcess} from '../helpers/cli.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'iob-terminal-'))
after(() => rmSync(dir, {recursive: true, force: true}))

/** Runs a program with stdin closed: how it ended and what it printed. */
function shell(program: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runProcess(program, args, {env: {...process.env, ...env}, timeoutMs: 60_000, input: ''})
}

const ESCAPE = '\u001b['

describe('colour', () => {
  const result = path.join(dir, 'result.json')
  before(async () => {
    const {status, stdout, stderr} = await runCli(['bench', '--op', 'nop', '--ops', '2000', '--warmup', '0', '--vs', 'none', '--json'])
    assert.equal(status, 0, stderr)
    writeFileSync(result, stdout)
  })

  // runCli's stdout is a pipe: no colour unless asked for.
  const cases: Array<[string, NodeJS.ProcessEnv, boolean]> = [
    ['a pipe', {NO_COLOR: undefined, FORCE_COLOR: undefined}, false],
    ['a pipe with FORCE_COLOR=1', {NO_COLOR: undefined, FORCE_COLOR: '1'}, true],
    ['a pipe with FORCE_COLOR=0', {NO_COLOR: undefined, FORCE_COLOR: '0'}, false],
    ['a pipe with NO_COLOR=1 and FORCE_COLOR=1', {NO_COLOR: '1', FORCE_COLOR: '1'}, false],
  ]
  for (const [where, env, coloured] of cases) {
    test(`report on ${where}: ${coloured ? 'coloured' : 'plain'}`, async () => {
      const {status, stdout, stderr} = await runCli(['report', result], {env})
      assert.equal(status, 0, stderr)
      assert.equal(stdout.includes(ESCAPE), coloured, JSON.stringify(stdout.slice(0, 200)))
    })
  }

  // Set to anything, the empty string included, NO_COLOR means no colour (ansis alone would colour).
  const SGR = /\u001b\[[\d;]*m/
  test('NO_COLOR set but empty, on a terminal: no colour in the progress line, the report or the help', async () => {
    const bench = `${process.execPath} ${BIN} bench --op nop --duration 1500ms --warmup 0 --vs none`
    const run = await shell('script', ['-qec', bench, '/dev/null'], {NO_COLOR: '', FORCE_COLOR: undefined})
    assert.equal(run.status, 0, run.stdout)
    assert.match(run.stdout, /nop \[loop\] measuring .* ops\/s/, 'the progress line showed')
    assert.match(run.stdout, /kernel \S+ \(/, 'the report printed')
    assert.doesNotMatch(run.stdout, SGR)
    const help = await shell('script', ['-qec', `${process.execPath} ${BIN} bench --help`, '/dev/null'], {
      NO_COLOR: '',
      FORCE_COLOR: undefined,
    })
    assert.equal(help.status, 0, help.stdout)
    assert.match(help.stdout, /USAGE/)
    assert.doesNotMatch(help.stdout, SGR)
  })

  test('probe-kernel asks the same: FORCE_COLOR=1 colours it on a pipe', async () => {
    const {status, stdout, stderr} = await runCli(['probe-kernel'], {env: {NO_COLOR: undefined, FORCE_COLOR: '1'}})
    assert.equal(status, 0, stderr)
    assert.ok(stdout.includes(ESCAPE), JSON.stringify(stdout.slice(0, 200)))
  })

  for (const args of [
    ['probe-kernel'],
    ['stress-timeouts', '--duration', '100ms', '--skip-liveness'],
    ['shutdown-drill', '--rounds', '2'],
  ]) {
    test(`${args[0]}: an empty NO_COLOR outranks FORCE_COLOR=1`, async () => {
      const {status, stdout, stderr} = await runCli(args, {env: {NO_COLOR: '', FORCE_COLOR: '1'}})
      assert.equal(status, 0, stderr)
      assert.doesNotMatch(stdout, SGR)
    })
  }
})

describe('a pty that reports 0 columns and 0 rows', () => {
  test('the progress line still shows (as on an 80×24 terminal)', async () => {
    // `script` runs the command on a new pty; with stdin not a terminal, it stays 0×0.
    const command = `stty size; ${process.execPath} ${BIN} bench --op nop --duration 1500ms --warmup 50ms --vs none`
    const {status, stdout} = await shell('script', ['-qec', command, '/dev/null'], {NO_COLOR: '1'})
    assert.equal(status, 0, stdout)
    assert.match(stdout, /^0 0\r?$/m, 'the pty is not 0×0, so this test shows nothing')
    assert.match(stdout, /nop \[loop\] measuring [\d.]+ m?s \/ 1\.55 s · /)
  })
})

describe('a mistyped command where no one can answer a prompt (stdin not a terminal)', () => {
  // The fewest edits, or the command whose name starts with what was typed.
  for (const [typed, meant] of [
    ['benhc', 'bench'],
    ['stress', 'stress-timeouts'],
  ]) {
    test(`${typed}: one line suggesting ${meant}, exit 2, no prompt`, async () => {
      const {status, stdout, stderr} = await runCli([typed], {timeoutMs: 20_000})
      assert.equal(status, 2, stderr)
      assert.equal(stdout, '')
      assert.deepEqual(lines(stderr), [
        `Error: '${typed}' is not an iouring-bench command; did you mean ${meant}? (iouring-bench --help lists them)`,
      ])
    })
  }
})

describe('a mistyped command on a terminal (plugin-not-found)', () => {
  const ANSWER_PROMPT = fileURLToPath(new URL('../helpers/answer-prompt.py', import.meta.url))
  const answered = (answer: string, args: string[]) =>
    shell('python3', [ANSWER_PROMPT, 'Did you mean', answer, process.execPath, BIN, ...args], {NO_COLOR: '1'})
  // The plugin's prompt colours its words whatever NO_COLOR says.
  const plain = (text: string): string => text.replace(/\u001b\[[\d;?]*[A-Za-z]/g, '')

  test('asks "Did you mean bench?"; yes runs bench with the arguments given', async () => {
    const {status, stdout} = await answered('y', ['benhc', '--op', 'nop', '--ops', '100', '--warmup', '0', '--vs', 'none'])
    assert.equal(status, 0, stdout)
    assert.match(plain(stdout), /Did you mean bench\?/)
    assert.match(plain(stdout), /^nop: nop · 1 submitter × depth 1 · ring 128 · 100 ops\r?$/m)
  })

  test('no: one error line, exit 2', async () => {
    const {status, stdout} = await answered('n', ['benhc'])
    assert.equal(status, 2, stdout)
    assert.match(plain(stdout), /Error: Run iouring-bench help for a list of available commands\./)
  })
})

describe('shell completion (plugin-autocomplete)', () => {
  const env = {HOME: dir, XDG_CACHE_HOME: path.join(dir, 'cache')}

  test('autocomplete bash prints the setup line', async () => {
    const {status, stdout, stderr} = await runCli(['autocomplete', 'bash'], {env})
    assert.equal(status, 0, stderr)
    assert.match(stdout, /printf "\$\(iouring-bench autocomplete script bash\)" >> ~\/\.bashrc/)
  })

  test('the bash script it prints completes commands and flags', async () => {
    const {status, stdout, stderr} = await runCli(['autocomplete', 'script', 'bash'], {env})
    assert.equal(status, 0, stderr)
    const complete = (words: string[]): string =>
      `COMP_WORDS=(${words.join(' ')}); COMP_CWORD=${words.length - 1}; "$f"; echo "${words.at(-1)}: \${COMPREPLY[*]}"`
    const script = [
      stdout,
      'f=$(complete -p iouring-bench | sed -E "s/.* -F ([^ ]+) .*/\\1/")',
      complete(['iouring-bench', 'be']),
      complete(['iouring-bench', 'shutdown-drill', '--mi']),
    ].join('\n')
    const completed = await shell('bash', ['-c', script], env)
    assert.equal(completed.status, 0, completed.stdout)
    assert.deepEqual(lines(completed.stdout), ['be: bench', '--mi: --mix'])
  })
})
