// The one colour decision, and the few styles every terminal form paints with. Only the output
// step (report/output.ts) asks colorFor; renderers get the answer in their options.

import ansis from 'ansis'

import {noColorSet} from '../color.js'

type Style = (text: string) => string

/** The few styles the reports use; plain text when colour is off. */
export interface Paint {
  bold: Style
  dim: Style
  red: Style
  yellow: Style
  green: Style
}

/**
 * Whether what goes to `stream` is coloured, for every command: on a terminal, or anywhere when
 * FORCE_COLOR is set; never with NO_COLOR (set to anything, see color.ts), FORCE_COLOR=0 or
 * TERM=dumb. ansis reads those once, at load, and its styles add nothing where it said no, so
 * its answer counts too.
 */
export function colorFor(stream: NodeJS.WriteStream): boolean {
  return !noColorSet() && ansis.isSupported() && (Boolean(stream.isTTY) || process.env.FORCE_COLOR !== undefined)
}

export function paintFor(color: boolean): Paint {
  const plain: Style = (text) => text
  return color
    ? {bold: ansis.bold, dim: ansis.dim, red: ansis.red, yellow: ansis.yellow, green: ansis.green}
    : {bold: plain, dim: plain, red: plain, yellow: plain, green: plain}
}
