// Facts about the machine a result was measured on, recorded in every result document.

import os from 'node:os'

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

export function hostInfo(): HostInfo {
  const cpus = os.cpus()
  return {
    hostname: os.hostname(),
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryBytes: os.totalmem(),
    node: process.version,
  }
}

export function kernelInfo(): KernelInfo {
  return {release: os.release(), version: os.version()}
}
