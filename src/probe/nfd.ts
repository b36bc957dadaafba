// A probe as a Node Feature Discovery feature file: what nfd-worker's local source reads from
// /etc/kubernetes/node-feature-discovery/features.d/ and turns into node labels, so pods can be
// scheduled onto nodes whose kernel lets them use io_uring (`nodeSelector:
// feature.node.kubernetes.io/iouring.available: "true"`). One `name=value` line per label; a name
// with no prefix gets NFD's `feature.node.kubernetes.io/`; `#` lines are comments
// (https://kubernetes-sigs.github.io/node-feature-discovery/stable/usage/customization-guide.html#feature-files).
// Every name and value keeps to Kubernetes' label rules, checked here rather than left to the
// node's API server to refuse.

import type {ProbeDocument} from '../model/probe.js'
import type {RenderOptions} from '../report/rendering.js'

/** A label's name part and value: at most 63 characters, alphanumeric at both ends, `-_.` inside. */
const LABEL_PART = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/

/** Why `name=value` is not a valid node label (NFD adds the prefix), or undefined. */
export function labelProblem(name: string, value: string): string | undefined {
  if (!LABEL_PART.test(name)) return `label name '${name}': at most 63 characters, alphanumeric at both ends, '-', '_' or '.' inside`
  if (value !== '' && !LABEL_PART.test(value))
    return `label value '${value}' of ${name}: empty, or at most 63 characters, alphanumeric at both ends, '-', '_' or '.' inside`
  return undefined
}

/** A kernel's name for something ("READ_FIXED", "SINGLE_ISSUER") as a label name's last part. */
const labelWord = (name: string): string => name.toLowerCase().replace(/_/g, '-')

/** Free text (a kernel release) as a label value: other characters as '_', alphanumeric at both ends. */
const labelValue = (text: string): string =>
  text
    .replace(/[^-A-Za-z0-9_.]/g, '_')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '')

/**
 * The labels of a probe: whether io_uring is usable and the loop can run, the verdict, the kernel,
 * and each setup flag the kernel accepted, feature it has, op and register op it supports (only
 * what it has: a label absent is a "no", as NFD's own labels do).
 */
function nfdLabels(document: ProbeDocument): Array<[name: string, value: string]> {
  const {usability, verdict, kernel} = document
  const has = (prefix: string, rows: Array<{name: string; has: boolean}>): Array<[string, string]> =>
    rows.filter((row) => row.has).map((row) => [`iouring.${prefix}.${labelWord(row.name)}`, 'true'])
  const labels: Array<[string, string]> = [
    ['iouring.available', String(usability.usable)],
    ['iouring.loop', String(verdict.loop.met)],
    ['iouring.single-issuer', String(verdict.singleIssuer.met)],
    ['iouring.kernel', labelValue(kernel.mainline ?? kernel.release)],
    ...(usability.cause ? [['iouring.refused-by', labelWord(usability.cause.id)] as [string, string]] : []),
    ...document.setupFlags
      .filter((row) => row.status === 'accepted')
      .map((row): [string, string] => [`iouring.setup.${labelWord(row.name)}`, 'true']),
    ...has('feature', document.features.rows),
    ...has('op', document.opcodes.rows),
    ...has(
      'register',
      document.registerOps.rows.map((row) => ({...row, name: row.name.replace(/^REGISTER_/, '')})),
    ),
  ]
  for (const [name, value] of labels) {
    const problem = labelProblem(name, value)
    if (problem) throw new Error(`an NFD label this tool made breaks the rules: ${problem}`)
  }
  return labels
}

/**
 * The feature file. With `validForNs` it starts with NFD's `# +expiry-time` (RFC 3339, UTC, whole
 * seconds, rounded up), counted from the probe: nfd-worker drops the labels then unless a newer
 * file came.
 */
export function renderNfd(document: ProbeDocument, options?: Pick<RenderOptions, 'validForNs'>): string {
  const validForNs = options?.validForNs
  const expiresAt = validForNs === undefined ? undefined : Math.ceil((Date.parse(document.createdAt) + validForNs / 1e6) / 1000) * 1000
  const expiry = expiresAt === undefined ? [] : [`# +expiry-time=${new Date(expiresAt).toISOString().replace(/\.000Z$/, 'Z')}`]
  const header = [
    ...expiry,
    `# iouring-bench ${document.tool.version} probe-kernel, ${document.createdAt}: io_uring on Linux ${document.kernel.label}`,
    `# ${document.usability.usable ? 'usable' : `not usable: ${document.usability.cause?.summary ?? 'io_uring_setup failed'}`}`.replace(
      /\n/g,
      ' ',
    ),
  ]
  return [...header, ...nfdLabels(document).map(([name, value]) => `${name}=${value}`)].join('\n') + '\n'
}
