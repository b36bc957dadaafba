// What every command shares: --json (oclif's JSON flag), and one way to fail — a single line on
// stderr (or one JSON document on stdout with --json) and the exit status from DESIGN.md, never a
// stack trace. A command that reports ends in finish(): its document out through the formats
// table, its verdict turned into the exit status, the same way for every command.

import {Command, Errors} from '@oclif/core'

import {labelFlags, labelResult} from './bench/labels.js'
import type {SessionOutcome} from './bench/session.js'
import {errorDocument, ExitCode, invalidValue, ToolError} from './errors.js'
import {outputFlags} from './flags.js'
import {installInterruptHandling, interruptedBeforeMeasuring, interruptedStatus} from './interrupt.js'
import {type DocumentName, documentName} from './model/envelope.js'
import type {ResultDocument} from './model/result.js'
import {type AnyDocument, DOCUMENT_TITLES, formatsFor} from './report/formats.js'
import {emit, type EmitOptions, type OutputFlags, type OutputPlan, planOutput} from './report/output.js'

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
    // oclif's own errors carry their status (usage: 2, from "exitCodes" in package.json).
    const exitCode = error instanceof ToolError ? error.exitCode : (error.oclif?.exit ?? 1)
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
function oneLine(error: Error): string {
  const text = error.message.replace(/^Parsing --[\w-]+ \s*\n\s*/, '').replace(/\n?See more help with --help\s*$/, '')
  const joined = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ')
  return error instanceof ToolError || isParseError(error) ? joined : `${joined} (an internal error; DEBUG=1 shows where)`
}

/**
 * What a command concluded about what it ran, which finish() turns into the exit status (the
 * README's table): 0 ok, the error's status when it failed (1 a check or the gate, 3 the kernel
 * or environment), 128 + the signal when interrupted. The error's message is the one line on
 * stderr unless `quiet` (the report itself says it) or with --json (the document says it).
 */
export type Verdict = {status: 'ok'} | {status: 'interrupted'; message?: string} | {status: 'failed'; error: ToolError; quiet?: boolean}

/** A command that prints a report: --format and --output, the same for all (report/output.ts). */
export abstract class ReportingCommand extends BaseCommand {
  static override baseFlags = outputFlags()
  private plan?: OutputPlan
  /** --push: the Pushgateway the result's metrics go to after the run (report/push.ts). */
  private push?: string

  /**
   * Call before any long work, so that a bad --format, --output or --push fails at once; `printed`
   * is the kind of document the command prints, when known before it runs.
   */
  protected planOutput(flags: OutputFlags & {push?: string}, printed?: DocumentName, validForNs?: number): void {
    this.plan = {...planOutput(flags, this.jsonEnabled(), printed), validForNs}
    this.push = flags.push
    if (printed) this.checkPush(printed)
  }

  private checkPush(name: DocumentName): void {
    if (this.push !== undefined && !formatsFor(name).includes('prometheus')) {
      throw invalidValue(
        '--push',
        this.push,
        `${DOCUMENT_TITLES[name]} has no Prometheus metrics; --push applies to results (bench, run, report)`,
      )
    }
  }

  /**
   * Prints and writes the document as planned, pushes a result's metrics with --push (unless
   * interrupted or nothing was measured), then sets the exit status from the verdict.
   */
  protected async finish<Document extends AnyDocument>(document: Document, verdict: Verdict, options?: EmitOptions): Promise<Document> {
    this.checkPush(documentName(document.kind))
    await emit(document, this.plan!, options)
    const json = this.jsonEnabled()
    if (this.push !== undefined && document.kind === 'iouring-bench/result') {
      if (verdict.status === 'interrupted') {
        if (!json) process.stderr.write('--push: nothing pushed: the run was interrupted\n')
      } else if (options?.printReport !== false) {
        // Like a file that cannot be written (report/output.ts): one line, exit 3, the report kept.
        const {pushResult} = await import('./report/push.js')
        await pushResult(document, this.push).catch((error: unknown) => {
          if (!(error instanceof ToolError)) throw error
          process.stderr.write(`Error: ${error.message}\n`)
          process.exitCode = Math.max(Number(process.exitCode ?? 0), error.exitCode)
        })
      }
    }
    if (verdict.status === 'interrupted') {
      process.exitCode = interruptedStatus()
      if (verdict.message && !json) process.stderr.write(`${verdict.message}\n`)
    } else if (verdict.status === 'failed') {
      // A file that could not be written (exit 3, set by emit) outranks a failed check.
      process.exitCode = Math.max(Number(process.exitCode ?? 0), verdict.error.exitCode)
      if (!verdict.quiet && !json) process.stderr.write(`Error: ${verdict.error.message}\n`)
    }
    return document
  }
}

/** A command that measures workloads: the session's outcome is its verdict unless it passed. */
export abstract class MeasureCommand extends ReportingCommand {
  static override baseFlags = {...outputFlags(), ...labelFlags()}

  /** The result's label and commit (--label, --commit), set before it is saved or gated. */
  protected label(outcome: SessionOutcome, flags: {label?: string; commit?: string}): SessionOutcome {
    labelResult(outcome.document, flags)
    return outcome
  }

  protected async report(outcome: SessionOutcome, passed: Verdict = {status: 'ok'}): Promise<ResultDocument> {
    const {document, failure, measured} = outcome
    const verdict: Verdict = document.interrupted
      ? {status: 'interrupted', message: measured ? undefined : interruptedBeforeMeasuring()}
      : failure
        ? {status: 'failed', error: failure}
        : passed
    return this.finish(document, verdict, {printReport: measured, stepSummary: true})
  }
}
