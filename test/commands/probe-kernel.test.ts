import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {after, before, describe, test} from 'node:test'

import type {ProbeDocument} from '../../src/model/probe.ts'
import {lines, runCli} from '../helpers/cli.ts'
import {assertValidJunit} from '../helpers/junit.ts'
import {schemaErrors, validateProbeDocument} from '../helpers/probe-schema.ts'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const FIXTURE = (name: string) => path.join(REPO, 'test', 'fixtures', 'raw-probe', `${name}.json`)

function parseDocument(stdout: string): ProbeDocument {
  const document: unknown = JSON.parse(stdout)
  assert.ok(validateProbeDocument(document), schemaErrors(validateProbeDocument))
  return document as ProbeDocument
}

describe('probe-kernel on this host', () => {
  test('prints every section and exits 0', async () => {
    const {status, stdout, stderr} = await runCli(['probe-kernel'])
    assert.equal(status, 0, stderr)
    assert.equal(stderr, '')
    assert.match(stdout, /^Kernel {5}\d+\.\d+/)
    for (const section of [
      /^io_uring {3}usable/m,
      /^Verdict against this tool's loop$/m,
      /^ {2}loop baseline {3}met: /m,
      /^ {2}single-issuer {3}/m,
      /^Setup flags \(each tried on a real ring\)$/m,
      /^ {2}SINGLE_ISSUER {7}6\.0 {3}/m,
      /^Features \(io_uring_params\.features: \d+ of \d+ present\)$/m,
      /^Opcodes \(IORING_REGISTER_PROBE: \d+ of \d+ supported\)$/m,
      /^ {2}supported {2}NOP 5\.1, READV 5\.1/m,
      /^Register ops \(/m,
      /^Behaviour \(tested for real\)$/m,
      /^ {2}multishot POLL_ADD on an eventfd +works$/m,
      /^probe took [\d.]+ ms$/m,
    ]) {
      assert.match(stdout, section)
    }
    assert.doesNotMatch(stdout, /\x1b\[/, 'no colour when not a TTY')
  })

  test('--json prints one document valid against schemas/probe.schema.json', async () => {
    const {status, stdout, stderr} = await runCli(['probe-kernel', '--json'])
    assert.equal(status, 0, stderr)
    assert.equal(stderr, '')
    const document = parseDocument(stdout)
    assert.equal(document.kind, 'iouring-bench/probe')
    assert.equal(document.schemaVersion, 1)
    assert.deepEqual(document.source, {probedHere: true, file: null})
    assert.equal(typeof document.host?.hostname, 'string')
    assert.equal(document.raw.rawProbeVersion, 1)
    assert.equal(document.usability.usable, true)
    assert.equal(document.requirements, null)
  })

  test('--require defer-taskrun passes here (exit 0) and says why', async () => {
    const {status, stdout, stderr} = await runCli(['probe-kernel', '--require', 'defer-taskrun'])
    assert.equal(status, 0, stderr)
    assert.equal(stderr, '')
    assert.match(stdout, /^ {2}defer-taskrun {2}met: SINGLE_ISSUER\|DEFER_TASKRUN accepted and multishot POLL_ADD works on that ring$/m)
  })

  test('--require takes several names, comma-separated or not', async () => {
    const {status, stdout} = await runCli(['probe-kernel', '--require', 'loop,EXT_ARG', 'IORING_OP_NOP', '--json'])
    assert.equal(status, 0)
    assert.deepEqual(
      parseDocument(stdout).requirements?.map((r: {name: string; met: boolean}) => [r.name, r.met]),
      [
        ['loop', true],
        ['EXT_ARG', true],
        ['NOP', true],
      ],
    )
  })
})

describe('probe-kernel --input (a probe taken elsewhere)', () => {
  test('--format json --output FILE writes the document there and the terminal report on stdout; JUnit has a case per need', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'iob-probe-'))
    try {
      const file = path.join(dir, 'p.json')
      const input = ['--input', FIXTURE('debian-5.10'), '--require', 'defer-taskrun']
      const written = await runCli(['probe-kernel', ...input, '--format', 'json', '--output', file])
      assert.equal(written.status, 3)
      assert.match(written.stdout, /^Kernel {2}5\.10\.262 /)
      assert.equal(parseDocument(readFileSync(file, 'utf8')).requirements?.[0]?.met, false)
      const junit = await runCli(['probe-kernel', ...input, '--format', 'junit'])
      assert.equal(junit.status, 3)
      assertValidJunit(junit.stdout)
      assert.match(
        junit.stdout,
        /<testcase classname="probe-kernel 5\.10\.262 \(Debian\)" name="--require defer-taskrun" time="0\.000">\n\s*<failure message="SINGLE_ISSUER\|DEFER_TASKRUN refused \(EINVAL\)/,
      )
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  test('--format nfd --output FILE writes the NFD feature file, also where io_uring is refused (exit 3)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'iob-nfd-'))
    try {
      const file = path.join(dir, 'iouring-bench')
      const refused = await runCli([
        'probe-kernel',
        '--input',
        FIXTURE('debian-6.12-io_uring_disabled-2'),
        '--format',
        'nfd',
        '--output',
        file,
      ])
      assert.equal(refused.status, 3)
      assert.match(refused.stdout, /^Kernel +6\.12\.118 /)
      const text = readFileSync(file, 'utf8')
      assert.match(text, /^# iouring-bench \S+ probe-kernel, .*\n# not usable: kernel\.io_uring_disabled=2/)
      assert.match(text, /^iouring\.available=false$/m)
      assert.match(text, /^iouring\.refused-by=io-uring-disabled$/m)
      const here = await runCli(['probe-kernel', '--format', 'nfd', '--expires-in', '3h'])
      assert.equal(here.status, 0)
      const expiry = /^# \+expiry-time=(\S+)\n/.exec(here.stdout)
      assert.ok(expiry, here.stdout)
      const hoursLeft = (Date.parse(expiry[1]) - Date.now()) / 3600e3
      assert.ok(hoursLeft > 2.9 && hoursLeft <= 3 + 1 / 3600, expiry[1])
      assert.match(here.stdout, /^iouring\.available=true$/m)
      assert.match(here.stdout, /^iouring\.op\.nop=true$/m)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  test('loads only what it prints: no other form of any document, none of their libraries', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'iob-imports-'))
    try {
      const imports = path.join(dir, 'imports.txt')
      const recorder = fileURLToPath(new URL('../helpers/record-imports.mjs', import.meta.url))
      const {status} = await runCli(['probe-kernel'], {env: {NODE_OPTIONS: `--import ${recorder}`, IOB_IMPORTS_FILE: imports}})
      assert.equal(status, 0)
      const loaded = readFileSync(imports, 'utf8')
      assert.match(loaded, /\/dist\/probe\/render\.js$/m)
      for (const unwanted of [
        /\/dist\/report\/(?!formats|output|paint|schema)[\w-]+\.js$/m,
        /node_modules\/(hdr-histogram-js|cli-table3|fast-xml-parser|prom-client)\//,
      ]) {
        assert.doesNotMatch(loaded, unwanted)
      }
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })

  for (const [args, message] of [
    [['--expires-in', '3h'], "Error: --expires-in: '3h' is not allowed; it dates NFD's feature file: add --format nfd"],
    [
      ['--format', 'nfd', '--expires-in', '30s'],
      "Error: --expires-in: '30s' is not allowed; labels need at least 1m: nfd-worker reads the file once a minute",
    ],
    [
      ['--format', 'nfd', '--expires-in', '3h', '--input', 'probe.json'],
      "Error: --expires-in: '3h' is not allowed; it counts from a probe taken here; a probe read with --input is of unknown age",
    ],
    [
      ['--format', 'nfd', '--expires-in', 'soon'],
      "Error: --expires-in: 'soon' is not allowed; use a number with a unit: ns, us, ms, s, m or h (e.g. 500ms, 2s)",
    ],
  ] as const) {
    test(`${args.join(' ')}: one line, exit 2, nothing probed`, async () => {
      const {status, stdout, stderr} = await runCli(['probe-kernel', ...args])
      assert.equal(status, 2, stderr)
      assert.equal(stdout, '')
      assert.deepEqual(lines(stderr), [message])
    })
  }

  test('a form a probe has not is refused before probing (exit 2)', async () => {
    const {status, stdout, stderr} = await runCli(['probe-kernel', '--format', 'prometheus'])
    assert.equal(status, 2)
    assert.equal(stdout, '')
    assert.deepEqual(lines(stderr), ["Error: --format: 'prometheus' is not allowed; a probe renders as terminal, json, junit, nfd"])
  })

  test('Debian 5.10: --require defer-taskrun exits 3 naming it, with the EINVAL reason', async () => {
    const {status, stdout, stderr} = await runCli(['probe-kernel', '--input', FIXTURE('debian-5.10'), '--require', 'defer-taskrun', 'loop'])
    assert.equal(status, 3)
    assert.deepEqual(lines(stderr), [
      'Error: --require: not met on 5.10.262 (Debian): defer-taskrun (SINGLE_ISSUER|DEFER_TASKRUN refused (EINVAL): SINGLE_ISSUER appeared in Linux 6.0 and DEFER_TASKRUN in 6.1; this is 5.10.262 (Debian))',
    ])
    assert.match(stdout, /^Kernel {2}5\.10\.262 \(Debian 5\.10\.262-1\), release 5\.10\.0-46-cloud-amd64, x86_64 \(probed elsewhere: /)
    assert.match(stdout, /^ {2}loop {11}met: /m)
  })

  test('Debian 5.10 with --json: the document says which and why, the status is 3', async () => {
    const {status, stdout, stderr} = await runCli([
      'probe-kernel',
      '--input',
      FIXTURE('debian-5.10'),
      '--require',
      'defer-taskrun',
      '--json',
    ])
    assert.equal(status, 3)
    assert.equal(stderr, '')
    const document = parseDocument(stdout)
    assert.deepEqual(document.source, {probedHere: false, file: FIXTURE('debian-5.10')})
    assert.equal(document.host, null)
    assert.equal(document.requirements?.[0]?.met, false)
    assert.match(document.requirements?.[0]?.reason ?? '', /^SINGLE_ISSUER\|DEFER_TASKRUN refused \(EINVAL\)/)
  })

  test('the full report of Debian 5.10 explains the verdict by probe and release', async () => {
    const {status, stdout} = await runCli(['probe-kernel', '--input', FIXTURE('debian-5.10')])
    assert.equal(status, 0)
    assert.match(stdout, /^ {2}loop baseline {3}met: multishot POLL_ADD on an eventfd wakes the loop/m)
    assert.match(stdout, /^ {2}single-issuer {3}NOT MET: SINGLE_ISSUER\|DEFER_TASKRUN refused \(EINVAL\)/m)
    assert.match(
      stdout,
      /^ {2}bench flags that fail here:\n {4}--wake msg-ring +needs IORING_OP_MSG_RING \(Linux 5\.18\); this kernel is 5\.10\.262 \(Debian\)\n {4}--wake futex-op +needs IORING_OP_FUTEX_WAIT \(Linux 6\.7\); .*\n {4}--single-issuer +needs IORING_SETUP_SINGLE_ISSUER \(Linux 6\.0\); .*\n {4}--defer-taskrun +SINGLE_ISSUER\|DEFER_TASKRUN refused \(EINVAL\).*\n(.*\n)*? {4}--io-poll +an IOPOLL ring refuses POLL_ADD \(EINVAL\)/m,
    )
    assert.match(stdout, /^ {2}missing {4}MKDIRAT 5\.15, SYMLINKAT 5\.15/m)
  })

  test('io_uring_disabled=2: the whole report with the cause and the fix, then exit 3; --require loop exits 3 naming the sysctl', async () => {
    const report = await runCli(['probe-kernel', '--input', FIXTURE('debian-6.12-io_uring_disabled-2')])
    assert.equal(report.status, 3)
    assert.deepEqual(lines(report.stderr), [
      'Error: io_uring cannot be used on 6.12.118 (Debian): kernel.io_uring_disabled=2: io_uring is disabled for every process, root included',
    ])
    assert.match(report.stdout, /^probe took [\d.]+ ms$/m, 'the report is printed to its end')
    assert.match(
      report.stdout,
      /^io_uring {3}NOT usable: io_uring_setup refused a plain ring \(EPERM\)\n {2}cause {4}kernel\.io_uring_disabled=2: io_uring is disabled for every process, root included\n {2}fix {6}as root, `sysctl -w kernel\.io_uring_disabled=0`/m,
    )
    assert.match(report.stdout, /^ {2}every bench and run workload fails here$/m)
    const check = await runCli(['probe-kernel', '--input', FIXTURE('debian-6.12-io_uring_disabled-2'), '--require', 'loop'])
    assert.equal(check.status, 3)
    assert.equal(lines(check.stderr).length, 1)
    assert.match(
      check.stderr,
      /^Error: --require: not met on 6\.12\.118 \(Debian\): loop \(io_uring cannot be used here: kernel\.io_uring_disabled=2: io_uring is disabled for every process, root included\)$/m,
    )
  })

  test('a probe-kernel --json document can be read back, and so can stdin', async () => {
    const first = await runCli(['probe-kernel', '--input', FIXTURE('debian-6.1'), '--json'])
    const again = await runCli(['probe-kernel', '--input', '-', '--require', 'single-issuer', '--json'], {input: first.stdout})
    assert.equal(again.status, 0, again.stderr)
    const document = parseDocument(again.stdout)
    assert.equal(document.kernel.label, '6.1.192 (Debian)')
    assert.deepEqual(document.raw, JSON.parse(first.stdout).raw)
  })
})

describe('probe-kernel bad input', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'iob-probe-'))
    writeFileSync(path.join(dir, 'not-json.txt'), 'kernel: 6.1\n')
    writeFileSync(path.join(dir, 'empty-object.json'), '{}')
    const raw = JSON.parse(readFileSync(FIXTURE('debian-6.1'), 'utf8'))
    writeFileSync(path.join(dir, 'newer.json'), JSON.stringify({...raw, rawProbeVersion: 2}))
    delete raw.kernel.release
    writeFileSync(path.join(dir, 'no-release.json'), JSON.stringify(raw))
  })
  after(() => rmSync(dir, {recursive: true, force: true}))

  const give = "give the JSON that iouring-probe or 'probe-kernel --json' printed"
  const cases: Array<[string, () => string, (file: string) => string]> = [
    ['a missing file', () => path.join(dir, 'nope.json'), (file) => `Error: --input: '${file}' is not allowed; no such file; ${give}`],
    ['a directory', () => dir, (file) => `Error: --input: '${file}' is not allowed; it is a directory; ${give}`],
    [
      'a file that is not JSON',
      () => path.join(dir, 'not-json.txt'),
      (file) =>
        `Error: --input: '${file}' is not allowed; it is not JSON (Unexpected token 'k', "kernel: 6.1 " is not valid JSON); ${give}`,
    ],
    [
      'JSON that is not a raw probe',
      () => path.join(dir, 'empty-object.json'),
      (file) => `Error: --input: '${file}' is not allowed; it is not a raw probe (no rawProbeVersion); ${give}`,
    ],
    [
      'a raw probe missing a field',
      () => path.join(dir, 'no-release.json'),
      (file) => `Error: --input: '${file}' is not allowed; it is not a raw probe (/kernel: must have required property 'release'); ${give}`,
    ],
    [
      'a newer raw probe',
      () => path.join(dir, 'newer.json'),
      (file) =>
        `Error: --input: '${file}' is not allowed; its rawProbeVersion 2 is newer than this iouring-bench reads (1); upgrade iouring-bench`,
    ],
  ]
  for (const [what, file, message] of cases) {
    test(`${what} gets one line and exit status 2`, async () => {
      const {status, stdout, stderr} = await runCli(['probe-kernel', '--input', file()])
      assert.equal(status, 2, stderr)
      assert.deepEqual(lines(stderr), [message(file())])
      assert.equal(stdout, '')
    })
  }

  test('an unknown --require name exits 2 listing the known ones, before probing', async () => {
    const {status, stdout, stderr} = await runCli(['probe-kernel', '--require', 'loop,warp-drive'])
    assert.equal(status, 2)
    assert.equal(stdout, '')
    assert.equal(lines(stderr).length, 1)
    assert.match(
      stderr.trim(),
      /^Error: --require: 'warp-drive' is not allowed; use loop, op-timeout, wake=msg-ring, wake=futex-op, single-issuer, defer-taskrun, coop-taskrun, taskrun-flag, sqpoll, sqpoll-cpu, cq-size, submit-all, no-sqarray, ring-fd, io-poll, fixed-files, fixed-buffers, send-zc, multishot-recv, a setup flag \(IOPOLL, SQPOLL, .*\), a feature \(SINGLE_MMAP, .*\), an opcode \(NOP, .*\) or a register op \(REGISTER_BUFFERS, .*\); case does not matter and IORING_ prefixes are accepted$/,
    )
  })

  test('with --json an unknown name is one JSON error on stdout', async () => {
    const {status, stdout} = await runCli(['probe-kernel', '--require', 'warp-drive', '--json'])
    assert.equal(status, 2)
    const {error} = JSON.parse(stdout)
    assert.equal(error.code, 'E_USAGE')
    assert.match(error.message, /^--require: 'warp-drive' is not allowed; use loop, op-timeout/)
  })
})

