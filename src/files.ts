// Files a command will write: checked before any measuring starts, so a bad path is a one-line
// usage error in the first second, not a failure after a long run; and written so that a failed
// write (a full disk) never destroys an earlier file at that path.

import {randomBytes} from 'node:crypto'
import {accessSync, constants, realpathSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
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

/**
 * Writes `text` to `file` through a temporary file in the same directory, renamed over it once
 * complete: a write that fails half-way leaves whatever was at that path before. A path that is
 * not a regular file (a device such as /dev/full or /dev/stdout, a FIFO) cannot be replaced by a
 * rename, so it is written directly. Throws the write's own error.
 */
export function replaceFile(file: string, text: string): void {
  const existing = statSync(file, {throwIfNoEntry: false})
  if (existing && !existing.isFile()) {
    writeFileSync(file, text)
    return
  }
  // A symbolic link keeps pointing where it did: the file it names is the one replaced.
  const target = existing ? realpathSync(file) : file
  // Bounded, so a long file name still leaves room for the temporary one (NAME_MAX is 255).
  const temporary = path.join(
    path.dirname(target),
    `.${path.basename(target).slice(0, 100)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`,
  )
  try {
    writeFileSync(temporary, text, {flag: 'wx', mode: existing ? existing.mode & 0o7777 : 0o666})
    renameSync(temporary, target)
  } catch (error) {
    rmSync(temporary, {force: true})
    throw error
  }
}
