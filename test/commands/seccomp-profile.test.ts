// deploy/seccomp/make-profile.mjs: a runtime's default seccomp profile plus io_uring. On the real
// default of containers-common (Podman, Buildah, CRI-O: setup.sh installs it), the three io_uring
// syscalls go from refused (its default action, ENOSYS) to allowed and nothing else changes; a
// profile that refuses io_uring by an explicit rule loses only those names from it.
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, test} from 'node:test'
import {fileURLToPath} from 'node:url'

import {lines, runProcess} from '../helpers/cli.ts'

const SCRIPT = fileURLToPath(new URL('../../deploy/seccomp/make-profile.mjs', import.meta.url))
const PODMAN_DEFAULT = '/usr/share/containers/seccomp.json'
const IO_URING = ['io_uring_setup', 'io_uring_enter', 'io_uring_register']
const dir = mkdtempSync(path.join(tmpdir(), 'iob-seccomp-'))

interface Rule {
  names?: string[]
  name?: string
  action: string
  args?: unknown[]
  includes?: unknown
  excludes?: unknown
}
interface Profile {
  defaultAction: string
  syscalls: Rule[]
}

/** A rule's condition on capabilities or architectures: `includes: {}` is none. */
const conditional = (condition: unknown): boolean =>
  typeof condition === 'object' && condition !== null && Object.keys(condition).length > 0

/** What a profile does with a syscall called with any arguments: the action of the first unconditional rule naming it, else the default. */
function actionFor(profile: Profile, syscall: string): string {
  const rule = profile.syscalls.find(
    (entry) => entry.names?.includes(syscall) && !entry.args?.length && !conditional(entry.includes) && !conditional(entry.excludes),
  )
  return rule?.action ?? profile.defaultAction
}

async function make(source: string): Promise<{status: number | null; stderr: string; profile?: Profile}> {
  const output = path.join(dir, `${path.basename(source)}.out.json`)
  const {status, stderr} = await runProcess(process.execPath, [SCRIPT, source, '--output', output], {env: process.env, timeoutMs: 30_000})
  return {status, stderr, profile: status === 0 ? (JSON.parse(readFileSync(output, 'utf8')) as Profile) : undefined}
}

describe('deploy/seccomp/make-profile.mjs', () => {
  test("Podman's default profile plus io_uring: io_uring allowed, every other rule as it was", async (t) => {
    if (!existsSync(PODMAN_DEFAULT))
      return t.skip(`${PODMAN_DEFAULT} is missing: apt install golang-github-containers-common (setup.sh does)`)
    const original = JSON.parse(readFileSync(PODMAN_DEFAULT, 'utf8')) as Profile
    for (const syscall of IO_URING) assert.equal(actionFor(original, syscall), 'SCMP_ACT_ERRNO', `${syscall} refused by the default`)
    const {status, stderr, profile} = await make(PODMAN_DEFAULT)
    assert.equal(status, 0, stderr)
    for (const syscall of IO_URING) assert.equal(actionFor(profile!, syscall), 'SCMP_ACT_ALLOW')
    assert.equal(profile!.defaultAction, original.defaultAction)
    assert.deepEqual(profile!.syscalls.slice(0, -1), original.syscalls)
    // Allowed and refused alike stay so (bpf is allowed only with CAP_SYS_ADMIN: no unconditional rule).
    assert.equal(actionFor(original, 'read'), 'SCMP_ACT_ALLOW')
    assert.equal(actionFor(original, 'kexec_load'), 'SCMP_ACT_ERRNO')
    for (const syscall of ['read', 'mount', 'kexec_load', 'bpf'])
      assert.equal(actionFor(profile!, syscall), actionFor(original, syscall), syscall)
  })

  test('a rule that refuses io_uring by name loses only those names', async () => {
    const source = path.join(dir, 'deny-list.json')
    writeFileSync(
      source,
      JSON.stringify({
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [
          {names: ['io_uring_setup', 'mount'], action: 'SCMP_ACT_ERRNO', errnoRet: 1},
          {names: ['io_uring_enter', 'io_uring_register'], action: 'SCMP_ACT_ERRNO'},
          {name: 'io_uring_enter', action: 'SCMP_ACT_ERRNO'},
          {name: 'reboot', action: 'SCMP_ACT_ERRNO'},
        ],
      }),
    )
    const {status, profile} = await make(source)
    assert.equal(status, 0)
    for (const syscall of IO_URING) assert.equal(actionFor(profile!, syscall), 'SCMP_ACT_ALLOW')
    assert.equal(actionFor(profile!, 'mount'), 'SCMP_ACT_ERRNO')
    // The older single-name form: the io_uring rule goes, the other stays.
    assert.deepEqual(profile!.syscalls.slice(0, -1), [
      {names: ['mount'], action: 'SCMP_ACT_ERRNO', errnoRet: 1},
      {name: 'reboot', action: 'SCMP_ACT_ERRNO'},
    ])
  })

  test('what is not a profile, or not there, is one line and exit 2', async () => {
    const notProfile = path.join(dir, 'not-profile.json')
    writeFileSync(notProfile, '{"hello": 1}')
    for (const [source, pattern] of [
      [notProfile, /not a seccomp profile: it has no 'defaultAction'/],
      [path.join(dir, 'missing.json'), /no such file; give the runtime's default seccomp profile/],
    ] as const) {
      const {status, stderr} = await make(source)
      assert.equal(status, 2)
      assert.equal(lines(stderr).length, 1)
      assert.match(stderr, pattern)
    }
  })
})
