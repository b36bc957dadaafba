// The one place that reads probe documents for the fleet view: which kernel a host runs and the
// verdict on it. Two inputs are accepted, told apart by their shape:
//   - `probe-kernel --json` documents (kind 'iouring-bench/probe'), which carry their own verdict;
//   - raw `iouring-probe` output (rawProbeVersion 1, checked against schemas/raw-probe.schema.json
//     by the loader), for which a coarse verdict is derived here from what the probe tested.
// MERGE NOTE: `fromProbeDocument` assumes the probe document's fields (kernel.release,
// kernel.version, hostname, verdict.status, verdict.reason); wire it to the real document, and
// drop `fromRawProbe` if the fleet view should accept only probe-kernel output.

import {shown, UsageError} from '../errors.js'

export const PROBE_KIND = 'iouring-bench/probe'

export interface HostVerdict {
  hostname: string | null
  kernel: {release: string; version: string}
  verdict: string
  reason: string
}

type Json = Record<string, unknown>

export function isProbe(document: Json): boolean {
  return document.kind === PROBE_KIND || 'rawProbeVersion' in document
}

export function hostVerdict(document: Json, file: string): HostVerdict {
  return document.kind === PROBE_KIND ? fromProbeDocument(document, file) : fromRawProbe(document)
}

function fromProbeDocument(document: Json, file: string): HostVerdict {
  const kernel = document.kernel as Json | undefined
  const verdict = document.verdict as Json | undefined
  if (typeof kernel?.release !== 'string' || typeof verdict?.status !== 'string') {
    throw new UsageError(`${shown(file)}: a probe document without kernel.release or verdict.status; give the output of 'iouring-bench probe-kernel --json'`)
  }
  return {
    hostname: typeof document.hostname === 'string' ? document.hostname : null,
    kernel: {release: kernel.release, version: typeof kernel.version === 'string' ? kernel.version : ''},
    verdict: verdict.status,
    reason: typeof verdict.reason === 'string' ? verdict.reason : '',
  }
}

interface RawProbe {
  rawProbeVersion: number
  kernel: {release: string; version: string}
  environment: {ioUringDisabled: number | null; seccompMode: number | null}
  setup: {ok: boolean; error: string | null}
  behaviour: Record<'multishotPoll' | 'multishotPollSingleIssuer' | 'linkTimeout', {works: boolean; detail: string} | null>
}

/** The loop needs a ring, multishot poll (its wake path) and linked timeouts; SINGLE_ISSUER is optional. */
function fromRawProbe(document: Json): HostVerdict {
  const probe = document as unknown as RawProbe
  const base = {hostname: null, kernel: {release: probe.kernel.release, version: probe.kernel.version}}
  if (!probe.setup.ok) return {...base, verdict: 'unavailable', reason: whyNoRing(probe)}
  const {multishotPoll, multishotPollSingleIssuer, linkTimeout} = probe.behaviour
  if (!multishotPoll?.works) return {...base, verdict: 'unsupported', reason: `no multishot poll, which the loop's wake path needs (Linux 5.13+)${detail(multishotPoll)}`}
  if (!linkTimeout?.works) return {...base, verdict: 'unsupported', reason: `linked timeouts do not work${detail(linkTimeout)}`}
  if (!multishotPollSingleIssuer?.works) {
    return {...base, verdict: 'supported without single issuer', reason: `SINGLE_ISSUER|DEFER_TASKRUN refused${detail(multishotPollSingleIssuer)} (Linux 6.1+)`}
  }
  return {...base, verdict: 'supported', reason: 'every feature the loop uses works, single issuer included'}
}

function whyNoRing(probe: RawProbe): string {
  const {error} = probe.setup
  const {ioUringDisabled, seccompMode} = probe.environment
  if (error === 'EPERM' && ioUringDisabled) return `io_uring_setup: EPERM, kernel.io_uring_disabled=${ioUringDisabled}`
  if (error === 'EPERM' && seccompMode === 2) return 'io_uring_setup: EPERM from a seccomp filter'
  if (error === 'EPERM') return 'io_uring_setup: EPERM (not in kernel.io_uring_group?)'
  if (error === 'ENOSYS') return 'io_uring_setup: ENOSYS, a kernel built without io_uring'
  if (error === 'ENOMEM') return 'io_uring_setup: ENOMEM, RLIMIT_MEMLOCK too low for a ring'
  return `io_uring_setup: ${error ?? 'refused'}`
}

function detail(test: {detail: string} | null): string {
  return test?.detail ? ` (${test.detail})` : ''
}
