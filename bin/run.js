#!/usr/bin/env node
// Signals are handled before oclif and the commands load (that takes a while), so that one that
// comes during start-up also ends in one line and its exit status (src/interrupt.ts). A hard
// RLIMIT_NOFILE too low to load the commands, or an RLIMIT_AS too small for Node to run, is named
// before oclif loads anything: otherwise Node's EMFILE text or V8's abort would be all the user sees.
// An empty NO_COLOR is made one that ansis (loaded with oclif) also reads as "no colour".
import {applyNoColor} from '../dist/color.js'
import {errorDocument} from '../dist/errors.js'
import {installInterruptHandling} from '../dist/interrupt.js'
import {startLimitError} from '../dist/limits.js'

applyNoColor()
installInterruptHandling()
const tooLow = startLimitError()
if (tooLow) {
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(errorDocument(tooLow.code, tooLow.message, tooLow.exitCode), null, 2)}\n`)
  } else {
    process.stderr.write(`Error: ${tooLow.message}\n`)
  }
  process.exitCode = tooLow.exitCode
} else {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
