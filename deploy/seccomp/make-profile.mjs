#!/usr/bin/env node
// Writes a seccomp profile that is a container runtime's default plus io_uring: the three
// io_uring syscalls allowed, and taken out of any rule that refuses them. Docker Engine 25+,
// containerd 2.0+ and Podman block io_uring in their defaults; this keeps everything else of the
// default as it is, so the container loses no other protection.
//
//   node deploy/seccomp/make-profile.mjs [DEFAULT.json] [--output deploy/seccomp/io_uring.json]
//
// DEFAULT.json is the runtime's default profile, in the JSON form Docker and Podman take
// (`defaultAction`, `syscalls: [{names, action, includes, excludes, ...}]`); containerd (nerdctl, the
// kubelet's Localhost profiles) reads the OCI runtime spec's form, without includes/excludes, so
// their rules would lose their conditions: give those a profile of that form instead. Without it,
// the default of containers-common (Podman, Buildah, CRI-O) is read from where Debian installs it,
// /usr/share/containers/seccomp.json; Docker's is moby's profiles/seccomp/default.json.
// Then: docker run --security-opt seccomp=deploy/seccomp/io_uring.json ... (podman alike).
import {readFileSync, writeFileSync} from 'node:fs'
import {parseArgs} from 'node:util'

export const IO_URING_SYSCALLS = ['io_uring_setup', 'io_uring_enter', 'io_uring_register']

/** The profile with io_uring allowed: out of every rule that is not an allow, then allowed by a rule of its own. */
export function withIoUring(profile) {
  if (!profile || typeof profile !== 'object' || typeof profile.defaultAction !== 'string') {
    throw new Error("not a seccomp profile: it has no 'defaultAction'")
  }
  // A refusing rule loses the io_uring names (`names`, or the older single `name`); a rule left
  // naming nothing goes, every other rule stays as it is.
  const syscalls = (profile.syscalls ?? []).flatMap((rule) => {
    if (rule.action === 'SCMP_ACT_ALLOW') return [rule]
    if (typeof rule.name === 'string') return IO_URING_SYSCALLS.includes(rule.name) ? [] : [rule]
    if (!Array.isArray(rule.names)) return [rule]
    const names = rule.names.filter((name) => !IO_URING_SYSCALLS.includes(name))
    return names.length > 0 ? [{...rule, names}] : []
  })
  return {
    ...profile,
    syscalls: [
      ...syscalls,
      {names: IO_URING_SYSCALLS, action: 'SCMP_ACT_ALLOW', comment: 'io_uring, added by iouring-bench deploy/seccomp/make-profile.mjs'},
    ],
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const {values, positionals} = parseArgs({
    options: {output: {type: 'string', default: 'deploy/seccomp/io_uring.json'}},
    allowPositionals: true,
  })
  const source = positionals[0] ?? '/usr/share/containers/seccomp.json'
  let profile
  try {
    profile = withIoUring(JSON.parse(readFileSync(source, 'utf8')))
  } catch (error) {
    process.stderr.write(
      `Error: ${source}: ${error.code === 'ENOENT' ? "no such file; give the runtime's default seccomp profile (Podman: apt install containers-common; Docker: moby's profiles/seccomp/default.json)" : error.message}\n`,
    )
    process.exit(2)
  }
  writeFileSync(values.output, JSON.stringify(profile, null, 2) + '\n')
  process.stderr.write(`wrote ${values.output}: ${source} plus ${IO_URING_SYSCALLS.join(', ')}\n`)
}
