// Validators for the probe formats, from the published schemas: the raw probe and the
// probe-kernel --json document (which refers to the raw one by its $id).
import {readFileSync} from 'node:fs'

import {Ajv2020, type ValidateFunction} from 'ajv/dist/2020.js'

function schema(name: string): object {
  return JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), 'utf8'))
}

const ajv = new Ajv2020({allErrors: true, strict: true, allowUnionTypes: true})
ajv.addSchema(schema('raw-probe.schema.json'))

export const validateProbeDocument: ValidateFunction = ajv.compile(schema('probe.schema.json'))

/** Ajv's errors as one readable string, for assertion messages. */
export function schemaErrors(validate: ValidateFunction): string {
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'}: ${error.message}`).join('; ')
}
