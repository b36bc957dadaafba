// Before anything is measured: whether this kernel has what the workloads' settings need beyond
// the loop's baseline (the settings table's `needs`), from a probe of it. A workload that needs
// nothing more runs without probing. A kernel without io_uring at all is left to the run, whose
// failure names the cause.

import {EnvironmentError} from '../errors.js'
import type {RawProbe} from '../model/native.js'
import type {ProbeEvaluation} from '../model/probe.js'
import type {WorkloadSpec} from '../model/workload.js'
import {probeKernel} from '../native/addon.js'
import {assessNeed, evaluateProbe} from '../probe/evaluate.js'
import {needsOf} from '../settings/needs.js'
import type {Setting} from '../settings/table.js'

/**
 * A raw probe to judge the needs by instead of probing this kernel (another kernel's, e.g. a qemu
 * guest's): how the tests show a refusal this kernel would not give.
 */
export const PROBE_INPUT_VARIABLE = 'IOURING_BENCH_PROBE_INPUT'

/** Throws an EnvironmentError (exit 3) naming the first need the kernel does not meet. */
export async function checkKernelNeeds(specs: WorkloadSpec[]): Promise<void> {
  if (!specs.some((spec) => needsOf(spec).length > 0)) return
  const refusal = unmetNeed(specs, evaluateProbe(await rawProbe()))
  if (refusal) throw new EnvironmentError(refusal)
}

/**
 * Why the probed kernel cannot run each workload it cannot (by workload name): `bench --compare`
 * lists those as skipped and runs the rest.
 */
export async function kernelRefusals(specs: WorkloadSpec[]): Promise<Map<string, string>> {
  const refusals = new Map<string, string>()
  if (!specs.some((spec) => needsOf(spec).length > 0)) return refusals
  const evaluation = evaluateProbe(await rawProbe())
  for (const spec of specs) {
    const refusal = unmetNeed([spec], evaluation)
    if (refusal) refusals.set(spec.name, refusal)
  }
  return refusals
}

/**
 * The first need of these workloads the probed kernel does not meet, as one line: "--wake
 * futex-op needs IORING_OP_FUTEX_WAIT (Linux 6.7); this kernel is 5.10.262 (Debian)"; null when
 * it meets them all, or when it cannot run io_uring at all (the run names that cause).
 */
export function unmetNeed(specs: WorkloadSpec[], evaluation: ProbeEvaluation, rows?: readonly Setting[]): string | null {
  if (!evaluation.usability.usable) return null
  for (const spec of specs) {
    for (const need of needsOf(spec, rows)) {
      const {met, reason} = assessNeed(need, evaluation)
      if (!met) return `${specs.length > 1 ? `workload '${spec.name}': ` : ''}${need.flag} ${reason}`
    }
  }
  return null
}

async function rawProbe(): Promise<RawProbe> {
  const file = process.env[PROBE_INPUT_VARIABLE]
  if (file === undefined) return probeKernel()
  // The schema validator (ajv) is loaded only for a file, as probe-kernel --input loads it.
  return (await import('../probe/input.js')).readRawProbe(file, PROBE_INPUT_VARIABLE)
}
