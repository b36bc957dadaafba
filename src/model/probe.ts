// The probe document (`probe-kernel --json`, schemas/probe.schema.json): the raw facts as the
// probe gave them and, beside them, everything this version of the tool made of them
// (src/probe/ evaluates).

import type {DocumentKind, Envelope, HostInfo} from './envelope.js'
import type {RawOutcome, RawProbe} from './native.js'

export interface KernelVersion {
  major: number
  minor: number
  patch: number | null
}

export interface KernelIdentity {
  /** `uname -r` */
  release: string
  /** `uname -v` */
  version: string
  machine: string
  /** /proc/version_signature (Ubuntu), null when absent. */
  versionSignature: string | null
  /** The mainline release the kernel is built from, e.g. "5.10.262"; null when nothing says. */
  mainline: string | null
  /** The distribution's own package version, when the kernel names it. */
  distribution: {name: string; version: string} | null
  /** How explanations name this kernel: "5.10.262 (Debian)", "6.18.44". */
  label: string
}

export type CauseId =
  'io_uring_disabled' | 'io_uring_group' | 'seccomp' | 'not_built' | 'memlock' | 'out_of_memory' | 'not_permitted' | 'unknown'

export interface Cause {
  id: CauseId
  /** What keeps io_uring from this process, in one sentence. */
  summary: string
  /** What to do about it. */
  fix: string
}

/** The container runtimes the probe tells apart ('container': one it cannot name). */
export type ContainerRuntime = 'docker' | 'podman' | 'kubernetes' | 'containerd' | 'lxc' | 'systemd-nspawn' | 'gvisor' | 'container'

/** Where the probe ran, when it ran here (src/probe/container.ts reads it). */
export interface ContainerFacts {
  /** The runtime the signs add up to; null: no sign of a container. */
  runtime: ContainerRuntime | null
  /** What told it: "/run/.containerenv (engine podman-4.3.1)", "container=lxc", a cgroup path. */
  signs: string[]
  /** CONFIG_IO_URING of this kernel, where its config could be read. */
  kernelConfig: {source: string; ioUring: boolean} | null
}

export interface Usability {
  usable: boolean
  /** The plain 8-entry ring's io_uring_setup. */
  setup: RawOutcome
  /** Why not, and the fix; null when usable. */
  cause: Cause | null
  /** Facts that bear on it without deciding it (a sysctl that lets this process through, ...). */
  notes: string[]
}

export type FlagStatus = 'accepted' | 'refused' | 'not tried'

export interface SetupFlagRow {
  bit: number
  name: string
  /** null for a bit this iouring-bench has no name for. */
  firstKernel: string | null
  status: FlagStatus
  /** The flag set of the trial that decided it, when that was more than this flag. */
  triedAs: string | null
  errno: number | null
  error: string | null
  explanation: string | null
  /** From IORING_REGISTER_QUERY (6.18+): whether the kernel lists it; null where not asked. */
  listedByKernel: boolean | null
}

export interface RingSizeRow {
  /** e.g. 'a ring of 32768 SQ entries' */
  what: string
  flags: string
  entries: number
  cqEntries: number | null
  ok: boolean
  errno: number | null
  error: string | null
  granted: {sqEntries: number; cqEntries: number} | null
  explanation: string | null
}

export interface NamedRow {
  number: number
  name: string
  firstKernel: string | null
  /** present / supported / known (false too where the set is unavailable: see NamedSet). */
  has: boolean
}

export interface NamedSet {
  /** How the kernel was asked; null when it could not be (no ring). */
  source: string | null
  /** Why the kernel could not be asked, when it could not. */
  unavailable: string | null
  rows: NamedRow[]
}

export type BehaviourId = keyof RawProbe['behaviour']

export interface BehaviourRow {
  id: BehaviourId
  title: string
  ran: boolean
  works: boolean
  detail: string
  /** Why it did not work, by errno or release; null when it worked. */
  explanation: string | null
}

export interface Assessment {
  met: boolean
  reason: string
}

export interface BenchFlagAssessment {
  flag: string
  works: boolean
  reason: string
}

export interface ProbeVerdict {
  /** The loop's baseline: what every workload needs (the seed says 5.13+). */
  loop: Assessment
  /** The loop's single_issuer mode, `bench --single-issuer` (6.1+). */
  singleIssuer: Assessment
  /** Each `bench` flag that needs more of the kernel than the baseline, and whether it works. */
  benchFlags: BenchFlagAssessment[]
}

export interface ProbeEvaluation {
  kernel: KernelIdentity
  /** Probed here: the container it ran in, if any; absent when read from a file. */
  container?: ContainerFacts
  usability: Usability
  verdict: ProbeVerdict
  setupFlags: SetupFlagRow[]
  ringSizes: RingSizeRow[]
  features: NamedSet
  opcodes: NamedSet
  registerOps: NamedSet & {count: number | null}
  behaviour: BehaviourRow[]
}

export type RequirementKind = 'tool' | 'setupFlag' | 'feature' | 'opcode' | 'registerOp'

export interface Requirement {
  /** The canonical name: 'single-issuer', 'SINGLE_ISSUER', 'EXT_ARG', 'REGISTER_PBUF_RING'. */
  name: string
  kind: RequirementKind
}

export interface RequirementResult extends Requirement, Assessment {
  /** As the user wrote it. */
  given: string
}

export const PROBE_SCHEMA_VERSION = 1

export const PROBE_KIND: DocumentKind<'probe'> = 'iouring-bench/probe'

/** `host` is the machine when probed here (a file does not say); `kernel` the evaluation's. */
export interface ProbeDocument extends Envelope<'probe', HostInfo | null, KernelIdentity>, ProbeEvaluation {
  schemaVersion: typeof PROBE_SCHEMA_VERSION
  kind: typeof PROBE_KIND
  createdAt: string
  /** Probed by this process, or read from a file (`--input`). */
  source: {probedHere: boolean; file: string | null}
  /** The `--require` names and whether each is met; null without --require. */
  requirements: RequirementResult[] | null
  raw: RawProbe
}
