// Failures a user can act on, each with the exit status DESIGN.md gives it. Every command
// prints them as one line (or, with --json, as one JSON document), never as a stack trace.

export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  environment: 3,
  interrupted: 130,
} as const

const ERROR_SCHEMA_VERSION = 1

/** What --json prints for a failure: one document on stdout. */
export function errorDocument(code: string, message: string, exitCode: number): object {
  return {schemaVersion: ERROR_SCHEMA_VERSION, error: {code, message, exitCode}}
}

export abstract class ToolError extends Error {
  abstract readonly exitCode: number
  abstract readonly code: string
}

/** Bad usage or input: an unknown op, a size out of range, a profile with a wrong field. */
export class UsageError extends ToolError {
  readonly exitCode = ExitCode.usage
  readonly code = 'E_USAGE'
}

/** The kernel or environment cannot do what was asked; the message says why. */
export class EnvironmentError extends ToolError {
  readonly exitCode = ExitCode.environment
  readonly code = 'E_ENVIRONMENT'
}

/** A check or gate ran and failed. */
export class CheckFailedError extends ToolError {
  readonly exitCode = ExitCode.checkFailed
  readonly code = 'E_CHECK_FAILED'
}

/** Text on one line: control characters escaped (a newline in a value must not split the line); a path is shown so, never shortened. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1))
}

/** User-supplied text as it may appear in a one-line message: on one line, and very long values shortened. */
export function shown(text: string): string {
  const escaped = oneLine(text)
  return escaped.length > 80 ? `${escaped.slice(0, 77)}...` : escaped
}

/** A switch (a boolean setting) turned on where it cannot be: there is no value to quote. */
export function refusedSwitch(field: string, allowed: string): UsageError {
  return new UsageError(`${oneLine(field)}: not allowed; ${allowed}`)
}

/** A field's value is not allowed: names the field (whole: a profile's field carries its path), what was given and what is allowed. */
export function invalidValue(field: string, given: unknown, allowed: string): UsageError {
  const text = typeof given === 'string' ? `'${shown(given)}'` : String(given)
  return new UsageError(`${oneLine(field)}: ${text} is not allowed; ${allowed}`)
}
