// probe-kernel inside a real container: Debian's podman (setup.sh installs it, with runc) runs the
// tool from an image made with no registry (`podman import` of a one-file tarball, the host's
// Node and this checkout mounted read-only). Under podman's default seccomp profile io_uring_setup
// fails with ENOSYS, a policy denial: the probe names Podman, its default profile and the podman
// run option that fixes it (exit 3). Under the profile deploy/seccomp/make-profile.mjs writes from
// the real containers-common default, and under seccomp=unconfined, io_uring works (exit 0).
// The machine's own limits need two settings: runc (crun refuses this machine's hybrid cgroup
// layout) and no default ulimits (podman's nofile/nproc defaults cannot be set here).
import assert from 'node:assert/strict'
import {existsSync, mkdirSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'

import {type CliResult, runProcess} from '../helpers/cli.ts'

const REPO = fileURLToPath(new URL('../..', import.meta.url))
const IMAGE = 'localhost/iouring-bench-probe-test:latest'
const dir = mkdtempSync(path.join(tmpdir(), 'iob-podman-'))
const env = {...process.env, CONTAINERS_CONF: path.join(dir, 'containers.conf')}

const podman = (args: string[]): Promise<CliResult> => runProcess('podman', args, {env, timeoutMs: 120_000})

/** Why podman cannot run containers here, or undefined when it can. */
async function unavailable(): Promise<string | undefined> {
  if (!existsSync('/usr/bin/podman') || !existsSync('/usr/bin/runc'))
    return 'podman or runc is missing: apt install podman runc (setup.sh does)'
  const info = await podman(['info', '--format', '{{.Host.OCIRuntime.Name}}'])
  return info.status === 0 ? undefined : `podman info failed: ${info.stderr.trim().split('\n')[0]}`
}

/** probe-kernel in the container, under `seccomp` (podman's default when undefined). */
function probeIn(seccomp?: string): Promise<CliResult> {
  const mounts = ['/usr', '/lib', '/lib64', '/etc/passwd']
    .filter((mount) => existsSync(mount))
    .flatMap((mount) => ['-v', `${mount}:${mount}:ro`])
  return podman([
    'run',
    '--runtime',
    'runc',
    '--rm',
    ...(seccomp ? ['--security-opt', `seccomp=${seccomp}`] : []),
    ...mounts,
    '-v',
    `${REPO}:/tool:ro`,
    '-e',
    'HOME=/tmp',
    '-e',
    'NO_COLOR=1',
    IMAGE,
    process.execPath,
    '/tool/bin/run.js',
    'probe-kernel',
  ])
}

describe('probe-kernel in a real Podman container', () => {
  let skip: string | undefined
  before(async () => {
    writeFileSync(env.CONTAINERS_CONF, '[containers]\ndefault_ulimits = []\n')
    skip = await unavailable()
    if (skip) return
    const root = path.join(dir, 'root')
    mkdirSync(root)
    writeFileSync(path.join(root, '.iouring-bench-image'), 'an image made with podman import, for the tests\n')
    const tar = await runProcess('tar', ['-C', root, '-cf', path.join(dir, 'image.tar'), '.'], {env, timeoutMs: 30_000})
    assert.equal(tar.status, 0, tar.stderr)
    const imported = await podman(['import', path.join(dir, 'image.tar'), IMAGE])
    assert.equal(imported.status, 0, imported.stderr)
  })
  after(async () => {
    if (!skip) await podman(['rmi', '--force', IMAGE])
  })

  test("podman's default profile: ENOSYS, named as Podman's policy denial with the podman run fix, exit 3", async (t) => {
    if (skip) return t.skip(skip)
    const {status, stdout, stderr} = await probeIn()
    assert.equal(status, 3, stderr)
    assert.match(stdout, /NOT usable: io_uring_setup refused a plain ring \(ENOSYS\)/)
    assert.match(
      stdout.replace(/\s+/g, ' '),
      /makes io_uring_setup fail with ENOSYS, Podman's default profile: a policy denial that looks like a missing syscall/,
    )
    assert.match(
      stdout.replace(/\s+/g, ' '),
      /fix run the container with `podman run --security-opt seccomp=deploy\/seccomp\/io_uring\.json`/,
    )
    assert.match(stdout.replace(/\s+/g, ' '), /where in Podman \(\/run\/\.containerenv; container=podman/)
  })

  test('the shipped profile (the containers-common default plus io_uring): io_uring works under it', async (t) => {
    if (skip) return t.skip(skip)
    const profile = path.join(dir, 'io_uring.json')
    const made = await runProcess(process.execPath, [path.join(REPO, 'deploy/seccomp/make-profile.mjs'), '--output', profile], {
      env,
      timeoutMs: 30_000,
    })
    assert.equal(made.status, 0, made.stderr)
    const {status, stdout, stderr} = await probeIn(profile)
    assert.equal(status, 0, stderr)
    assert.match(stdout, /io_uring {3}usable/)
    // The profile is installed (a filter), and lets io_uring through.
    assert.match(stdout, /seccomp filter/)
  })

  test('seccomp=unconfined: io_uring works, no filter', async (t) => {
    if (skip) return t.skip(skip)
    const {status, stdout, stderr} = await probeIn('unconfined')
    assert.equal(status, 0, stderr)
    assert.match(stdout, /io_uring {3}usable/)
    assert.match(stdout, /no seccomp filter/)
  })
})
