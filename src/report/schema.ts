// The published JSON Schemas of the documents iouring-bench writes (schemas/*.schema.json, shipped
// in the package), compiled once with ajv. `report` checks every document it reads against them,
// and the tests check every document the commands print.

import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {Ajv2020, type ErrorObject, type ValidateFunction} from 'ajv/dist/2020.js'

import {shown} from '../errors.js'

export type SchemaName = 'result' | 'fleet' | 'probe' | 'raw-probe' | 'shutdown-drill' | 'stress-timeouts' | 'advice' | 'history'

export const SCHEMA_DIR = fileURLToPath(new URL('../../schemas', import.meta.url))

const validators = new Map<SchemaName, ValidateFunction>()

function validator(name: SchemaName): ValidateFunction {
  let validate = validators.get(name)
  if (!validate) {
    const read = (file: string): object => JSON.parse(readFileSync(`${SCHEMA_DIR}/${file}.schema.json`, 'utf8')) as object
    // strictTypes off: raw-probe.schema.json puts unevaluatedProperties beside `if` without a type.
    const ajv = new Ajv2020({allErrors: false, strict: true, strictTypes: false, allowUnionTypes: true})
    // The probe document holds a raw probe; the drill, stress and advice documents share the
    // result's host, kernel, latency and counters (advice: its workload spec, spreads and compared
    // ratios): each referred to by its $id.
    if (name === 'probe') ajv.addSchema(read('raw-probe'))
    if (name === 'shutdown-drill' || name === 'stress-timeouts' || name === 'advice') ajv.addSchema(read('result'))
    validate = ajv.compile(read(name))
    validators.set(name, validate)
  }
  return validate
}

/** The first way `document` breaks the schema, as "<json pointer>: <what is wrong>", or undefined. */
export function schemaViolation(name: SchemaName, document: unknown): string | undefined {
  const validate = validator(name)
  if (validate(document)) return undefined
  return describe(validate.errors![0])
}

/** In the document's own terms; names from the document are shown escaped (one line). */
function describe(error: ErrorObject): string {
  const where = shown(error.instancePath) || '(top level)'
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where}: unknown field '${shown(String(params.additionalProperty))}'`
    case 'required':
      return `${where}: the field '${String(params.missingProperty)}' is missing`
    case 'const':
      return `${where}: must be ${JSON.stringify(params.allowedValue)}`
    case 'enum':
      return `${where}: must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}`
    default:
      return `${where}: ${error.message}`
  }
}
