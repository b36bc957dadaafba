// What --help shows: defaults as a user writes them (durations and sizes with their units), and
// examples that run as printed.
import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {after, describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'

import {type Command, Config, Help} from '@oclif/core'

import {parseDuration, parseSize} from '../../src/units.ts'
import {BIN, runCli} from '../helpers/cli.ts'

interface ManifestFlag {
  type: 'option' | 'boolean'
  helpValue?: string
  default?: unknown
}

/** Our commands as --help reads them: the manifest the build writes. */
const manifest = JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as {
  commands: Record<string, {flags: Record<string, ManifestFlag>}>
}

describe('--help defaults', () => {
  const flags = Object.entries(manifest.commands).flatMap(([id, command]) =>
    Object.entries(command.flags).map(([name, flag]) => ({where: `${id} --${name}`, flag})),
  )

  test('every duration and size default has a unit and reads back as the flag takes it', () => {
    const typed = flags.filter(({flag}) => /^(DURATION|SIZE)/.test(flag.helpValue ?? '') && flag.default !== undefined)
    assert.ok(typed.length >= 10, `only ${typed.length} duration or size defaults`)
    for (const {where, flag} of typed) {
      const shown = String(flag.default)
      if (shown === 'none' && flag.helpValue === 'DURATION|none') continue
      assert.match(shown, /^\d+(\.\d+)?[a-zµ]+$/i, where)
      if (flag.helpValue!.startsWith('DURATION')) parseDuration(shown, where)
      else parseSize(shown, where)
    }
  })

  test('no default is a bare count of nanoseconds or bytes', () => {
    for (const {where, flag} of flags) {
      const value = flag.type === 'option' ? flag.default : undefined
      if (typeof value === 'number' || typeof value === 'string') assert.doesNotMatch(String(value), /^\d{5,}$/, where)
    }
  })

  test('shutdown-drill --help shows its timeouts and deadline with units', async () => {
    const {status, stdout} = await runCli(['shutdown-drill', '--help'])
    assert.equal(status, 0)
    assert.match(stdout, /--op-timeout=DURATION\|none +\[default: 50ms\]/)
    assert.match(stdout, /--round-deadline=DURATION +\[default: 10s\]/)
  })
})

/** What `iouring-bench COMMAND --help` prints (oclif's Help, as the CLI calls it). */
class PrintedHelp extends Help {
  text(command: Command.Loadable): string {
    // formatCommand spells the id as typed (report merge), in place: give it a copy.
    return this.formatCommand({...command})
  }
}

/** Every command's help, plugins' commands too. */
const config = await Config.load(fileURLToPath(new URL('../..', import.meta.url)))
const printed = new PrintedHelp(config, {stripAnsi: true, maxWidth: 80})
const helps = config.commands.filter((command) => !command.hidden).map((command) => ({id: command.id, text: printed.text(command)}))

/** The commands of a help's EXAMPLES: each `$ ` line and the lines its trailing `\\` continues. */
function examplesIn(help: string): string[] {
  const section = /^EXAMPLES\n([^]*?)(?=^[A-Z][A-Z ]+$|(?![^]))/m.exec(help)?.[1] ?? ''
  const examples: string[] = []
  let open = false
  for (const line of section.split('\n')) {
    const start = /^ +\$ (.*)$/.exec(line)
    if (start) examples.push(start[1])
    else if (open) examples[examples.length - 1] += `\n${line}`
    else continue
    open = line.endsWith(' \\')
  }
  return examples
}

interface Outcome {
  status: number
  stdout: string
  stderr: string
  seconds: number
}

describe('every example in every --help runs as printed', () => {
  // An empty folder, `iouring-bench` on the PATH as a user has it; the examples run by sh.
  const dir = mkdtempSync(path.join(tmpdir(), 'iob-examples-'))
  after(() => rmSync(dir, {recursive: true, force: true}))
  const bin = path.join(dir, '.bin')
  mkdirSync(bin)
  symlinkSync(BIN, path.join(bin, 'iouring-bench'))
  const {GITHUB_STEP_SUMMARY, ...inherited} = process.env
  const env = {...inherited, PATH: `${bin}:${process.env.PATH}`, HOME: dir, XDG_CACHE_HOME: path.join(dir, '.cache'), NO_COLOR: '1'}

  const run = (command: string): Promise<Outcome> =>
    new Promise((resolve) => {
      const start = performance.now()
      const child = execFile('sh', ['-c', command], {cwd: dir, env, timeout: 120_000, maxBuffer: 64 << 20}, (error, stdout, stderr) => {
        const seconds = (performance.now() - start) / 1000
        resolve({status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr, seconds})
      })
      child.stdin?.end()
    })

  // Each command's examples in order (an example may use what an earlier one wrote), the commands
  // side by side; then the report topic's, which render the files the others wrote.
  const reads = (id: string): boolean => id === 'report' || id.startsWith('report:')
  const chain = async (id: string, results: Map<string, Promise<Outcome>>): Promise<void> => {
    for (const example of examplesIn(helps.find((help) => help.id === id)!.text)) {
      const outcome = run(example)
      results.set(`${id}\0${example}`, outcome)
      await outcome
    }
  }
  const outcomes = new Map<string, Promise<Outcome>>()
  const writers = Promise.all(helps.filter(({id}) => !reads(id)).map(({id}) => chain(id, outcomes)))
  const readers = writers.then(async () => {
    for (const {id} of helps.filter(({id}) => reads(id))) await chain(id, outcomes)
  })

  test('every command of ours has examples, and each is one command line', () => {
    for (const id of Object.keys(manifest.commands)) {
      const examples = examplesIn(helps.find((help) => help.id === id)!.text)
      assert.ok(examples.length > 0, `${id} has no examples`)
      for (const example of examples) assert.doesNotMatch(example, /\\\n\s*iouring-bench /, `${id}: two commands joined: ${example}`)
    }
  })

  for (const {id, text} of helps) {
    for (const example of examplesIn(text)) {
      test(`${example.replace(/ \\\n\s*/g, ' ')}`, async (t) => {
        await (reads(id) ? readers : writers)
        const {status, stdout, stderr, seconds} = await outcomes.get(`${id}\0${example}`)!
        t.diagnostic(`${seconds.toFixed(1)} s`)
        // 1 is a check's or a gate's verdict (their own tests judge those), not a failure to run.
        assert.ok(status === 0 || status === 1, `exit ${status}: ${stderr}${stdout.slice(0, 2000)}`)
        assert.doesNotMatch(stderr, /internal error|Nonexistent flag|Unexpected argument/)
      })
    }
  }
})
