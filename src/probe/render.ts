// The terminal form of a probe document: the kernel, whether io_uring can be used here (and if
// not, the cause and the fix), the verdict against the loop, then the detail (setup flags,
// features, opcodes, register ops, behaviour), each with the release that brought it.

import type {Assessment, ContainerFacts, KernelIdentity, NamedSet, ProbeDocument, RequirementResult} from '../model/probe.js'
import {RUNTIME_NAMES} from './container.js'
import {type Paint, paintFor} from '../report/paint.js'
import type {RenderOptions as FormatOptions} from '../report/rendering.js'

interface RenderOptions {
  paint: Paint
  /** Lines wrap at this many columns. */
  width: number
}

/** The terminal form: the short one when `--require` named needs, else the whole report. */
export function renderProbeTerminal(document: ProbeDocument, options: FormatOptions): string {
  const lines = {paint: paintFor(options.color), width: options.width}
  return document.requirements ? renderRequirements(document, document.requirements, lines) : renderProbe(document, lines)
}

/** The whole report. */
function renderProbe(document: ProbeDocument, options: RenderOptions): string {
  const out = new Lines(options)
  header(document, out)
  out.blank()
  verdict(document, out)
  if (document.usability.usable) {
    out.blank()
    setupFlags(document, out)
  }
  for (const [title, set, has, lacks] of [
    ['Features', document.features, 'present', 'absent'],
    ['Opcodes', document.opcodes, 'supported', 'missing'],
    ['Register ops', document.registerOps, 'known', 'unknown'],
  ] as const) {
    out.blank()
    namedSet(title, set, has, lacks, out)
  }
  if (document.usability.usable) {
    out.blank()
    behaviour(document, out)
  }
  out.blank()
  footer(document, out)
  return out.text()
}

/** The short form for `--require`: the kernel and one line per requirement. */
function renderRequirements(document: ProbeDocument, requirements: RequirementResult[], options: RenderOptions): string {
  const out = new Lines(options)
  out.line(`${options.paint.bold('Kernel')}  ${kernelText(document.kernel)}${sourceText(document)}`)
  const width = Math.max(...requirements.map((requirement) => requirement.name.length))
  for (const requirement of requirements) {
    out.wrapped(`  ${requirement.name.padEnd(width)}  `, assessmentText(requirement, options.paint))
  }
  return out.text()
}

/** "single-issuer (SINGLE_ISSUER|DEFER_TASKRUN refused ...); READ_MULTISHOT (...)": the unmet ones for the error line. */
export function unmetText(requirements: RequirementResult[]): string {
  return requirements
    .filter((requirement) => !requirement.met)
    .map((requirement) => `${requirement.name} (${requirement.reason})`)
    .join('; ')
}

function kernelText(kernel: KernelIdentity): string {
  const distribution = kernel.distribution
    ? `${kernel.mainline} (${kernel.distribution.name} ${kernel.distribution.version})`
    : (kernel.mainline ?? kernel.release)
  return `${distribution}, release ${kernel.release}, ${kernel.machine}`
}

function sourceText(document: ProbeDocument): string {
  return document.source.file === null ? '' : ` (probed elsewhere: ${document.source.file})`
}

function assessmentText(assessment: Assessment, paint: Paint): string {
  return `${assessment.met ? paint.green('met') : paint.red('NOT MET')}: ${assessment.reason}`
}

function header(document: ProbeDocument, out: Lines): void {
  const {paint} = out
  const {usability, raw} = document
  out.wrapped(`${paint.bold('Kernel')}     `, `${kernelText(document.kernel)}${sourceText(document)}`)
  if (usability.usable) {
    out.wrapped(`${paint.bold('io_uring')}   `, `${paint.green('usable')}: io_uring_setup accepted a plain ring`)
  } else {
    out.wrapped(
      `${paint.bold('io_uring')}   `,
      `${paint.red('NOT usable')}: io_uring_setup refused a plain ring (${usability.setup.error})`,
    )
    if (usability.cause) {
      out.wrapped('  cause    ', usability.cause.summary)
      out.wrapped('  fix      ', usability.cause.fix)
    }
  }
  for (const note of usability.notes) out.wrapped('  note     ', note)
  out.wrapped('  context  ', environmentText(raw.environment))
  if (document.container) out.wrapped('  where    ', containerText(document.container))
}

function containerText({runtime, signs, kernelConfig}: ContainerFacts): string {
  const where = runtime ? `in ${RUNTIME_NAMES[runtime]} (${signs.join('; ')})` : 'no sign of a container'
  const config = kernelConfig
    ? `CONFIG_IO_URING=${kernelConfig.ioUring ? 'y' : 'n'} (${kernelConfig.source})`
    : 'kernel config not readable'
  return `${where}; ${config}`
}

function environmentText(environment: ProbeDocument['raw']['environment']): string {
  const parts = [`uid ${environment.euid}${environment.capSysAdmin ? ' (CAP_SYS_ADMIN)' : ''}`]
  const seccomp = environment.seccompMode
  parts.push(
    seccomp === null
      ? 'seccomp unknown'
      : seccomp === 0
        ? 'no seccomp filter'
        : seccomp === 2
          ? `seccomp filter${environment.seccompFilters ? ` (${environment.seccompFilters})` : ''}`
          : 'seccomp strict',
  )
  parts.push(
    environment.ioUringDisabled === null ? 'no kernel.io_uring_disabled (6.6+)' : `kernel.io_uring_disabled=${environment.ioUringDisabled}`,
  )
  if (environment.ioUringDisabled === 1) parts.push(`kernel.io_uring_group=${environment.ioUringGroup}`)
  const memlock = environment.memlock.soft
  parts.push(`memlock ${memlock === 'unlimited' ? 'unlimited' : `${Math.round(memlock / 1024)} KiB`}`)
  return parts.join(', ')
}

