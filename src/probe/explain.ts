// Turns a native failure into a sentence a user can act on: what was refused, the likely cause,
// and what to do. It draws on the same table and causes as probe-kernel (src/probe/causes.ts,
// kernel-table.json); without the probe's environment facts it can only list the candidates
// for EPERM, and points at probe-kernel, which tests them.

import {limitBehind} from '../bench/needs.js'
import {type Limit, readLimit} from '../limits.js'
import type {NativeError} from '../model/native.js'
import type {WorkloadSpec} from '../model/workload.js'
import {causeOfRefusal, explainSetupRefusal, flagMask} from './causes.js'
import {thisKernel} from './kernel.js'
import {formatSize} from '../units.js'

const PROBE_HINT = "run 'iouring-bench probe-kernel' to see what this kernel supports"

export function explainNativeError(error: NativeError, spec?: WorkloadSpec): string {
  // A limit of this process (RLIMIT_NOFILE, RLIMIT_AS) first: it names the number to raise.
  const limit = spec && limitBehind(error, spec)
  if (limit) return `${error.message}: ${limit}`
  if (error.code === 'EMFILE' || error.code === 'ENFILE') {
    return `${error.call} failed (${error.message}): the process ran out of file descriptors; raise RLIMIT_NOFILE (ulimit -n) or open fewer connections`
  }
  if (error.call === 'io_uring_setup') return explainRefusedRing(error)
  if (error.call === 'io_uring_register' && error.code === 'ENOMEM' && /REGISTER_BUFFERS|PBUF_RING/.test(error.detail)) {
    return explainPinnedBuffers(error, readLimit('RLIMIT_MEMLOCK'))
  }
  if (error.code === 'ENOMEM') {
    return `the loop could not start (${error.message}): out of memory; use a smaller ring or free memory`
  }
  return `the loop stopped: ${error.message}`
}

/**
 * Registered buffers are pinned, and every kernel counts pinned pages against RLIMIT_MEMLOCK
 * (unless the process has CAP_IPC_LOCK): the limit, and the ways to raise it where it is set.
 */
export function explainPinnedBuffers(error: NativeError, memlock: Limit | null): string {
  const limit =
    memlock === null ? 'RLIMIT_MEMLOCK' : `RLIMIT_MEMLOCK (${memlock.soft === Infinity ? 'unlimited' : formatSize(memlock.soft)} here)`
  return (
    `the kernel could not pin the registered buffers (${error.message}): registered buffers count against ${limit}; ` +
    'raise it (`ulimit -l unlimited`, LimitMEMLOCK=infinity in a systemd unit, `docker run --ulimit memlock=-1`) or register fewer or smaller buffers'
  )
}

function explainRefusedRing(error: NativeError): string {
  const refused = `the kernel refused the ring (${error.message})`
  // The loop's own refusal (a ring without EXT_ARG) carries no errno; its message says why.
  if (!error.code) return `${refused}; ${PROBE_HINT}`
  const {flags, entries} = ringOf(error.detail)
  const context = {kernel: thisKernel(), environment: null, registerAnswered: null, memlock: readLimit('RLIMIT_MEMLOCK')}
  if (flags === 0 && ['EPERM', 'ENOSYS', 'ENOMEM'].includes(error.code)) {
    const cause = causeOfRefusal(error.code, context, entries)
    return `${refused}: ${cause.summary}; ${cause.fix}`
  }
  return `${refused}: ${explainSetupRefusal({flags, entries, error: error.code}, context)}; ${PROBE_HINT}`
}

/** The ring the loop asked for, from its detail "entries=256 flags=SINGLE_ISSUER|DEFER_TASKRUN". */
function ringOf(detail: string): {flags: number; entries: number} {
  const entries = Number(/entries=(\d+)/.exec(detail)?.[1] ?? 0)
  const names = /flags=(\S+)/.exec(detail)?.[1] ?? 'none'
  const flags = names === 'none' ? 0 : flagMask(...names.split('|'))
  return {flags, entries}
}
