// Every form a document renders to, by format name: the one table that `--format`, `--output`'s
// file extensions and the renderers (one module per form) meet in, for every kind of document.
// Renderers load when a document is rendered in their form, so a command loads only what it
// prints (probe-kernel never loads prom-client or the HTML chart code).

import type {AdviceDocument} from '../model/advice.js'
import type {DrillDocument} from '../model/drill.js'
import {type DocumentKind, type DocumentName, documentName} from '../model/envelope.js'
import type {FleetDocument} from '../model/fleet.js'
import type {HistoryDocument} from '../model/history.js'
import type {ProbeDocument} from '../model/probe.js'
import type {ResultDocument} from '../model/result.js'
import type {StressDocument} from '../model/stress.js'
import type {RenderOptions, Rendering} from './rendering.js'

export const FORMAT_NAMES = [
  'terminal',
  'json',
  'hgrm',
  'html',
  'markdown',
  'github-benchmark',
  'bmf',
  'junit',
  'prometheus',
  'nfd',
] as const
export type FormatName = (typeof FORMAT_NAMES)[number]

export type AnyDocument = ResultDocument | FleetDocument | ProbeDocument | DrillDocument | StressDocument | AdviceDocument | HistoryDocument
/** What `report` reads back and renders (a probe is shown as a fleet of one host). */
export type ReportDocument = Exclude<AnyDocument, ProbeDocument>
type DocumentOf<Name extends DocumentName> = Extract<AnyDocument, {kind: DocumentKind<Name>}>

type Renderer<T> = (document: T, options: RenderOptions) => string | Rendering | Promise<string | Rendering>
/** Each kind of document this form applies to, with a loader of its renderer. */
type Renderers = {[Name in DocumentName]?: () => Promise<Renderer<DocumentOf<Name>>>}

interface Format {
  /** File extensions that choose this format for --output when --format is not given. */
  extensions: string[]
  renderers: Renderers
  /** Why this form cannot go to stdout: its consumer reads several files. */
  filesOnly?: string
}

const json = async (): Promise<Renderer<AnyDocument>> => (document) => JSON.stringify(document, null, 2) + '\n'

const FORMATS: Record<FormatName, Format> = {
  terminal: {
    extensions: ['.txt'],
    renderers: {
      result: async () => (await import('./terminal.js')).renderTerminal,
      fleet: async () => (await import('./fleet.js')).renderFleetTerminal,
      probe: async () => (await import('../probe/render.js')).renderProbeTerminal,
      'shutdown-drill': async () => (await import('../drill/render.js')).renderDrill,
      'stress-timeouts': async () => (await import('../stress/render.js')).renderStressTerminal,
      advice: async () => (await import('../advise/render.js')).renderAdviceTerminal,
      history: async () => (await import('../gate/history-render.js')).renderHistoryTerminal,
    },
  },
  json: {
    extensions: ['.json'],
    renderers: {result: json, fleet: json, probe: json, 'shutdown-drill': json, 'stress-timeouts': json, advice: json, history: json},
  },
  hgrm: {extensions: ['.hgrm'], renderers: {result: async () => (await import('./hgrm.js')).renderHgrm}},
  html: {
    extensions: ['.html', '.htm'],
    renderers: {
      result: async () => (await import('./html.js')).renderHtml,
      advice: async () => (await import('../advise/html.js')).renderAdviceHtml,
      history: async () => (await import('../gate/history-html.js')).renderHistoryHtml,
      fleet: async () => (await import('./fleet-html.js')).renderFleetHtml,
    },
  },
  markdown: {
    extensions: ['.md'],
    renderers: {
      result: async () => (await import('./markdown.js')).renderMarkdown,
      fleet: async () => (await import('./fleet.js')).renderFleetMarkdown,
      history: async () => (await import('../gate/history-render.js')).renderHistoryMarkdown,
    },
  },
  'github-benchmark': {
    extensions: [],
    renderers: {result: async () => (await import('./github-benchmark.js')).renderGithubBenchmark},
    filesOnly:
      'github-action-benchmark reads one file per tool: add --output FILE.json to write FILE.customBiggerIsBetter.json and FILE.customSmallerIsBetter.json',
  },
  bmf: {extensions: [], renderers: {result: async () => (await import('./bmf.js')).renderBmf}},
  junit: {
    extensions: ['.xml'],
    renderers: {
      result: async () => (await import('./junit.js')).renderResultJunit,
      probe: async () => (await import('./junit.js')).renderProbeJunit,
      'shutdown-drill': async () => (await import('./junit.js')).renderDrillJunit,
      'stress-timeouts': async () => (await import('./junit.js')).renderStressJunit,
      history: async () => (await import('./junit.js')).renderHistoryJunit,
    },
  },
  prometheus: {extensions: ['.prom'], renderers: {result: async () => (await import('./prometheus.js')).renderPrometheus}},
  // Node Feature Discovery's feature files have no extension of their own: --format nfd names it.
  nfd: {extensions: [], renderers: {probe: async () => (await import('../probe/nfd.js')).renderNfd}},
}

/** How messages name a document of each kind. */
export const DOCUMENT_TITLES: Record<DocumentName, string> = {
  result: 'a result',
  fleet: 'a fleet view',
  probe: 'a probe',
  'shutdown-drill': 'a shutdown drill',
  'stress-timeouts': 'a stress-timeouts run',
  advice: 'an advise run',
  history: 'a history verdict',
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
export function formatsFor(name: DocumentName): FormatName[] {
  return FORMAT_NAMES.filter((format) => FORMATS[format].renderers[name])
}

/** Renders; the caller has checked with formatsFor() that the format applies to the document. */
export async function render(document: AnyDocument, format: FormatName, options: RenderOptions): Promise<Rendering> {
  const load = FORMATS[format].renderers[documentName(document.kind)] as () => Promise<Renderer<AnyDocument>>
  const rendered = await (await load())(document, options)
  return typeof rendered === 'string' ? {text: rendered} : rendered
}
