// Flag types shared by the commands: whole numbers, durations and sizes with units. They only
// convert; range rules live with the data they constrain (bench/spec.ts), so a profile entry and
// a flag are held to the same rules.

import {Flags} from '@oclif/core'

import {invalidValue} from './errors.js'
import {parseDuration, parseSize} from './units.js'

export const integerFlag = Flags.custom<number>({
  async parse(input, _context, options) {
    if (!/^\s*\d+\s*$/.test(input)) throw invalidValue(`--${options.name}`, input, 'use a whole number')
    return Number(input)
  },
})

/** A number, whole or not (e.g. a rate of 2500.5 ops/s). */
export const numberFlag = Flags.custom<number>({
  async parse(input, _context, options) {
    if (!/^\s*-?\d+(\.\d+)?\s*$/.test(input)) throw invalidValue(`--${options.name}`, input, 'use a number')
    return Number(input)
  },
})

export const durationFlag = Flags.custom<number>({
  async parse(input, _context, options) {
    return parseDuration(input, `--${options.name}`)
  },
})

export const sizeFlag = Flags.custom<number>({
  async parse(input, _context, options) {
    return parseSize(input, `--${options.name}`)
  },
})

/** A comma-separated list, e.g. `--vs raw,fio`. */
export const listFlag = Flags.custom<string[]>({
  async parse(input) {
    return input
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)
  },
})
