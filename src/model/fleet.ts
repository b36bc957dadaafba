// The fleet view (`report merge` of probe documents, schemas/fleet.schema.json): hosts by kernel
// and by verdict, with the reasons (src/report/fleet.ts tabulates).

import type {DocumentKind, Envelope} from './envelope.js'

export type VerdictName = 'unusable' | 'unsupported' | 'supported without single issuer' | 'supported'

export interface HostVerdict {
  hostname: string | null
  kernel: {release: string; version: string}
  verdict: VerdictName
  reason: string
  /** What to do about it, where io_uring cannot be used (the cause's fix). */
  fix?: string
  /** The bench flags that fail on this host (`--single-issuer`, `--wake futex-op`): what its kernel lacks. */
  lacks?: string[]
}

export const FLEET_KIND: DocumentKind<'fleet'> = 'iouring-bench/fleet'

export const FLEET_SCHEMA_VERSION = 1

export interface FleetHost extends HostVerdict {
  /** The file the probe came from (raw probes carry no hostname). */
  source: string
}

export interface FleetKernel {
  release: string
  version: string
  hosts: number
  verdicts: Record<string, number>
  /** The bench flags that fail on every host of this kernel that can use io_uring at all. */
  lacks?: string[]
}

export interface FleetVerdict {
  verdict: string
  hosts: number
  reasons: Array<{reason: string; fix?: string; sources: string[]}>
}

/** Many hosts: the envelope without a host or kernel of its own. */
export interface FleetDocument extends Omit<Envelope<'fleet'>, 'host' | 'kernel'> {
  schemaVersion: typeof FLEET_SCHEMA_VERSION
  kind: typeof FLEET_KIND
  createdAt: string
  hosts: FleetHost[]
  kernels: FleetKernel[]
  verdicts: FleetVerdict[]
}
