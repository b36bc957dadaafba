// Flag types shared by the commands: whole numbers, durations and sizes with units. They only
// convert; range rules live with the data they constrain (bench/spec.ts), so a profile entry and
// a flag are held to the same rules.

import {Flags} from '@oclif/core'

import {invalidValue} from './errors.js'
import {FORMAT_NAMES, type FormatName, isFormatName, KNOWN_EXTENSIONS} from './report/formats.js'
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

export const formatFlag = Flags.custom<FormatName>({
  async parse(input, _context, options) {
    if (!isFormatName(input)) throw invalidValue(`--${options.name}`, input, `use one of: ${FORMAT_NAMES.join(', ')}`)
    return input
  },
})

/** Where every command that reports sends it (see report/output.ts for the convention). */
export const outputFlags = {
  format: formatFlag({
    description: `form of the report: ${FORMAT_NAMES.join(', ')}; on stdout, or in the --output file (github-benchmark: files only)`,
    helpGroup: 'OUTPUT',
  }),
  output: Flags.string({
    char: 'o',
    description:
      `write the report to this file, in the --format given or the one its extension names (${KNOWN_EXTENSIONS.join(' ')}); ` +
      'the terminal report still goes to stdout. Forms of several files (hgrm, github-benchmark) write FILE.<part>.<ext>',
    helpGroup: 'OUTPUT',
  }),
}
