// Fuzzing what users type: every command's flags and arguments, and the profile parser, take
// random and malformed input and must always answer with exit 2 and one line, never a crash.
// Bounded for CI (IOB_FUZZ_CASES scales it); seeds are printed so a failure replays:
//   IOB_FUZZ_SEED=1234 node --import tsx --test test/fuzz/inputs.test.ts
import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {test} from 'node:test'

import {Config, run} from '@oclif/core'
import {parse as parseYaml, stringify as stringifyYaml} from 'yaml'

import {UsageError} from '../../src/errors.ts'
import {seededRandom} from '../../src/gate/statistics.ts'
import {loadProfile, PROFILE_DIR, shippedProfiles} from '../../src/profiles/load.ts'

const ROOT = new URL('../../package.json', import.meta.url).href
const SCALE = Number(process.env.IOB_FUZZ_CASES ?? 1)
const SEED = Number(process.env.IOB_FUZZ_SEED ?? Date.now() % 1_000_000)

type Random = () => number
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]

const ALPHABET = 'abcz019-._/ =,:;µé∂\u0000\t\n"\'[]{}#*&!%$'
function garbage(random: Random): string {
  const forms = [
    () => Array.from({length: 1 + Math.floor(random() * 12)}, () => pick(random, [...ALPHABET])).join(''),
    () => String(-Math.floor(random() * 1e6)),
    () => `${Math.floor(random() * 100)}${pick(random, ['xs', 'qq', 'e', '..', ' s', 'k k', 'MiBB'])}`,
    () => pick(random, ['', ' ', '-', '--', '1e400', 'NaN', 'Infinity', '0x10', '1.5.5', '9'.repeat(40), '-0s', '∞']),
    () => 'x'.repeat(1 + Math.floor(random() * 5000)),
  ]
  return pick(random, forms)()
}

interface CapturedRun {
  exitCode: number
  stdout: string
  stderr: string
}

async function runInProcess(argv: string[]): Promise<CapturedRun> {
  const out: string[] = []
  const err: string[] = []
  // Saved only to be put back as they were, never called detached.
  /* eslint-disable @typescript-eslint/unbound-method */
  const writeOut = process.stdout.write
  const writeErr = process.stderr.write
  /* eslint-enable @typescript-eslint/unbound-method */
  process.stdout.write = (chunk: unknown) => (out.push(String(chunk)), true)
  process.stderr.write = (chunk: unknown) => (err.push(String(chunk)), true)
  process.exitCode = 0
  try {
    await run(argv, ROOT)
  } catch (error) {
    err.push(`THROWN: ${(error as Error).stack}`)
  } finally {
    process.stdout.write = writeOut
    process.stderr.write = writeErr
  }
  const exitCode = Number(process.exitCode ?? 0)
  process.exitCode = 0
  return {exitCode, stdout: out.join(''), stderr: err.join('')}
}

interface FlagInfo {
  name: string
  type: 'boolean' | 'option'
  /** A value the flag itself refuses, if it has one that is invalid by construction. */
  refuses?: (value: string) => Promise<boolean>
}

/** Whether a flag refuses some value at all (a free string flag accepts anything). */
async function refusesSomething(info: FlagInfo): Promise<boolean> {
  for (const probe of ['zz', '-1', '', '1.5', 'x\u0000']) if (await info.refuses!(probe)) return true
  return false
}

async function commandFlags(config: Config): Promise<Map<string, FlagInfo[]>> {
  const commands = new Map<string, FlagInfo[]>()
  for (const command of config.commands) {
    // Ours only: the plugins' commands (help, autocomplete) answer bad input in oclif's own words
    // (exit 2, the error and the usage), and in process they throw it.
    if (command.pluginName !== config.pjson.name) continue
    const loaded = await command.load()
    // Shared flags (--format, --output) come from the base class; --json is added by oclif itself.
    const flags = Object.entries({...loaded.baseFlags, ...loaded.flags}).map(([name, flag]) => {
      const definition = flag as {
        type: 'boolean' | 'option'
        parse?: (input: string, context: unknown, options: unknown) => Promise<unknown>
        options?: string[]
      }
      const info: FlagInfo = {name, type: definition.type}
      if (definition.type === 'option' && (definition.parse || definition.options)) {
        info.refuses = async (value) => {
          if (definition.options) return !definition.options.includes(value)
          try {
            await definition.parse!(value, {}, {name})
            return false
          } catch {
            return true
          }
        }
      }
      return info
    })
    for (const info of flags) if (info.refuses && !(await refusesSomething(info))) delete info.refuses
    commands.set(command.id, flags)
  }
  return commands
}

