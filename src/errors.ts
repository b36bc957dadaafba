// Failures a user can act on, each with the exit status DESIGN.md gives it. Every command
// prints them as one line (or, with --json, as one JSON document), never as a stack trace.

export const ExitCode = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  environment: 3,
  interrupted: 130,
} as const

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

/** A field's value is not allowed: names the field, what was given and what is allowed. */
export function invalidValue(field: string, given: unknown, allowed: string): UsageError {
  const shown = typeof given === 'string' ? `'${given}'` : String(given)
  return new UsageError(`${field}: ${shown} is not allowed; ${allowed}`)
}
