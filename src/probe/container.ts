// Where the probe runs: in a container, and which runtime's, from the signs each leaves (a file,
// an environment variable, the cgroup path, gVisor's kernel identity), and whether this kernel
// was built with io_uring (its config, where readable). A refusal then names the runtime and the
// flag of that runtime which fixes it, and tells a policy denial (ENOSYS from a filter) from a
// kernel without io_uring. Read only when probing here: a probe read from a file has none.

import {readFileSync} from 'node:fs'
import path from 'node:path'
import {gunzipSync} from 'node:zlib'

import type {ContainerFacts, ContainerRuntime} from '../model/probe.js'

/** The kernel version gVisor's Sentry reports (it implements no io_uring: its own kernel in user space). */
const GVISOR_KERNEL_VERSION = '#1 SMP Sun Jan 10 15:06:54 PST 2016'

/** The files and variables a runtime leaves, read under `root` (a test gives a folder of its own). */
export function readContainerFacts(
  kernel: {release: string; version: string},
  root = '/',
  env: NodeJS.ProcessEnv = process.env,
): ContainerFacts {
  const read = (file: string): string | null => {
    try {
      return readFileSync(path.join(root, file), 'utf8')
    } catch {
      return null
    }
  }
  const signs: string[] = []
  const runtimes: ContainerRuntime[] = []
  const found = (runtime: ContainerRuntime, sign: string): void => {
    runtimes.push(runtime)
    signs.push(sign)
  }
  if (kernel.version === GVISOR_KERNEL_VERSION) found('gvisor', `uname -v is gVisor's '${GVISOR_KERNEL_VERSION}'`)
  const containerEnv = read('run/.containerenv')
  if (containerEnv !== null) {
    const engine = /^engine="([^"]*)"/m.exec(containerEnv)?.[1]
    found('podman', `/run/.containerenv${engine ? ` (engine ${engine})` : ''}`)
  }
  if (read('.dockerenv') !== null) found('docker', '/.dockerenv')
  // systemd passes the variable only to PID 1, and writes it to /run/systemd/container for the rest.
  const variable =
    env.container ?? read('run/systemd/container')?.trim() ?? /(?:^|\0)container=([^\0]*)/.exec(read('proc/1/environ') ?? '')?.[1]
  if (variable) {
    const byName: Record<string, ContainerRuntime> = {
      podman: 'podman',
      docker: 'docker',
      lxc: 'lxc',
      'lxc-libvirt': 'lxc',
      'systemd-nspawn': 'systemd-nspawn',
    }
    found(byName[variable] ?? 'container', `container=${variable}`)
  }
  const cgroup = read('proc/self/cgroup') ?? ''
  const cgroupSign = (pattern: RegExp, runtime: ContainerRuntime): void => {
    const line = cgroup.split('\n').find((entry) => pattern.test(entry))
    if (line) found(runtime, `/proc/self/cgroup: ${line.split(':').slice(2).join(':')}`)
  }
  // A container's own cgroup, named by its id: a host's unit names (docker.service) are no sign.
  // Under cgroup v2 with a cgroup namespace, the runtimes' default, the path is only "0::/".
  cgroupSign(/kubepods/, 'kubernetes')
  cgroupSign(/\/docker[-/][0-9a-f]{12,}/, 'docker')
  cgroupSign(/libpod-[0-9a-f]{12,}/, 'podman')
  cgroupSign(/(cri-containerd-|\/containerd\/)[0-9a-f]{12,}/, 'containerd')
  cgroupSign(/\/lxc(\.payload)?[./][^/\s]+/, 'lxc')
  if (env.KUBERNETES_SERVICE_HOST) found('kubernetes', 'KUBERNETES_SERVICE_HOST is set')
  return {runtime: mostTelling(runtimes), signs, kernelConfig: kernelConfig(kernel.release, read, root)}
}

/**
 * The runtime the signs add up to: gVisor over all (it decides what the kernel offers), then
 * Kubernetes (its pods run on containerd or CRI-O with Kubernetes' own seccomp rules), then the
 * engine that made the container.
 */
function mostTelling(runtimes: ContainerRuntime[]): ContainerRuntime | null {
  const order: ContainerRuntime[] = ['gvisor', 'kubernetes', 'podman', 'docker', 'containerd', 'lxc', 'systemd-nspawn', 'container']
  return order.find((runtime) => runtimes.includes(runtime)) ?? null
}

/** CONFIG_IO_URING of this kernel, from /proc/config.gz or /boot/config-RELEASE, where readable. */
function kernelConfig(release: string, read: (file: string) => string | null, root: string): ContainerFacts['kernelConfig'] {
  const sources: Array<[string, () => string | null]> = [
    [
      '/proc/config.gz',
      () => {
        try {
          return gunzipSync(readFileSync(path.join(root, 'proc/config.gz'))).toString('utf8')
        } catch {
          return null
        }
      },
    ],
    [`/boot/config-${release}`, () => read(`boot/config-${release}`)],
  ]
  for (const [source, text] of sources) {
    const config = text()
    if (config === null) continue
    return {source, ioUring: /^CONFIG_IO_URING=y$/m.test(config)}
  }
  return null
}

/** The one change that lets io_uring through this runtime's seccomp filter, with the shipped profile. */
export function seccompFix(runtime: ContainerRuntime | null): string {
  const file = 'deploy/seccomp/io_uring.json'
  const profile = `(deploy/seccomp/make-profile.mjs writes it: the runtime's default profile that also allows io_uring_setup, io_uring_enter and io_uring_register)`
  switch (runtime) {
    case 'docker':
      return `run the container with \`docker run --security-opt seccomp=${file}\` ${profile}`
    case 'podman':
      return `run the container with \`podman run --security-opt seccomp=${file}\` ${profile}`
    // containerd reads a profile as the OCI runtime spec has it, with no conditional rules
    // (includes/excludes): Docker's and Podman's defaults do not carry over as they are.
    case 'kubernetes':
      return "give the pod `securityContext: {seccompProfile: {type: Localhost, localhostProfile: io_uring.json}}`, io_uring.json in each node's /var/lib/kubelet/seccomp/: a profile in the OCI runtime spec's form (no includes/excludes) that allows io_uring_setup, io_uring_enter and io_uring_register"
    case 'containerd':
      return "run the container with `nerdctl run --security-opt seccomp=PROFILE.json`, a profile in the OCI runtime spec's form (no includes/excludes) that allows io_uring_setup, io_uring_enter and io_uring_register"
    case 'lxc':
      return "set `lxc.seccomp.profile` in the container's config to a policy that allows io_uring_setup, io_uring_enter and io_uring_register"
    case 'systemd-nspawn':
      return 'start the container with `systemd-nspawn --system-call-filter="io_uring_setup io_uring_enter io_uring_register"`'
    case 'gvisor':
      return 'run this container with runc (`--runtime=runc`) instead of runsc, or runsc with `--iouring` (a partial io_uring)'
    default:
      return `run under a seccomp profile that allows io_uring_setup, io_uring_enter and io_uring_register (a container: \`docker run --security-opt seccomp=${file}\` ${profile}), or outside that sandbox`
  }
}

export const RUNTIME_NAMES: Record<ContainerRuntime, string> = {
  docker: 'Docker',
  podman: 'Podman',
  kubernetes: 'Kubernetes',
  containerd: 'containerd',
  lxc: 'LXC',
  'systemd-nspawn': 'systemd-nspawn',
  gvisor: 'gVisor',
  container: 'a container',
}
