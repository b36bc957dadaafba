// The one place that turns a probe into a fleet row: which kernel a host runs and the verdict on
// it. A `probe-kernel --json` document carries its own evaluation (kernel, usability, verdict);
// a raw `iouring-probe` output, from a host without Node, is evaluated here by the same code
// `probe-kernel --input` uses, so both give the same verdicts and reasons.

import type {HostVerdict} from '../model/fleet.js'
import type {RawProbe} from '../model/native.js'
import type {ProbeDocument, ProbeEvaluation} from '../model/probe.js'
import {evaluateProbe} from '../probe/evaluate.js'

/** A probe-kernel document, as it judged its host. */
export function documentVerdict(document: ProbeDocument): HostVerdict {
  return verdictOf(document, document.host?.hostname ?? null)
}

/** A raw probe (it names no host). */
export function rawVerdict(raw: RawProbe): HostVerdict {
  return verdictOf(evaluateProbe(raw), null)
}

function verdictOf(
  {kernel, usability, verdict}: Pick<ProbeEvaluation, 'kernel' | 'usability' | 'verdict'>,
  hostname: string | null,
): HostVerdict {
  const lacks = verdict.benchFlags.filter((flag) => !flag.works).map((flag) => flag.flag)
  const host = {hostname, kernel: {release: kernel.release, version: kernel.version}, lacks}
  if (!usability.usable) {
    // The cause names the sysctl, the seccomp filter or the missing io_uring, and how to fix it.
    const {lacks: _everything, ...unusable} = host // every flag fails where io_uring cannot be used: no list says more
    return {
      ...unusable,
      verdict: 'unusable',
      reason: usability.cause?.summary ?? verdict.loop.reason,
      ...(usability.cause ? {fix: usability.cause.fix} : {}),
    }
  }
  if (!verdict.loop.met) return {...host, verdict: 'unsupported', reason: verdict.loop.reason}
  if (!verdict.singleIssuer.met) return {...host, verdict: 'supported without single issuer', reason: verdict.singleIssuer.reason}
  return {...host, verdict: 'supported', reason: verdict.loop.reason}
}
