import {readFileSync} from 'node:fs'
import os from 'node:os'
import type {KernelIdentity, KernelVersion} from '../model/probe.js'

// Which kernel this is, in the words explanations use: "5.10.262 (Debian)". Distribution kernels
// hide their real version behind `uname -r` (Debian's 5.10.0-46 is 5.10.262; Ubuntu's
// 5.15.0-91-generic is 5.15.131), so the mainline version comes from where each puts it.

const VERSION = /^(\d+)\.(\d+)(?:\.(\d+))?/

function parseKernelVersion(text: string): KernelVersion | null {
  const match = VERSION.exec(text)
  if (!match) return null
  return {major: Number(match[1]), minor: Number(match[2]), patch: match[3] === undefined ? null : Number(match[3])}
}

/** Orders two releases ('5.19' before '6.1', '5.9' before '5.10'); unparsable ones first. */
export function compareReleases(a: string, b: string): number {
  const [x, y] = [parseKernelVersion(a), parseKernelVersion(b)]
  if (!x || !y) return (x ? 1 : 0) - (y ? 1 : 0)
  return x.major - y.major || x.minor - y.minor || (x.patch ?? 0) - (y.patch ?? 0)
}

/** Whether `kernel` is older than the release `firstKernel` ('6.0'); null when unknown. */
export function olderThan(kernel: KernelIdentity, firstKernel: string): boolean | null {
  const running = kernel.mainline === null ? null : parseKernelVersion(kernel.mainline)
  const first = parseKernelVersion(firstKernel)
  if (!running || !first) return null
  return running.major < first.major || (running.major === first.major && running.minor < first.minor)
}

export function identifyKernel(kernel: {
  release: string
  version: string
  machine: string
  versionSignature: string | null
}): KernelIdentity {
  const {release, version, machine, versionSignature} = kernel
  let mainline: string | null = null
  let distribution: KernelIdentity['distribution'] = null
  // Ubuntu: "Ubuntu 5.15.0-91.101-generic 5.15.131"
  const signature = versionSignature?.trim().split(/\s+/) ?? []
  if (signature.length >= 3 && parseKernelVersion(signature[signature.length - 1])) {
    mainline = signature[signature.length - 1]
    distribution = {name: signature[0], version: signature[1]}
  }
  // Debian: "#1 SMP Debian 5.10.262-1 (2026-07-31)", also "Debian 6.1.55-1~bpo11+1"
  const debian = /\bDebian (\d+\.\d+(?:\.\d+)?)(\S*)/.exec(version)
  if (!mainline && debian) {
    mainline = debian[1]
    distribution = {name: 'Debian', version: debian[1] + debian[2]}
  }
  if (!mainline) {
    const parsed = parseKernelVersion(release)
    if (parsed) mainline = [parsed.major, parsed.minor, parsed.patch].filter((part) => part !== null).join('.')
  }
  const base = mainline ?? release
  return {
    release,
    version,
    machine,
    versionSignature,
    mainline,
    distribution,
    label: distribution ? `${base} (${distribution.name})` : base,
  }
}

/** The kernel this process runs on, without probing it. */
export function thisKernel(): KernelIdentity {
  let versionSignature: string | null = null
  try {
    versionSignature = readFileSync('/proc/version_signature', 'utf8').trim()
  } catch {
    // Only Ubuntu has it.
  }
  return identifyKernel({release: os.release(), version: os.version(), machine: os.machine(), versionSignature})
}

/**
 * Why a kernel lacks what it refused, by version: "SINGLE_ISSUER appeared in Linux 6.0 and
 * DEFER_TASKRUN in 6.1; this is 5.10.262 (Debian)". Names only what is newer than the kernel;
 * null when nothing is (then the version does not explain the refusal).
 */
export function newerThanKernel(items: Array<{name: string; firstKernel: string}>, kernel: KernelIdentity): string | null {
  const newer = items.filter((item) => olderThan(kernel, item.firstKernel) !== false)
  return newer.length ? `${appearedIn(newer)}; this is ${kernel.label}` : null
}

/** "SINGLE_ISSUER appeared in Linux 6.0 and DEFER_TASKRUN in 6.1", names of one release together. */
export function appearedIn(items: Array<{name: string; firstKernel: string}>): string {
  const byRelease = new Map<string, string[]>()
  for (const item of items) byRelease.set(item.firstKernel, [...(byRelease.get(item.firstKernel) ?? []), item.name])
  const parts = [...byRelease].map(([release, names], index) => `${andList(names)} ${index === 0 ? 'appeared in Linux' : 'in'} ${release}`)
  return andList(parts)
}

/** 'a', 'a and b', 'a, b and c' */
function andList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}
