// Every document a test reads from the CLI is checked against the schema the package ships.
import assert from 'node:assert/strict'

import {type SchemaName, schemaViolation} from '../../src/report/schema.ts'

export function assertMatchesSchema(name: SchemaName, document: unknown): void {
  const violation = schemaViolation(name, document)
  assert.equal(violation, undefined, `the document does not match schemas/${name}.schema.json: ${violation}`)
}

/** Parses a command's --json output as a result document and checks it against the schema. */
export function parseResult(stdout: string): any {
  const document = JSON.parse(stdout)
  assertMatchesSchema('result', document)
  return document
}
