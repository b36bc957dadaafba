// Where a command's report goes, the same way for every command:
//   (nothing)          the terminal report on stdout
//   --format F         form F on stdout instead
//   --output FILE      form F (from --format, or FILE's extension) in FILE, the terminal report
//                      still on stdout; forms made of several files (one .hgrm per series, one
//                      github-action-benchmark file per direction) go to FILE.<part>.<ext>
//   --json             only the JSON document on stdout (oclif prints it); --output still writes
// and, when $GITHUB_STEP_SUMMARY is set (GitHub Actions), the Markdown summary is appended to it.

import {appendFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {EnvironmentError, invalidValue} from '../errors.js'
import {checkWritable} from '../files.js'
import {type FormatName, formatForFile, formatsFor, KNOWN_EXTENSIONS, render, type Rendering, type ReportDocument} from './formats.js'
import {colorFor} from './terminal.js'

export interface OutputFlags {
  format?: FormatName
  output?: string
}

/** Checked before a long run starts, so a typo costs nothing. */
export interface OutputPlan {
  format?: FormatName
  output?: string
  json: boolean
}

export function planOutput(flags: OutputFlags, json: boolean): OutputPlan {
  if (flags.output === undefined) {
    if (json && flags.format && flags.format !== 'json') {
      throw invalidValue('--format', flags.format, '--json prints the JSON document; add --output FILE to write this form as well')
    }
    return {format: flags.format, json}
  }
  const format = flags.format ?? formatForFile(flags.output)
  if (!format) {
    throw invalidValue('--output', flags.output, `name its form with --format, or end the file name with ${KNOWN_EXTENSIONS.join(', ')}`)
  }
  checkWritable(flags.output, '--output')
  return {format, output: flags.output, json}
}

export interface EmitOptions {
  /** False when nothing was measured: the files are still written (a CI verdict needs them), stdout stays empty. */
  printReport?: boolean
}

export async function emit(document: ReportDocument, plan: OutputPlan, options: EmitOptions = {}): Promise<void> {
  if (plan.format && !formatsFor(document).includes(plan.format)) {
    const what = document.kind === 'iouring-bench/result' ? 'a result' : 'a fleet view'
    throw invalidValue('--format', plan.format, `${what} renders as ${formatsFor(document).join(', ')}`)
  }
  if (plan.output) {
    const written = writeRendering(plan.output, await render(document, plan.format!, {color: false}))
    if (!plan.json && written.length !== 1) {
      process.stderr.write(written.length ? `wrote ${written.join(', ')}\n` : `wrote no ${plan.format} file: no latencies were measured\n`)
    }
  }
  if (!plan.json && options.printReport !== false) {
    const format = plan.output ? 'terminal' : (plan.format ?? 'terminal')
    const color = format === 'terminal' && colorFor(process.stdout)
    process.stdout.write((await render(document, format, {color})).text)
  }
  const summary = process.env.GITHUB_STEP_SUMMARY
  if (summary) {
    write(summary, (await render(document, 'markdown', {color: false})).text + '\n', appendFileSync, '$GITHUB_STEP_SUMMARY')
  }
}

/** Writes one file, or one per part; returns the paths written. */
function writeRendering(file: string, rendering: Rendering): string[] {
  if (!rendering.parts) {
    write(file, rendering.text, writeFileSync, '--output')
    return [file]
  }
  const extension = path.extname(file)
  const stem = file.slice(0, file.length - extension.length)
  return rendering.parts.map((part) => {
    const partFile = `${stem}.${part.name.replace(/[^\w.-]/g, '_')}${extension}`
    write(partFile, part.text, writeFileSync, '--output')
    return partFile
  })
}

function write(file: string, text: string, how: typeof writeFileSync | typeof appendFileSync, what: string): void {
  try {
    how(file, text)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error)
    throw new EnvironmentError(`${what}: ${file} cannot be written (${code})`)
  }
}
