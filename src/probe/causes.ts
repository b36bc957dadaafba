// Why the kernel refused a ring, and what to do about it: from the errno, the environment the
// probe read (sysctls, seccomp, credentials, memlock limit) and the kernel release. The errno
// and the environment decide the cause; the release only explains.

import {MAX_RING_ENTRIES} from '../bench/spec.js'
import {type Limit, limitTooLow} from '../limits.js'
import type {RawProbe} from '../model/native.js'
import type {Cause, ContainerFacts, KernelIdentity} from '../model/probe.js'
import {RUNTIME_NAMES, seccompFix} from './container.js'
import {formatSize} from '../units.js'
import {bitsOf, milestone, nameOf, SETUP_FLAGS, type TableEntry} from './kernel-table.js'
import {appearedIn, newerThanKernel, olderThan} from './kernel.js'

export type RawEnvironment = RawProbe['environment']

/** What else the probe knows that bears on a refusal. */
export interface RefusalContext {
  kernel: KernelIdentity
  /** null where the environment was not read (a ring refused during a benchmark). */
  environment: RawEnvironment | null
  /** io_uring_register answered IORING_REGISTER_QUERY (even with EINVAL): io_uring is built in. */
  registerAnswered: boolean | null
  /** RLIMIT_MEMLOCK of this process, for a ring a benchmark asked for (a probe has it in `environment`). */
  memlock?: Limit | null
  /** Probed here: the container it ran in, and this kernel's CONFIG_IO_URING. */
  container?: ContainerFacts
}

/** The probe's plain ring. */
const PROBE_RING_ENTRIES = 8

const PROBE_HINT = "run 'iouring-bench probe-kernel' to see which"

/** Why io_uring_setup refused a plain ring (of `entries`): io_uring cannot be used at all. */
export function causeOfRefusal(error: string, context: RefusalContext, entries = PROBE_RING_ENTRIES): Cause {
  switch (error) {
    case 'EPERM':
      return notPermitted(context)
    case 'ENOSYS':
      return notBuilt(context)
    case 'ENOMEM':
      return outOfMemory(context, entries)
    default:
      return {
        id: 'unknown',
        summary: `io_uring_setup refused a plain 8-entry ring with ${error}, which no known cause explains`,
        fix: 'report it, with the output of `iouring-bench probe-kernel --json`',
      }
  }
}

function notPermitted({kernel, environment, container}: RefusalContext): Cause {
  if (!environment) {
    return {
      id: 'not_permitted',
      summary:
        "io_uring is not permitted for this process: kernel.io_uring_disabled, kernel.io_uring_group or a seccomp filter (a container runtime's default profile) refuses it",
      fix: PROBE_HINT,
    }
  }
  const {ioUringDisabled, seccompMode} = environment
  if (ioUringDisabled === 2) {
    return {
      id: 'io_uring_disabled',
      summary: 'kernel.io_uring_disabled=2: io_uring is disabled for every process, root included',
      fix: 'as root, `sysctl -w kernel.io_uring_disabled=0` (or 1: only CAP_SYS_ADMIN and the group kernel.io_uring_group names), and the same line in /etc/sysctl.d/ to keep it',
    }
  }
  if (ioUringDisabled === 1 && !allowedBySysctl(environment)) {
    const group = environment.ioUringGroup ?? -1
    const groups = environment.groups.length ? `, groups ${environment.groups.join(',')}` : ''
    const self = `this process (uid ${environment.euid}, gid ${environment.egid}${groups})`
    return group === -1
      ? {
          id: 'io_uring_group',
          summary: `kernel.io_uring_disabled=1 and kernel.io_uring_group=-1: only CAP_SYS_ADMIN may use io_uring, and ${self} lacks it`,
          fix: 'run with CAP_SYS_ADMIN, or as root `sysctl -w kernel.io_uring_group=GID` for a group of this user, or `sysctl -w kernel.io_uring_disabled=0`',
        }
      : {
          id: 'io_uring_group',
          summary: `kernel.io_uring_disabled=1: only CAP_SYS_ADMIN and members of group ${group} (kernel.io_uring_group) may use io_uring, and ${self} is neither`,
          fix: `add this user to group ${group} (usermod -aG, then log in again), run with CAP_SYS_ADMIN, or as root \`sysctl -w kernel.io_uring_disabled=0\``,
        }
  }
  if (seccompMode === 2) return seccompCause(environment, 'EPERM', container)
  const sysctl =
    ioUringDisabled === null
      ? `kernel.io_uring_disabled does not exist here (${milestone('io_uring_disabled').firstKernel}+)`
      : `kernel.io_uring_disabled=${ioUringDisabled} allows this process`
  return {
    id: 'unknown',
    summary: `io_uring_setup refused with EPERM, yet ${sysctl} and no seccomp filter is installed; a Linux security module (SELinux, AppArmor) policy may refuse io_uring${olderThan(kernel, milestone('io_uring_disabled').firstKernel) ? ', or a distribution patch' : ''}`,
    fix: "look for io_uring denials in the audit log (`ausearch -m AVC`, `journalctl -k`) and in the security module's policy",
  }
}

