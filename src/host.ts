// Facts about the machine a result was measured on, recorded in every result document.

import os from 'node:os'
import type {HostInfo, KernelInfo} from './model/envelope.js'

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
