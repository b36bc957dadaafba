// Files a command will write: checked before any measuring starts, so a bad path is a one-line
// usage error in the first second, not a failure after a long run.

import {accessSync, constants, statSync} from 'node:fs'
import path from 'node:path'

import {shown, UsageError} from './errors.js'

export function checkWritable(file: string, field: string): void {
  const allowed = 'give a path in an existing directory you can write to'
  if (file === '' || file.includes('\u0000')) {
    throw new UsageError(`${field}: '${shown(file)}' is not a usable path; ${allowed}`)
  }
  const directory = path.dirname(path.resolve(file))
  try {
    if (!statSync(directory).isDirectory()) throw new Error('not a directory')
    accessSync(directory, constants.W_OK)
    if (statSync(file, {throwIfNoEntry: false})?.isDirectory()) {
      throw new UsageError(`${field}: ${shown(file)} is a directory; ${allowed}`)
    }
  } catch (error) {
    if (error instanceof UsageError) throw error
    throw new UsageError(`${field}: ${shown(file)} cannot be written (${shown(directory)} is not a writable directory); ${allowed}`)
  }
}
