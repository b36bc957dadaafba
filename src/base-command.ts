// What every command shares: --json (oclif's JSON flag), and one way to fail — a single line on
// stderr (or one JSON document on stdout with --json) and the exit status from DESIGN.md, never a
// stack trace.

import {Command, Errors} from '@oclif/core'

import type {SessionOutcome} from './bench/session.js'
import {errorDocument, ExitCode, ToolError} from './errors.js'
import {outputFlags} from './flags.js'
import {installInterruptHandling, interruptedBeforeMeasuring, interruptedStatus} from './interrupt.js'
import {emit, type OutputFlags, type OutputPlan, planOutput} from './report/output.js'
import type {ResultDocument} from './model/result.js'

interface OclifError extends Error {
  oclif?: {exit?: number}
  exitCode?: number
}

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  public override async init(): Promise<void> {
    installInterruptHandling()
    await super.init()
  }

  protected override async catch(error: OclifError): Promise<void> {
    const exitCode = error instanceof ToolError ? error.exitCode : (error.oclif?.exit ?? (isParseError(error) ? ExitCode.usage : 1))
    const message = oneLine(error)
    process.exitCode = exitCode
    if (this.jsonEnabled()) {
      this.logJson(errorDocument(error instanceof ToolError ? error.code : codeFor(exitCode), message, exitCode))
      return
    }
    process.stderr.write(`Error: ${message}\n`)
    if (!(error instanceof ToolError) && !isParseError(error) && process.env.DEBUG) {
      process.stderr.write(`${error.stack}\n`)
    }
  }
}

function isParseError(error: Error): boolean {
  // oclif's parser throws CLIErrors (unknown flag, bad option, missing value, a flag given twice):
  // mistakes in the command line, never internal ones.
  return error instanceof Errors.CLIError
}

function codeFor(exitCode: number): string {
  return exitCode === ExitCode.usage ? 'E_USAGE' : 'E_INTERNAL'
}

/**
 * One line from whatever oclif or a library put in the message: drops oclif's "Parsing --flag"
 * wrapper and "See more help" footer, joins what is left.
 */
export function oneLine(error: Error): string {
  const text = error.message.replace(/^Parsing --[\w-]+ \s*\n\s*/, '').replace(/\n?See more help with --help\s*$/, '')
  const joined = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ')
  return error instanceof ToolError || isParseError(error) ? joined : `${joined} (an internal error; DEBUG=1 shows where)`
}

/** A command that prints a report: --format and --output, the same for all (report/output.ts). */
export abstract class ReportingCommand extends BaseCommand {
  static override baseFlags = outputFlags

  /** Call before any long work, so that a bad --format or --output fails at once. */
  protected outputPlan(flags: OutputFlags): OutputPlan {
    return planOutput(flags, this.jsonEnabled())
  }
}

/** A command that measures: prints the report (or returns the document for --json). */
export abstract class MeasureCommand extends ReportingCommand {
  protected async report(outcome: SessionOutcome, plan: OutputPlan): Promise<ResultDocument> {
    const {document} = outcome
    await emit(document, plan, {printReport: outcome.measured, stepSummary: true})
    if (document.interrupted) {
      process.exitCode = interruptedStatus()
      if (!outcome.measured && !this.jsonEnabled()) process.stderr.write(`${interruptedBeforeMeasuring()}\n`)
    } else if (outcome.failure) {
      process.exitCode = outcome.failure.exitCode
      if (!this.jsonEnabled()) process.stderr.write(`Error: ${outcome.failure.message}\n`)
    }
    return document
  }
}