// The real thing: the CLI probing under a seccomp filter that refuses io_uring_setup, installed
// by native/tools/seccomp-exec (built here by CMake if the native tests have not built it yet).
describe('probe-kernel under a seccomp filter', () => {
  const build = path.join(REPO, 'native', 'build-plain')
  const tool = path.join(build, 'seccomp-exec')
  before(() => {
    // Configured every time: a build tree from before a new tool was added would not know it.
    execFileSync('cmake', ['-S', path.join(REPO, 'native'), '-B', build], {stdio: 'ignore'})
    execFileSync('cmake', ['--build', build, '--target', 'seccomp-exec'], {stdio: 'ignore'})
  })

  test('EPERM: the whole report naming the seccomp filter and the fix, then exit 3', async () => {
    const {status, stdout, stderr} = await runCli(['probe-kernel'], {wrapper: [tool, 'io_uring_setup', '--']})
    assert.equal(status, 3)
    assert.match(stdout, /^io_uring {3}NOT usable: io_uring_setup refused a plain ring \(EPERM\)\n {2}cause {4}a seccomp filter/m)
    assert.match(stdout, /^probe took [\d.]+ ms$/m, 'the report is printed to its end')
    assert.equal(lines(stderr).length, 1)
    assert.match(stderr, /^Error: io_uring cannot be used on .*: a seccomp filter .*makes io_uring_setup fail with EPERM/)
  })

  test('EPERM with --json: the document names the seccomp filter and the fix, the status is 3', async () => {
    const {status, stdout, stderr} = await runCli(['probe-kernel', '--json'], {wrapper: [tool, 'io_uring_setup', '--']})
    assert.equal(status, 3)
    assert.equal(stderr, '')
    const document = parseDocument(stdout)
    assert.equal(document.raw.environment.seccompMode, 2)
    assert.deepEqual(document.usability.setup, {ok: false, errno: 1, error: 'EPERM'})
    assert.equal(document.usability.cause?.id, 'seccomp')
    assert.match(
      document.usability.cause?.summary ?? '',
      /^a seccomp filter (\(\d+ on this thread\) )?makes io_uring_setup fail with EPERM/,
    )
    assert.match(document.usability.cause?.fix ?? '', /allows io_uring_setup, io_uring_enter and io_uring_register/)
    assert.equal(document.verdict.loop.met, false)
  })

  test('--require loop under it exits 3 naming seccomp', async () => {
    const {status, stderr} = await runCli(['probe-kernel', '--require', 'loop'], {wrapper: [tool, 'io_uring_setup', '--']})
    assert.equal(status, 3)
    assert.equal(lines(stderr).length, 1)
    assert.match(
      stderr,
      /^Error: --require: not met on .*: loop \(io_uring cannot be used here: a seccomp filter .*makes io_uring_setup fail with EPERM/,
    )
  })

  test('bench under the same filter: one line naming the refusal and probe-kernel, exit 3', async () => {
    const {status, stdout, stderr} = await runCli(['bench', '--op', 'nop', '--duration', '100ms', '--warmup', '20ms'], {
      wrapper: [tool, 'io_uring_setup', '--'],
    })
    assert.equal(status, 3)
    assert.equal(stdout, '')
    assert.deepEqual(lines(stderr), [
      "Error: the kernel refused the ring (io_uring_setup: Operation not permitted (EPERM): entries=128 flags=none): io_uring is not permitted for this process: kernel.io_uring_disabled, kernel.io_uring_group or a seccomp filter (a container runtime's default profile) refuses it; run 'iouring-bench probe-kernel' to see which",
    ])
  })

  test("ENOSYS for all three io_uring calls: a policy denial where the kernel's config shows io_uring, else a kernel without it or a filter", async () => {
    const {status, stdout} = await runCli(['probe-kernel', '--json'], {
      wrapper: [tool, '-e', 'ENOSYS', 'io_uring_setup,io_uring_enter,io_uring_register', '--'],
    })
    assert.equal(status, 3)
    const {usability, container} = parseDocument(stdout)
    if (container?.kernelConfig?.ioUring) {
      assert.equal(usability.cause?.id, 'seccomp')
      assert.match(usability.cause?.summary ?? '', /fail with ENOSYS.*: a policy denial that looks like a missing syscall$/)
    } else {
      assert.equal(usability.cause?.id, 'not_built')
      assert.match(
        usability.cause?.summary ?? '',
        /built without io_uring \(CONFIG_IO_URING\).*, or a seccomp filter answers ENOSYS for it$/,
      )
    }
  })
})
