// Where a probe runs: each runtime told from the signs it leaves (a fake root per runtime), the
// kernel's CONFIG_IO_URING from its config, and a refusal explained with that runtime's fix: a
// policy denial (ENOSYS from a filter) told from a kernel without io_uring. The probes are real
// (test/fixtures/raw-probe), with the refusal and the container set as a container would see them.
import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, test} from 'node:test'
import {gzipSync} from 'node:zlib'

import type {RawProbe} from '../../src/model/native.ts'
import type {ContainerFacts} from '../../src/model/probe.ts'
import {readContainerFacts} from '../../src/probe/container.ts'
import {evaluateProbe} from '../../src/probe/evaluate.ts'

const KERNEL = {release: '6.1.0-28-amd64', version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1'}

/** A root folder holding these files (path → contents). */
function root(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'iob-root-'))
  for (const [file, contents] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), {recursive: true})
    writeFileSync(path.join(dir, file), contents)
  }
  return dir
}

const facts = (files: Record<string, string | Buffer>, env: NodeJS.ProcessEnv = {}, kernel = KERNEL): ContainerFacts =>
  readContainerFacts(kernel, root(files), env)

/** The seccomp-refused host probe, refusing io_uring_setup with `error` instead. */
function refused(error: 'EPERM' | 'ENOSYS', seccompMode = 2): RawProbe {
  const raw = JSON.parse(readFileSync(new URL('../fixtures/raw-probe/host-6.18-seccomp-eperm.json', import.meta.url), 'utf8')) as RawProbe
  raw.setup = {...raw.setup, ok: false, errno: error === 'EPERM' ? 1 : 38, error}
  raw.environment.seccompMode = seccompMode
  return raw
}

describe('probe: which container it runs in', () => {
  test('each runtime by its signs', () => {
    assert.deepEqual(facts({'run/.containerenv': 'engine="podman-4.3.1"\nname="probe"\n'}).runtime, 'podman')
    assert.deepEqual(facts({'run/.containerenv': 'engine="podman-4.3.1"\n'}).signs, ['/run/.containerenv (engine podman-4.3.1)'])
    assert.equal(facts({'.dockerenv': ''}).runtime, 'docker')
    assert.equal(facts({'proc/self/cgroup': '0::/kubepods/besteffort/pod1234/abcd\n'}).runtime, 'kubernetes')
    assert.equal(facts({}, {KUBERNETES_SERVICE_HOST: '10.0.0.1'}).runtime, 'kubernetes')
    assert.equal(facts({'proc/self/cgroup': '12:pids:/lxc/web\n'}).runtime, 'lxc')
    assert.equal(facts({}, {container: 'systemd-nspawn'}).runtime, 'systemd-nspawn')
    assert.equal(facts({'run/systemd/container': 'systemd-nspawn\n'}).runtime, 'systemd-nspawn')
    // A host's own units are no sign: only a container's id in the path is.
    assert.equal(facts({'proc/self/cgroup': '0::/system.slice/docker.service\n'}).runtime, null)
    assert.equal(facts({'proc/self/cgroup': '0::/system.slice/docker-0123456789abcdef0123.scope\n'}).runtime, 'docker')
    assert.equal(facts({'proc/1/environ': 'PATH=/bin\0container=lxc\0'}).runtime, 'lxc')
    assert.equal(facts({}, {}, {release: '4.4.0', version: '#1 SMP Sun Jan 10 15:06:54 PST 2016'}).runtime, 'gvisor')
    // Kubernetes names the rules a pod runs under, whatever engine made its container.
    assert.equal(facts({'.dockerenv': '', 'proc/self/cgroup': '0::/kubepods.slice/x\n'}).runtime, 'kubernetes')
    const none = facts({'proc/self/cgroup': '0::/\n'})
    assert.equal(none.runtime, null)
    assert.deepEqual(none.signs, [])
  })

  test("the kernel's CONFIG_IO_URING from /proc/config.gz, else /boot/config-RELEASE", () => {
    assert.deepEqual(facts({'proc/config.gz': gzipSync('CONFIG_IO_URING=y\n')}).kernelConfig, {source: '/proc/config.gz', ioUring: true})
    assert.deepEqual(facts({'boot/config-6.1.0-28-amd64': '# CONFIG_IO_URING is not set\n'}).kernelConfig, {
      source: '/boot/config-6.1.0-28-amd64',
      ioUring: false,
    })
    assert.equal(facts({}).kernelConfig, null)
  })
})

