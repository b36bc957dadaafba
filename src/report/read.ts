// Reads a saved result document back, refusing anything that is not one this tool can read.

import {readFileSync} from 'node:fs'

import {UsageError} from '../errors.js'
import {RESULT_KIND, RESULT_SCHEMA_VERSION, type ResultDocument} from './result.js'

export function readResultDocument(file: string, field: string): ResultDocument {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new UsageError(`${field}: ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  let document: Partial<ResultDocument>
  try {
    document = JSON.parse(text)
  } catch {
    throw new UsageError(`${field}: ${file} is not JSON; give a file written by --json or --save-baseline`)
  }
  if (document?.kind !== RESULT_KIND) {
    throw new UsageError(`${field}: ${file} is not an iouring-bench result (kind is ${JSON.stringify(document?.kind)}, expected '${RESULT_KIND}')`)
  }
  if (typeof document.schemaVersion !== 'number' || document.schemaVersion > RESULT_SCHEMA_VERSION) {
    throw new UsageError(
      `${field}: ${file} has schema version ${document.schemaVersion}; this iouring-bench reads up to ${RESULT_SCHEMA_VERSION}, upgrade it`,
    )
  }
  return document as ResultDocument
}
