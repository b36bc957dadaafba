// Every form a document renders to, by format name: the one table that `--format`, `--output`'s
// file extensions and the renderers (one module per form) meet in.

import {renderBmf} from './bmf.js'
import {renderFleetMarkdown, renderFleetTerminal} from './fleet.js'
import {renderGithubBenchmark} from './github-benchmark.js'
import {renderHgrm} from './hgrm.js'
import {renderHtml} from './html.js'
import {renderResultJunit} from './junit.js'
import {renderMarkdown} from './markdown.js'
import {renderPrometheus} from './prometheus.js'
import {renderTerminal} from './terminal.js'
import type {FleetDocument} from '../model/fleet.js'
import type {ResultDocument} from '../model/result.js'

export const FORMAT_NAMES = ['terminal', 'json', 'hgrm', 'html', 'markdown', 'github-benchmark', 'bmf', 'junit', 'prometheus'] as const
export type FormatName = (typeof FORMAT_NAMES)[number]

export type ReportDocument = ResultDocument | FleetDocument

export interface RenderedPart {
  /** Goes into the file name: `out.hgrm` becomes `out.<name>.hgrm`. */
  name: string
  text: string
}

/**
 * A form as one text (for stdout); forms that are several files for their consumers add parts,
 * and a form that only makes sense as its files (see Format.filesOnly) has no text.
 */
export interface Rendering {
  text?: string
  parts?: RenderedPart[]
}

export interface RenderOptions {
  color: boolean
}

type Renderer<T> = (document: T, options: RenderOptions) => string | Rendering | Promise<string>

interface Format {
  /** File extensions that choose this format for --output when --format is not given. */
  extensions: string[]
  result: Renderer<ResultDocument>
  fleet?: Renderer<FleetDocument>
  /** Why this form cannot go to stdout: its consumer reads several files. */
  filesOnly?: string
}

const json = (document: ReportDocument): string => JSON.stringify(document, null, 2) + '\n'

const FORMATS: Record<FormatName, Format> = {
  terminal: {extensions: ['.txt'], result: renderTerminal, fleet: renderFleetTerminal},
  json: {extensions: ['.json'], result: json, fleet: json},
  hgrm: {extensions: ['.hgrm'], result: renderHgrm},
  html: {extensions: ['.html', '.htm'], result: renderHtml},
  markdown: {extensions: ['.md'], result: renderMarkdown, fleet: renderFleetMarkdown},
  'github-benchmark': {
    extensions: [],
    result: renderGithubBenchmark,
    filesOnly:
      'github-action-benchmark reads one file per tool: add --output FILE.json to write FILE.customBiggerIsBetter.json and FILE.customSmallerIsBetter.json',
  },
  bmf: {extensions: [], result: renderBmf},
  junit: {extensions: ['.xml'], result: renderResultJunit},
  prometheus: {extensions: ['.prom'], result: renderPrometheus},
}

/** Why a form cannot be printed on stdout, or undefined when it can. */
export function filesOnly(format: FormatName): string | undefined {
  return FORMATS[format].filesOnly
}

export function isFormatName(name: string): name is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(name)
}

export const KNOWN_EXTENSIONS = FORMAT_NAMES.flatMap((name) => FORMATS[name].extensions)

export function formatForFile(file: string): FormatName | undefined {
  const lower = file.toLowerCase()
  return FORMAT_NAMES.find((name) => FORMATS[name].extensions.some((extension) => lower.endsWith(extension)))
}

/** The formats a document of this kind renders to. */
export function formatsFor(document: ReportDocument): FormatName[] {
  return FORMAT_NAMES.filter((name) => document.kind === 'iouring-bench/result' || FORMATS[name].fleet)
}

/** Renders; the caller has checked with formatsFor() that the format applies to the document. */
export async function render(document: ReportDocument, format: FormatName, options: RenderOptions): Promise<Rendering> {
  const spec = FORMATS[format]
  const rendered = await (document.kind === 'iouring-bench/result' ? spec.result(document, options) : spec.fleet!(document, options))
  return typeof rendered === 'string' ? {text: rendered} : rendered
}
