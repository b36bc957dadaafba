// The NO_COLOR rule, apart from everything else so that bin/run.js can apply it before ansis loads.
//
// NO_COLOR set to anything, the empty string included, means no colour. no-color.org counts
// only a non-empty value, but issue 14 asks that an empty one count too (`NO_COLOR= cmd` reads
// as "no colour"); ansis, behind our styles and oclif's help, ignores an empty one.

export function noColorSet(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NO_COLOR !== undefined
}

/**
 * Makes ansis follow the same rule, for the output we do not render ourselves (oclif's help and
 * messages): it reads NO_COLOR once, when it loads, so this runs first.
 */
export function applyNoColor(env: NodeJS.ProcessEnv = process.env): void {
  if (noColorSet(env) && env.NO_COLOR === '') env.NO_COLOR = '1'
}
