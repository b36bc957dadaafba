// The envelope every document shares: which kind it is and in which version, the tool that wrote
// it, and the machine and kernel it describes. The model (src/model/) is a leaf: documents as
// types and small pure helpers, importing nothing else of the tool, so measuring, analysing and
// rendering all depend on it and it on none of them.

export interface HostInfo {
  hostname: string
  arch: string
  cpus: number
  cpuModel: string
  memoryBytes: number
  node: string
}

export interface KernelInfo {
  /** `uname -r` */
  release: string
  /** `uname -v`: on Debian it carries the real package version, which `uname -r` hides */
  version: string
}

/** Every document the tool writes, by name; its kind is `iouring-bench/<name>`. */
export type DocumentName = 'result' | 'fleet' | 'probe' | 'shutdown-drill' | 'stress-timeouts' | 'advice' | 'history'
export type DocumentKind<Name extends DocumentName = DocumentName> = `iouring-bench/${Name}`

interface ToolInfo {
  name: string
  version: string
}

/**
 * What every document opens with. `host` and `kernel` are what it describes: a probe read from a
 * file knows no host and names its kernel in more detail; a fleet view (many hosts) has neither.
 */
export interface Envelope<Name extends DocumentName, Host = HostInfo, Kernel = KernelInfo> {
  /** Each document kind's own version (its schema pins it), raised on a change its readers could not follow. */
  schemaVersion: number
  kind: DocumentKind<Name>
  tool: ToolInfo
  host: Host
  kernel: Kernel
}

/** The name in a document's kind: 'iouring-bench/probe' -> 'probe'. */
export function documentName(kind: DocumentKind): DocumentName {
  return kind.slice('iouring-bench/'.length) as DocumentName
}

export function toolInfo(version: string): ToolInfo {
  return {name: 'iouring-bench', version}
}
