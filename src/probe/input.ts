// Raw probes captured elsewhere (`probe-kernel --input FILE`): by the static iouring-probe on a
// host without Node, in a qemu guest, or kept from an earlier `probe-kernel --json`. Checked
// against schemas/raw-probe.schema.json before anything reads them; every way a file can be
// wrong is one line naming it (exit 2).

import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {Ajv2020, type ErrorObject, type ValidateFunction} from 'ajv/dist/2020.js'

import {invalidValue} from '../errors.js'
import type {RawProbe} from '../model/native.js'
import {PROBE_KIND, PROBE_SCHEMA_VERSION} from '../model/probe.js'

/** The raw format this build reads (native/core/harness/probe.h kRawProbeVersion). */
export const RAW_PROBE_VERSION = 1

const RAW_SCHEMA_PATH = fileURLToPath(new URL('../../schemas/raw-probe.schema.json', import.meta.url))

const WHAT_TO_GIVE = "give the JSON that iouring-probe or 'probe-kernel --json' printed"

let validateRaw: ValidateFunction | undefined

function rawValidator(): ValidateFunction {
  if (!validateRaw) {
    const ajv = new Ajv2020({allErrors: false, strict: true, allowUnionTypes: true})
    validateRaw = ajv.compile(JSON.parse(readFileSync(RAW_SCHEMA_PATH, 'utf8')))
  }
  return validateRaw
}

/** Reads and checks a raw probe (or the raw part of a probe document); '-' is stdin. `field` names where the path came from. */
export function readRawProbe(path: string, field = '--input'): RawProbe {
  const refuse = (why: string) => invalidValue(field, path, `${why}; ${WHAT_TO_GIVE}`)
  let text: string
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw refuse(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : `it cannot be read (${code})`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw refuse(`it is not JSON (${shorten((error as Error).message)})`)
  }
  const raw = isObject(value) && value.kind === PROBE_KIND ? rawOfDocument(value, refuse) : value
  if (!isObject(raw) || typeof raw.rawProbeVersion !== 'number') throw refuse('it is not a raw probe (no rawProbeVersion)')
  if (raw.rawProbeVersion > RAW_PROBE_VERSION) {
    throw invalidValue(
      field,
      path,
      `its rawProbeVersion ${raw.rawProbeVersion} is newer than this iouring-bench reads (${RAW_PROBE_VERSION}); upgrade iouring-bench`,
    )
  }
  const validate = rawValidator()
  if (!validate(raw)) throw refuse(`it is not a raw probe (${describeError(validate.errors?.[0])})`)
  return raw as unknown as RawProbe
}

function rawOfDocument(document: Record<string, unknown>, refuse: (why: string) => Error): unknown {
  const version = document.schemaVersion
  if (typeof version === 'number' && version > PROBE_SCHEMA_VERSION) {
    throw refuse(`its schemaVersion ${version} is newer than this iouring-bench reads (${PROBE_SCHEMA_VERSION})`)
  }
  return document.raw
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describeError(error: ErrorObject | undefined): string {
  if (!error) return 'invalid'
  return `${error.instancePath || '/'}: ${error.message}`
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ')
  return line.length > 80 ? `${line.slice(0, 77)}...` : line
}
