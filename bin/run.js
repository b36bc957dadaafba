#!/usr/bin/env node
// A hard RLIMIT_NOFILE too low to load the commands, or an RLIMIT_AS too small for Node to run,
// is named before oclif loads anything: otherwise Node's EMFILE text or V8's abort would be all
// the user sees.
import {errorDocument} from '../dist/errors.js'
import {startLimitError} from '../dist/limits.js'

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