function verdict(document: ProbeDocument, out: Lines): void {
  const {paint} = out
  const {loop, singleIssuer, benchFlags} = document.verdict
  out.line(paint.bold("Verdict against this tool's loop"))
  if (!document.usability.usable) {
    // The cause is right above; every part of the verdict is that cause.
    out.line(`  loop baseline   ${paint.red('NOT MET')}: io_uring cannot be used here`)
    out.line(`  single-issuer   ${paint.red('NOT MET')}: io_uring cannot be used here`)
    out.line(`  ${paint.red('every bench and run workload fails here')}`)
    return
  }
  out.wrapped('  loop baseline   ', assessmentText(loop, paint))
  out.wrapped('  single-issuer   ', assessmentText(singleIssuer, paint))
  const failing = benchFlags.filter((flag) => !flag.works)
  if (failing.length === 0) {
    out.line(`  bench flags     ${paint.green('all work here')}`)
    return
  }
  out.line('  bench flags that fail here:')
  const width = Math.max(...failing.map((flag) => flag.flag.length))
  for (const flag of failing) out.wrapped(`    ${flag.flag.padEnd(width)}  `, flag.reason)
}

function setupFlags(document: ProbeDocument, out: Lines): void {
  const {paint} = out
  out.line(`${paint.bold('Setup flags')} (each tried on a real ring)`)
  const width = Math.max(...document.setupFlags.map((row) => row.name.length))
  for (const row of document.setupFlags) {
    const since = (row.firstKernel ?? '?').padEnd(5)
    const as = row.triedAs ? ` as ${row.triedAs}` : ''
    let text: string
    if (row.status === 'accepted') text = `${paint.green('accepted')}${as}`
    else if (row.status === 'refused') text = `${paint.red('refused')}${as} (${row.error}): ${row.explanation}`
    else text = `not tried${row.listedByKernel ? ' (the kernel lists it)' : ''}`
    out.wrapped(`  ${row.name.padEnd(width)}  ${since} `, text)
  }
  for (const row of document.ringSizes) {
    const result = row.ok ? paint.green('accepted') : `${paint.red('refused')} (${row.error})`
    out.wrapped(`  ${row.what}: `, row.explanation ? `${result}, ${row.explanation}` : result)
  }
}

function namedSet(title: string, set: NamedSet, has: string, lacks: string, out: Lines): void {
  const {paint} = out
  if (set.unavailable) {
    out.wrapped(`${paint.bold(title)}  `, set.unavailable)
    return
  }
  const present = set.rows.filter((row) => row.has)
  out.line(`${paint.bold(title)} (${set.source}: ${present.length} of ${set.rows.length} ${has})`)
  const width = Math.max(has.length, lacks.length)
  const items = (rows: typeof present) => rows.map((row) => (row.firstKernel ? `${row.name} ${row.firstKernel}` : row.name))
  out.wrappedList(`  ${has.padEnd(width)}  `, items(present))
  out.wrappedList(`  ${lacks.padEnd(width)}  `, items(set.rows.filter((row) => !row.has)))
}

function behaviour(document: ProbeDocument, out: Lines): void {
  const {paint} = out
  out.line(`${paint.bold('Behaviour')} (tested for real)`)
  const width = Math.max(...document.behaviour.map((row) => row.title.length))
  for (const row of document.behaviour) {
    out.wrapped(`  ${row.title.padEnd(width)}  `, row.works ? paint.green('works') : `${paint.red('no')}: ${row.explanation}`)
  }
}

function footer(document: ProbeDocument, out: Lines): void {
  for (const error of document.raw.errors) out.wrapped(`${out.paint.yellow('probe error')}  `, error)
  out.line(out.paint.dim(`probe took ${(document.raw.elapsedUs / 1000).toFixed(1)} ms`))
}

/** Output lines, with long ones wrapped under their label. */
class Lines {
  private readonly lines: string[] = []

  constructor(private readonly options: RenderOptions) {}

  get paint(): Paint {
    return this.options.paint
  }

  line(text: string): void {
    this.lines.push(text)
  }

  blank(): void {
    this.lines.push('')
  }

  /** `label` then `text`, continued lines indented to the label's width. */
  wrapped(label: string, text: string): void {
    this.wrappedWords(label, text.split(' '))
  }

  /** A list whose items never break inside ("POLL_ADD 5.1"). */
  wrappedList(label: string, items: string[]): void {
    this.wrappedWords(label, items.length ? items.map((item, index) => (index < items.length - 1 ? `${item},` : item)) : ['-'])
  }

  private wrappedWords(label: string, words: string[]): void {
    const indent = visibleLength(label)
    const room = Math.max(30, this.options.width - indent)
    let current = ''
    const rows: string[] = []
    for (const word of words) {
      if (current && visibleLength(current) + 1 + visibleLength(word) > room) {
        rows.push(current)
        current = word
      } else {
        current = current ? `${current} ${word}` : word
      }
    }
    rows.push(current)
    this.lines.push(label + rows[0], ...rows.slice(1).map((row) => ' '.repeat(indent) + row))
  }

  text(): string {
    return this.lines.join('\n') + '\n'
  }
}

// Colour codes take no columns.
function visibleLength(text: string): number {
  return text.replace(/\x1b\[[0-9;]*m/g, '').length
}