test(`every command answers malformed flags with exit 2 and one line (seed ${SEED})`, async () => {
  const config = await Config.load(ROOT)
  const commands = await commandFlags(config)
  const random = seededRandom(SEED)
  const cases = Math.round(60 * SCALE)
  for (const [id, flags] of commands) {
    for (let i = 0; i < cases; i++) {
      // One piece that is wrong by construction...
      const argv: string[] = [id]
      const checked = flags.filter((flag) => flag.refuses)
      if (checked.length > 0 && random() < 0.7) {
        const flag = pick(random, checked)
        let value = garbage(random)
        for (let tries = 0; !(await flag.refuses!(value)) && tries < 20; tries++) value = garbage(random)
        if (!(await flag.refuses!(value))) value = 'zz'
        argv.push(`--${flag.name}`, value)
      } else {
        argv.push(`--${garbage(random).replace(/[^a-z]/g, '') || 'x'}-unknown`)
      }
      // ...and random noise around it, valid or not, in any order.
      for (let n = Math.floor(random() * 4); n > 0; n--) {
        const flag = pick(random, flags)
        argv.splice(
          1 + Math.floor(random() * argv.length),
          0,
          ...(flag.type === 'boolean' ? [`--${flag.name}`] : [`--${flag.name}`, garbage(random)]),
        )
      }
      if (random() < 0.2) argv.push('--json')
      const result = await runInProcess(argv)
      const replay = `seed ${SEED}, argv ${JSON.stringify(argv)}`
      assert.doesNotMatch(result.stderr, /THROWN|\n\s+at /, `crashed: ${replay}\n${result.stderr}`)
      assert.equal(result.exitCode, 2, `exit ${result.exitCode}: ${replay}\n${result.stderr}${result.stdout.slice(0, 500)}`)
      // oclif reads --json only before a bare `--`.
      const endOfFlags = argv.indexOf('--')
      const json = argv.includes('--json') && (endOfFlags < 0 || argv.indexOf('--json') < endOfFlags)
      if (json) {
        assert.doesNotThrow(() => JSON.parse(result.stdout), `not one JSON document: ${replay}\n${result.stdout}${result.stderr}`)
        const document = JSON.parse(result.stdout)
        assert.equal(document.error.exitCode, 2, replay)
      } else {
        assert.equal(result.stdout, '', replay)
        const lines = result.stderr.split('\n').filter(Boolean)
        assert.equal(lines.length, 1, `${replay}\n${result.stderr}`)
        assert.match(lines[0], /^Error: /, replay)
      }
    }
  }
})

function mutateText(text: string, random: Random): string {
  let mutated = text
  for (let edits = 1 + Math.floor(random() * 4); edits > 0; edits--) {
    const at = Math.floor(random() * (mutated.length + 1))
    const kind = random()
    if (kind < 0.4) mutated = mutated.slice(0, at) + pick(random, [...ALPHABET]) + mutated.slice(at)
    else if (kind < 0.7) mutated = mutated.slice(0, at) + mutated.slice(at + 1 + Math.floor(random() * 8))
    else mutated = mutated.slice(0, at) + garbage(random) + mutated.slice(at + 1)
  }
  return mutated
}

function mutateStructure(text: string, random: Random): string {
  const data = parseYaml(text)
  const values = [
    () => garbage(random),
    () => -Math.floor(random() * 100),
    () => random() * 1e12,
    () => null,
    () => [],
    () => ({}),
    () => random() < 0.5,
    () => 0,
  ]
  // Walk to a random node and replace it, or add a stray key.
  let node: Record<string, unknown> = data
  for (let depth = 0; depth < 4; depth++) {
    const keys = Object.keys(node)
    if (keys.length === 0) break
    const key = pick(random, keys)
    const child = node[key]
    if (child && typeof child === 'object' && random() < 0.6) {
      node = child as Record<string, unknown>
      continue
    }
    node[random() < 0.8 ? key : garbage(random)] = pick(random, values)()
    break
  }
  return stringifyYaml(data)
}

test(`the profile parser answers malformed profiles with a one-line UsageError (seed ${SEED})`, () => {
  const random = seededRandom(SEED + 1)
  const dir = mkdtempSync(path.join(tmpdir(), 'iob-fuzz-'))
  const sources = shippedProfiles().map((name) => readFileSync(path.join(PROFILE_DIR, `${name}.yaml`), 'utf8'))
  const cases = Math.round(800 * SCALE)
  let refused = 0
  for (let i = 0; i < cases; i++) {
    const source = pick(random, sources)
    const text = random() < 0.5 ? mutateText(source, random) : mutateStructure(source, random)
    const file = path.join(dir, `case-${i}.yaml`)
    writeFileSync(file, text)
    try {
      loadProfile(file)
    } catch (error) {
      const replay = `seed ${SEED}, case ${i}:\n${text}`
      assert.ok(error instanceof UsageError, `not a UsageError (${(error as Error).stack}) for ${replay}`)
      assert.ok(!error.message.includes('\n'), `more than one line: ${error.message}\n${replay}`)
      assert.match(error.message, /(case-\d+\.yaml(:\d+)?: |profile: )/, replay)
      refused++
    }
  }
  assert.ok(refused > cases / 4, `only ${refused} of ${cases} mutations were refused: the mutator is too gentle`)
})