describe('probe: a refusal explained with the container', () => {
  test("ENOSYS from Podman's filter is a policy denial, fixed by podman run's seccomp option", () => {
    const podman = facts({'run/.containerenv': 'engine="podman-4.3.1"\n', 'boot/config-6.1.0-28-amd64': 'CONFIG_IO_URING=y\n'})
    const {usability, container} = evaluateProbe(refused('ENOSYS'), podman)
    assert.deepEqual(container, podman)
    assert.equal(usability.cause?.id, 'seccomp')
    // The runtime, not its signs: a fleet view groups hosts by this text.
    assert.match(
      usability.cause.summary,
      /makes io_uring_setup fail with ENOSYS, Podman's default profile: a policy denial that looks like a missing syscall$/,
    )
    assert.match(usability.cause.fix, /^run the container with `podman run --security-opt seccomp=deploy\/seccomp\/io_uring\.json`/)
  })

  test("EPERM from the filter in a Kubernetes pod: the pod's seccompProfile, in the form containerd reads", () => {
    const {usability} = evaluateProbe(refused('EPERM'), facts({'proc/self/cgroup': '0::/kubepods/pod1/c\n'}))
    assert.equal(usability.cause?.id, 'seccomp')
    assert.match(usability.cause.fix, /securityContext: \{seccompProfile: \{type: Localhost, localhostProfile: io_uring\.json\}\}/)
    assert.match(usability.cause.fix, /the OCI runtime spec's form \(no includes\/excludes\)/)
  })

  test('ENOSYS with no filter, on a kernel built with io_uring: something intercepts the call, and no seccomp option fixes that', () => {
    const {usability} = evaluateProbe(refused('ENOSYS', 0), facts({'.dockerenv': '', 'boot/config-6.1.0-28-amd64': 'CONFIG_IO_URING=y\n'}))
    assert.equal(usability.cause?.id, 'not_permitted')
    assert.match(
      usability.cause.summary,
      /with no seccomp filter installed, yet this kernel was built with CONFIG_IO_URING=y \(\/boot\/config-6\.1\.0-28-amd64\)/,
    )
    assert.doesNotMatch(usability.cause.fix, /seccomp/)
  })

  test('ENOSYS on a kernel built without io_uring says so, with the config that shows it', () => {
    const {usability} = evaluateProbe(refused('ENOSYS', 0), facts({'boot/config-6.1.0-28-amd64': '# CONFIG_IO_URING is not set\n'}))
    assert.equal(usability.cause?.id, 'not_built')
    assert.match(
      usability.cause.summary,
      /built without io_uring \(CONFIG_IO_URING\) \(\/boot\/config-6\.1\.0-28-amd64 has no CONFIG_IO_URING=y\)/,
    )
  })

  test('gVisor (which reports Linux 4.4.0) offers no io_uring by default: runc, or runsc --iouring', () => {
    const kernel = {release: '4.4.0', version: '#1 SMP Sun Jan 10 15:06:54 PST 2016'}
    const raw = refused('ENOSYS', 0)
    raw.kernel = {...raw.kernel, ...kernel}
    const {usability} = evaluateProbe(raw, facts({}, {}, kernel))
    assert.match(usability.cause!.summary, /^gVisor answers ENOSYS: its kernel offers no io_uring unless runsc runs with --iouring/)
    assert.match(usability.cause!.fix, /--runtime=runc.*runsc with `--iouring`/)
  })
})
