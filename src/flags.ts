// Flag types shared by the commands: whole numbers, durations and sizes with units. They only
// convert; range rules live with the settings they constrain (src/settings/), so a profile entry
// and a flag are held to the same rules.

import {Flags, type Interfaces} from '@oclif/core'

import {invalidValue} from './errors.js'
import type {DocumentName} from './model/envelope.js'
import {FORMAT_NAMES, type FormatName, formatForFile, formatsFor, isFormatName, KNOWN_EXTENSIONS} from './report/formats.js'
import {durationInput, parseDuration, parseSize, sizeInput} from './units.js'

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

// Durations and sizes show their defaults in --help as a user writes them (`2s`, not 2000000000).
// oclif reads a flag's help default from `defaultHelp` when it is a function, so these read the
// flag's own default.

export const durationFlag = Flags.custom<number>({
  helpValue: 'DURATION',
  async defaultHelp({options}) {
    return typeof options.default === 'number' ? durationInput(options.default) : undefined
  },
  async parse(input, _context, options) {
    return parseDuration(input, `--${options.name}`)
  },
})

/** A duration, or `none` (null): a timeout that may be left off. */
export const durationOrNoneFlag = Flags.custom<number | null>({
  helpValue: 'DURATION|none',
  async defaultHelp({options}) {
    if (options.default === null) return 'none'
    return typeof options.default === 'number' ? durationInput(options.default) : undefined
  },
  async parse(input, _context, options) {
    if (input.trim().toLowerCase() === 'none') return null
    try {
      return parseDuration(input, `--${options.name}`)
    } catch {
      throw invalidValue(`--${options.name}`, input, 'use a duration (e.g. 20ms, 1s) or none')
    }
  },
})

export const sizeFlag = Flags.custom<number>({
  helpValue: 'SIZE',
  async defaultHelp({options}) {
    return typeof options.default === 'number' ? sizeInput(options.default) : undefined
  },
  async parse(input, _context, options) {
    return parseSize(input, `--${options.name}`)
  },
})

/**
 * Refuses two flags that say one thing two ways (`--ops` and `--duration`), naming what was given
 * for each: oclif's own `exclusive` names a flag's default instead of its value.
 */
export function refuseBoth(raw: Interfaces.ParserOutput['raw'], first: string, second: string, allowed: string): void {
  // oclif refuses a flag given twice before this runs, so each is here once at most.
  const given = (name: string): string | undefined => raw.find((token) => token.type === 'flag' && token.flag === name)?.input
  const [a, b] = [given(first), given(second)]
  if (a !== undefined && b !== undefined) throw invalidValue(`--${first}`, a, `--${second} ${b} was given too; ${allowed}`)
}

/** A comma-separated list, e.g. `--vs raw,fio`. */
export const listFlag = Flags.custom<string[]>({
  async parse(input) {
    return input
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean)
  },
})

/**
 * A Prometheus Pushgateway's address for --push: http or https, checked here so that a typo fails
 * before the run; the value is the URL as given (report/push.ts adds the grouping key's path).
 */
const pushFlag = Flags.custom<string>({
  helpValue: 'URL',
  async parse(input, _context, options) {
    const allowed = 'use the http:// or https:// URL of a Prometheus Pushgateway, e.g. http://localhost:9091'
    let url: URL
    try {
      url = new URL(input)
    } catch {
      throw invalidValue(`--${options.name}`, input, allowed)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidValue(`--${options.name}`, input, allowed)
    if (url.search || url.hash) throw invalidValue(`--${options.name}`, input, `${allowed}, without a query or fragment`)
    return input
  },
})

const formatFlag = Flags.custom<FormatName>({
  async parse(input, _context, options) {
    if (!isFormatName(input)) throw invalidValue(`--${options.name}`, input, `use one of: ${FORMAT_NAMES.join(', ')}`)
    return input
  },
})

/**
 * Where every command that reports sends it (see report/output.ts for the convention); the help
 * lists the forms of what the command prints (`documents`), or all of them. --push is there for
 * every command, so that one whose document has no Prometheus form refuses it naming what it
 * applies to (base-command.ts), but its help shows it only where it applies.
 */
export function outputFlags(documents?: DocumentName) {
  const formats = documents ? formatsFor(documents) : FORMAT_NAMES
  const extensions = KNOWN_EXTENSIONS.filter((extension) => formats.includes(formatForFile(extension)!))
  const filesOnly = formats.includes('github-benchmark') ? ' (github-benchmark: files only)' : ''
  const parts = formats.includes('hgrm') ? '. Forms of several files (hgrm, github-benchmark) write FILE.<part>.<ext>' : ''
  return {
    format: formatFlag({
      description: `form of the report: ${formats.join(', ')}; on stdout, or in the --output file${filesOnly}`,
      helpGroup: 'OUTPUT',
    }),
    output: Flags.string({
      char: 'o',
      description:
        `write the report to this file, in the --format given or the one its extension names (${extensions.join(' ')}); ` +
        `the terminal report still goes to stdout${parts}`,
      helpGroup: 'OUTPUT',
    }),
    push: pushFlag({
      description:
        'once the result is printed, send its metrics (the prometheus form) to this Prometheus Pushgateway: PUT ' +
        'URL/metrics/job/iouring-bench/instance/<hostname of the run>, replacing what that host pushed before',
      helpGroup: 'OUTPUT',
      hidden: !formats.includes('prometheus'),
    }),
  }
}
