// What --help shows: defaults as a user writes them (durations and sizes with their units).
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'

import {parseDuration, parseSize} from '../../src/units.ts'
import {runCli} from '../helpers/cli.ts'

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
      if (flag.type === 'option' && flag.default !== undefined) assert.doesNotMatch(String(flag.default), /^\d{5,}$/, where)
    }
  })

  test('shutdown-drill --help shows its timeouts and deadline with units', async () => {
    const {status, stdout} = await runCli(['shutdown-drill', '--help'])
    assert.equal(status, 0)
    assert.match(stdout, /--op-timeout=DURATION\|none +\[default: 50ms\]/)
    assert.match(stdout, /--round-deadline=DURATION +\[default: 10s\]/)
  })
})