/** Whether kernel.io_uring_disabled=1 lets this process through: CAP_SYS_ADMIN or the group. */
function allowedBySysctl(environment: RawEnvironment): boolean {
  if (environment.capSysAdmin) return true
  const group = environment.ioUringGroup
  if (group === null || group < 0) return false
  return environment.egid === group || environment.groups.includes(group)
}

function seccompCause(environment: RawEnvironment, error: string, container: ContainerFacts | undefined): Cause {
  const filters =
    environment.seccompFilters === null ? 'a seccomp filter' : `a seccomp filter (${environment.seccompFilters} on this thread)`
  const runtime = container?.runtime ?? null
  // The runtime only, not its signs (a pod's cgroup path): a fleet view groups hosts by this text.
  const whose = runtime
    ? `, ${RUNTIME_NAMES[runtime]}'s default profile`
    : error === 'EPERM'
      ? ", as a container runtime's default profile does (Docker, containerd, GitHub Actions containers)"
      : ''
  const looksMissing = error === 'ENOSYS' ? ': a policy denial that looks like a missing syscall' : ''
  return {
    id: 'seccomp',
    summary: `${filters} makes io_uring_setup fail with ${error}${whose}${looksMissing}`,
    fix: seccompFix(runtime),
  }
}

function notBuilt({kernel, environment, registerAnswered, container}: RefusalContext): Cause {
  // gVisor reports Linux 4.4.0, older than io_uring: it is its own kernel, so it comes first.
  if (container?.runtime === 'gvisor') {
    return {
      id: 'not_built',
      summary: 'gVisor answers ENOSYS: its kernel offers no io_uring unless runsc runs with --iouring (a partial one)',
      fix: seccompFix('gvisor'),
    }
  }
  const io = milestone('io_uring')
  if (olderThan(kernel, io.firstKernel)) {
    return {
      id: 'not_built',
      summary: `io_uring appeared in Linux ${io.firstKernel}; this is ${kernel.label}`,
      fix: `use Linux ${io.firstKernel} or newer`,
    }
  }
  // The kernel's own config, or io_uring_register answering at all, says the syscalls exist:
  // something in front of them said ENOSYS.
  const built = registerAnswered || container?.kernelConfig?.ioUring === true
  if (built && environment?.seccompMode === 2) return seccompCause(environment, 'ENOSYS', container)
  if (container?.kernelConfig?.ioUring === true) {
    return {
      id: 'not_permitted',
      summary: `io_uring_setup answered ENOSYS with no seccomp filter installed, yet this kernel was built with CONFIG_IO_URING=y (${container.kernelConfig.source}): something in front of the kernel intercepts the call`,
      fix: 'run outside the sandbox that intercepts system calls (a user-mode kernel such as gVisor, a ptrace or user-mode emulator), or under one that offers io_uring',
    }
  }
  const filter = environment?.seccompMode === 2 ? ', or a seccomp filter answers ENOSYS for it' : ''
  const config = container?.kernelConfig ? ` (${container.kernelConfig.source} has no CONFIG_IO_URING=y)` : ''
  return {
    id: 'not_built',
    summary: `io_uring_setup does not exist here (ENOSYS): this kernel was built without io_uring (CONFIG_IO_URING)${config}${filter}`,
    fix: 'use a kernel built with CONFIG_IO_URING=y',
  }
}

function outOfMemory({kernel, environment, memlock}: RefusalContext, entries: number): Cause {
  const free = milestone('memlock_free_rings')
  const limit = memlock ?? (environment ? limitOf(environment.memlock) : null)
  if (olderThan(kernel, free.firstKernel) !== false && limit?.soft !== Infinity) {
    const charged = (limitName: string): string =>
      `before Linux ${free.firstKernel} ring memory counts against ${limitName}, summed over this user's rings; this is ${kernel.label}`
    const needed = ringLockedBytes(entries)
    const ring = `a ring of ${entries} entries`
    // A limit above what this ring needs was used up by the user's other rings (or mlock).
    const against = !limit
      ? charged('RLIMIT_MEMLOCK')
      : limit.soft < needed
        ? `${limitTooLow('RLIMIT_MEMLOCK', limit, needed, ring).message}; ${charged('it')}`
        : `${charged('RLIMIT_MEMLOCK')}, and of its ${formatSize(limit.soft)} the user's other rings leave less than the ${formatSize(needed)} ${ring} needs`
    return {
      id: 'memlock',
      summary: against,
      fix: 'raise the memlock limit (`ulimit -l unlimited`, LimitMEMLOCK= in a systemd unit, `docker run --ulimit memlock=-1`), or use a smaller ring',
    }
  }
  return {
    id: 'out_of_memory',
    summary: 'the kernel could not allocate the ring (ENOMEM): the memory cgroup or the machine is out of memory',
    fix: "free memory, or raise this cgroup's memory limit",
  }
}

