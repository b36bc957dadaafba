// One colour rule: NO_COLOR set to anything, the empty string included, means no colour.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {applyNoColor, noColorSet} from '../../src/color.ts'

// ansis reads the environment once, when it loads: load it where it would colour.
delete process.env.NO_COLOR
process.env.FORCE_COLOR = '1'
const {colorFor} = await import('../../src/report/paint.ts')
const terminal = {isTTY: true} as NodeJS.WriteStream

test('colorFor: a terminal is coloured, unless NO_COLOR is set, even to the empty string', () => {
  try {
    assert.equal(colorFor(terminal), true)
    for (const value of ['', '1', 'false']) {
      process.env.NO_COLOR = value
      assert.equal(colorFor(terminal), false, `NO_COLOR=${JSON.stringify(value)}`)
    }
  } finally {
    delete process.env.NO_COLOR
  }
})

test('applyNoColor turns an empty NO_COLOR into one ansis also reads as no colour, and leaves others alone', () => {
  const cases: Array<[string | undefined, string | undefined]> = [
    ['', '1'],
    ['0', '0'],
    ['yes', 'yes'],
    [undefined, undefined],
  ]
  for (const [given, after] of cases) {
    const env: NodeJS.ProcessEnv = given === undefined ? {} : {NO_COLOR: given}
    applyNoColor(env)
    assert.equal(env.NO_COLOR, after, `NO_COLOR=${JSON.stringify(given)}`)
    assert.equal(noColorSet(env), given !== undefined)
  }
})
