// Where a command's report goes, the same way for every command:
//   (nothing)          the terminal report on stdout
//   --format F         form F on stdout instead (not github-benchmark, which is files only)
//   --output FILE      form F (from --format, or FILE's extension) in FILE, the terminal report
//                      still on stdout; forms made of several files (one .hgrm per series, one
//                      github-action-benchmark file per direction) go to FILE.<part>.<ext>
//   --json             only the JSON document on stdout (oclif prints it); --output still writes
// and, when $GITHUB_STEP_SUMMARY is set (GitHub Actions), the command that measured appends its
// Markdown summary to it: once per run, so `report` rendering the result again adds nothing.

import {appendFileSync} from 'node:fs'
import path from 'node:path'

import {ExitCode, invalidValue, shown} from '../errors.js'
import {checkWritable, replaceFile} from '../files.js'
import {type DocumentName, documentName} from '../model/envelope.js'
import {
  type AnyDocument,
  DOCUMENT_TITLES,
  filesOnly,
  type FormatName,
  formatForFile,
  formatsFor,
  KNOWN_EXTENSIONS,
  render,
} from './formats.js'
import {colorFor} from './paint.js'
import type {Rendering} from './rendering.js'

export interface OutputFlags {
  format?: FormatName
  output?: string
}

/** Checked before a long run starts, so a typo costs nothing. */
export interface OutputPlan {
  format?: FormatName
  output?: string
  json: boolean
  /** RenderOptions.validForNs, for every form the document is rendered to. */
  validForNs?: number
}

/** `printed`: the kind of document the command prints, when it is known before it runs (`report` reads it from a file). */
export function planOutput(flags: OutputFlags, json: boolean, printed?: DocumentName): OutputPlan {
  if (flags.format && printed) checkApplies(flags.format, printed)
  if (flags.output === undefined) {
    const why = flags.format && filesOnly(flags.format)
    if (why) throw invalidValue('--format', flags.format, why)
    if (json && flags.format && flags.format !== 'json') {
      throw invalidValue('--format', flags.format, '--json prints the JSON document; add --output FILE to write this form as well')
    }
    return {format: flags.format, json}
  }
  const format = flags.format ?? formatForFile(flags.output)
  if (!format) {
    throw invalidValue('--output', flags.output, `name its form with --format, or end the file name with ${KNOWN_EXTENSIONS.join(', ')}`)
  }
  // A form chosen by the file's extension is checked as one named by --format is.
  if (!flags.format && printed) checkApplies(format, printed, '--output', flags.output)
  checkWritable(flags.output, '--output')
  return {format, output: flags.output, json}
}

export interface EmitOptions {
  /** False when nothing was measured: the files are still written (a CI verdict needs them), stdout stays empty. */
  printReport?: boolean
  /** Append the Markdown summary to $GITHUB_STEP_SUMMARY when set: the command that measured does. */
  stepSummary?: boolean
}

function checkApplies(format: FormatName, name: DocumentName, field = '--format', given: string = format): void {
  if (!formatsFor(name).includes(format)) {
    const forms = formatsFor(name)
    const extensions = forms.flatMap((form) => KNOWN_EXTENSIONS.filter((extension) => formatForFile(extension) === form))
    const allowed = `${DOCUMENT_TITLES[name]} renders as ${forms.join(', ')}`
    throw invalidValue(
      field,
      given,
      field === '--format' ? allowed : `${allowed}: name one with --format, or end the file name with ${extensions.join(', ')}`,
    )
  }
}

/** Columns of a report written to a file, and the fewest a terminal report wraps to. */
const FILE_WIDTH = 100
const MIN_WIDTH = 60

export async function emit(document: AnyDocument, plan: OutputPlan, options: EmitOptions = {}): Promise<void> {
  if (plan.format) checkApplies(plan.format, documentName(document.kind))
  if (plan.output) {
    // A file that cannot be written (a full disk) costs that file, never the report on stdout.
    const rendering = await render(document, plan.format!, {color: false, width: FILE_WIDTH, validForNs: plan.validForNs})
    const written = writeRendering(plan.output, rendering)
    if (!plan.json && rendering.parts && written.length !== 1) {
      if (written.length) process.stderr.write(`wrote ${written.join(', ')}\n`)
      else if (rendering.parts.length === 0) process.stderr.write(`wrote no ${plan.format} file: nothing was measured\n`)
    }
  }
  if (!plan.json && options.printReport !== false) {
    const format = plan.output ? 'terminal' : (plan.format ?? 'terminal')
    const color = format === 'terminal' && colorFor(process.stdout)
    const width = Math.max(MIN_WIDTH, process.stdout.columns || FILE_WIDTH)
    process.stdout.write((await render(document, format, {color, width, validForNs: plan.validForNs})).text ?? '')
  }
  const summary = process.env.GITHUB_STEP_SUMMARY
  if (options.stepSummary && summary) {
    const markdown = (await render(document, 'markdown', {color: false, width: FILE_WIDTH})).text + '\n'
    written(summary, '$GITHUB_STEP_SUMMARY', () => appendFileSync(summary, markdown))
  }
}

/**
 * Writes a file the user asked for (replaceFile: an earlier file there survives a failed write).
 * A failure is one line on stderr naming the path, and exit status 3 once the command has
 * printed its report; returns whether the file was written.
 */
export function writeRequested(file: string, text: string, field: string): boolean {
  return written(file, field, () => replaceFile(file, text))
}

/** Runs one write of a file: a failure is reported as writeRequested says. */
function written(file: string, field: string, write: () => void): boolean {
  try {
    write()
    return true
  } catch (error) {
    const cause = error as NodeJS.ErrnoException
    process.stderr.write(`Error: ${field}: ${shown(file)} cannot be written (${cause.code ?? cause.message})\n`)
    process.exitCode = ExitCode.environment
    return false
  }
}

/** Writes one file, or one per part; returns the paths written. */
function writeRendering(file: string, rendering: Rendering): string[] {
  if (!rendering.parts) return writeRequested(file, rendering.text ?? '', '--output') ? [file] : []
  const extension = path.extname(file)
  const stem = file.slice(0, file.length - extension.length)
  const names = partFileNames(rendering.parts.map((part) => part.name))
  return rendering.parts.flatMap((part, index) => {
    const partFile = `${stem}.${names[index]}${extension}`
    return writeRequested(partFile, part.text, '--output') ? [partFile] : []
  })
}

/** Longest part of a FILE.<part>.<ext> name: room for a long FILE within NAME_MAX (255 bytes). */
const MAX_PART_LENGTH = 100

/**
 * Parts as they go into file names: characters a file name cannot hold (or a shell would trip
 * on) replaced, the length bounded whatever a workload is called, and each one distinct, so two
 * parts never overwrite one file.
 */
export function partFileNames(names: string[]): string[] {
  const used = new Set<string>()
  return names.map((name) => {
    const safe = name.replace(/[^\w.-]/g, '_').slice(0, MAX_PART_LENGTH)
    let unique = safe
    for (let count = 2; used.has(unique); count++) unique = `${safe.slice(0, MAX_PART_LENGTH - 1 - String(count).length)}-${count}`
    used.add(unique)
    return unique
  })
}