function limitOf(raw: RawEnvironment['memlock']): Limit {
  const value = (limit: number | 'unlimited'): number => (limit === 'unlimited' ? Infinity : limit)
  return {soft: value(raw.soft), hard: value(raw.hard)}
}

/**
 * What kernels before 5.12 charge to RLIMIT_MEMLOCK for a ring of `entries` SQ entries (and
 * twice as many CQEs): the rings with the SQ index array, and the SQE array, each rounded up to
 * a power-of-two number of pages (ring_pages() in io_uring.c).
 */
export function ringLockedBytes(entries: number): number {
  const page = 4096
  const pages = (bytes: number): number => page * 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil(bytes / page))))
  const RINGS_HEADER_BYTES = 256
  return pages(RINGS_HEADER_BYTES + 16 * 2 * entries + 4 * entries) + pages(64 * entries)
}

/** A ring setup that was refused: its flags, size and errno. */
interface RefusedSetup {
  flags: number
  entries: number
  error: string
}

/** IORING_MAX_ENTRIES before max_entries_32768. */
const OLD_MAX_ENTRIES = 4096

/**
 * Why a ring with these flags (or this size) was refused, when the plain ring was not: by the
 * release that brought each flag, by privilege, by memory or by the kernel's size limit.
 */
export function explainSetupRefusal(refused: RefusedSetup, context: RefusalContext): string {
  const {flags, entries, error} = refused
  const {kernel} = context
  const flagBits = bitsOf(flags)
  const entriesOf = flagBits.map((bit) => SETUP_FLAGS.byNumber(bit))
  const unnamed = flagBits.filter((bit, index) => !entriesOf[index]).map((bit) => SETUP_FLAGS.unnamed(bit))
  if (error === 'ENOMEM') return outOfMemory(context, entries).summary
  if (error === 'EPERM') {
    if (flagBits.includes(SQPOLL_BIT)) {
      const sqpoll = milestone('unprivileged_sqpoll')
      return (
        newerThanKernel([{name: sqpoll.text, firstKernel: sqpoll.firstKernel}], kernel) ??
        `SQPOLL refused without privilege, although this is ${kernel.label}`
      )
    }
    return causeOfRefusal(error, context).summary
  }
  if (error === 'EINVAL') {
    if (flags === 0 && entries > MAX_RING_ENTRIES) return `above the kernel's limit of ${MAX_RING_ENTRIES} SQ entries (IORING_MAX_ENTRIES)`
    if (flags === 0 && entries > OLD_MAX_ENTRIES) {
      const max = milestone('max_entries_32768')
      const older = newerThanKernel([{name: max.text, firstKernel: max.firstKernel}], kernel)
      return older
        ? `${older}: a ring of at most ${OLD_MAX_ENTRIES} entries here`
        : `refused a ring of ${entries} entries, although this is ${kernel.label}`
    }
    if (flags === 0) return `refused a plain ring of ${entries} entries with EINVAL, which no known cause explains`
    if (unnamed.length) return `${unnamed.join(', ')} ${unnamed.length === 1 ? 'is' : 'are'} unknown to this iouring-bench`
    const known = entriesOf.filter((entry): entry is TableEntry => entry !== undefined)
    return newerThanKernel(known, kernel) ?? `not explained by the release: ${appearedIn(known)}, and this is ${kernel.label}`
  }
  return `refused with ${error}`
}

const SQPOLL_BIT = SETUP_FLAGS.byName('SQPOLL')?.number ?? 1

/** 'SINGLE_ISSUER|DEFER_TASKRUN' for a mask, in the table's names. */
export function flagNames(mask: number): string {
  const bits = bitsOf(mask)
  return bits.length ? bits.map((bit) => nameOf(SETUP_FLAGS, bit)).join('|') : 'none'
}

/** The mask of flags named as the table names them ('SINGLE_ISSUER', 'DEFER_TASKRUN'). */
export function flagMask(...names: string[]): number {
  return names.reduce((mask, name) => mask + 2 ** (SETUP_FLAGS.byName(name)?.number ?? 0), 0)
}
