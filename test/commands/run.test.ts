import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, test} from 'node:test'

import type {ResultDocument} from '../../src/model/result.ts'
import {loadProfile} from '../../src/profiles/load.ts'
import {lines, runCli} from '../helpers/cli.ts'
import {parseResult} from '../helpers/schema.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'iob-run-'))

describe('run', () => {
  test('with no argument it runs the default profile and prints the full report', async () => {
    const {status, stdout, stderr} = await runCli(['run'])
    assert.equal(status, 0, stderr)
    const {workloads} = loadProfile('default')
    for (const {name} of workloads) assert.match(stdout, new RegExp(`^${name}: `, 'm'))
    assert.equal((stdout.match(/^loop vs raw:/gm) ?? []).length, workloads.length)
  })

  test('runs a profile given by path, as JSON', async () => {
    const file = path.join(dir, 'quick.yaml')
    writeFileSync(
      file,
      'defaults: {duration: 100ms, warmup: 0s}\nworkloads:\n  - {name: a, op: nop, depth: 4}\n  - {name: b, op: timer, timer: 100us}\n',
    )
    const {status, stdout} = await runCli(['run', file, '--json'])
    assert.equal(status, 0)
    const document = parseResult(stdout)
    assert.deepEqual(
      document.workloads.map((w: {name: string}) => w.name),
      ['a', 'b'],
    )
  })

  test('--output with a form of several files writes one per workload and system', async () => {
    const profile = path.join(dir, 'two.yaml')
    writeFileSync(
      profile,
      'defaults: {ops: 2000, warmup: 0s}\nworkloads:\n  - {name: a, op: nop}\n  - {name: b, op: nop, depth: 4, vs: []}\n',
    )
    const output = path.join(dir, 'lat.hgrm')
    const {status, stderr} = await runCli(['run', profile, '--output', output])
    assert.equal(status, 0, stderr)
    assert.equal(stderr, `wrote ${['a.loop', 'a.raw', 'b.loop'].map((part) => path.join(dir, `lat.${part}.hgrm`)).join(', ')}\n`)
    assert.match(readFileSync(path.join(dir, 'lat.b.loop.hgrm'), 'utf8'), /^# iouring-bench .*workload b, system loop/)
  })

  test('a bad profile gets one line naming the file, line and field, and exit 2', async () => {
    const file = path.join(dir, 'bad.yaml')
    writeFileSync(file, 'workloads:\n  - name: a\n    op: nop\n    depth: 0\n')
    const {status, stderr} = await runCli(['run', file])
    assert.equal(status, 2)
    assert.equal(lines(stderr).length, 1)
    assert.match(stderr, /^Error: .*bad\.yaml:4: workloads\[0\]\.depth: 0 is not allowed; it must be at least 1$/m)
  })

  test('a workload name used twice is refused: reports tell workloads apart by name', async () => {
    const file = path.join(dir, 'twice.yaml')
    writeFileSync(file, 'workloads:\n  - {name: a, op: nop}\n  - {name: a, op: timer}\n')
    const {status, stdout, stderr} = await runCli(['run', file])
    assert.equal(status, 2)
    assert.equal(stdout, '')
    assert.match(
      stderr,
      /^Error: \S*twice\.yaml: workloads\[1\]\.name: 'a' is not allowed; \S*twice\.yaml already has a workload of that name, and reports tell workloads apart by name\n$/,
    )
  })

  test('an unknown profile name exits 2 listing the shipped ones', async () => {
    const {status, stderr} = await runCli(['run', 'nosuch'])
    assert.equal(status, 2)
    assert.match(stderr, /^Error: profile: 'nosuch' is neither a file nor a shipped profile; shipped: .*default/)
  })
  test('a workload name too long for a file name is refused when the profile loads, exit 2', async () => {
    const file = path.join(dir, 'long.yaml')
    writeFileSync(file, `workloads:\n  - {name: ${'n'.repeat(5000)}, op: nop}\n`)
    const {status, stdout, stderr} = await runCli(['run', file])
    assert.equal(status, 2)
    assert.equal(stdout, '')
    assert.match(stderr, /^Error: \S*long\.yaml:2: workloads\[0\]\.name: 5000 characters are not allowed; use at most 64\n$/)
  })

  test('file names of several-file forms stay short and distinct whatever a saved result calls its workloads', async () => {
    const saved = path.join(dir, 'names.json')
    const profile = path.join(dir, 'names.yaml')
    writeFileSync(profile, 'defaults: {ops: 500, warmup: 0s, vs: []}\nworkloads:\n  - {name: a, op: nop}\n  - {name: b, op: nop}\n')
    assert.equal((await runCli(['run', profile, '--output', saved])).status, 0)
    // Names as a hand-edited (or older) result may hold them: long, and alike up to their last character.
    const document = JSON.parse(readFileSync(saved, 'utf8'))
    document.workloads[0].name = `${'x'.repeat(5000)}/1`
    document.workloads[1].name = `${'x'.repeat(5000)}/2`
    writeFileSync(saved, JSON.stringify(document))
    const where = mkdtempSync(path.join(dir, 'hgrm-'))
    const {status, stderr} = await runCli(['report', saved, '--format', 'hgrm', '--output', path.join(where, 'lat.hgrm')])
    assert.equal(status, 0, stderr)
    const files = readdirSync(where)
    assert.equal(files.length, 2, files.join(' '))
    for (const file of files) assert.ok(file.length < 120 && /^lat\.x+(-2)?\.hgrm$/.test(file), file)
  })

  // Every shipped profile runs (and gates against itself) in self-gate.test.ts.

  test('a FIFO named by a later workload is refused before the first one runs', async () => {
    const fifo = path.join(dir, 'fifo')
    spawnSync('mkfifo', [fifo])
    const file = path.join(dir, 'fifo.yaml')
    writeFileSync(file, `workloads:\n  - {name: first, op: nop}\n  - {name: second, op: file-read, file: ${fifo}}\n`)
    const {status, stdout, stderr} = await runCli(['run', file])
    assert.equal(status, 2)
    assert.equal(stdout, '')
    assert.match(
      stderr,
      /^Error: \S*fifo\.yaml:3: workloads\[1\]\.file: '\S*fifo' is not allowed; give a regular file or a block device\n$/,
    )
  })

  test('a workload that cannot start keeps what the ones before it measured: printed, saved, then its line and status', async () => {
    const file = path.join(dir, 'later-fails.yaml')
    writeFileSync(
      file,
      'defaults: {vs: [], warmup: 0s}\nworkloads:\n  - {name: first, op: nop, ops: 500}\n  - {name: second, op: file-read, fileSize: 8m, ops: 100}\n',
    )
    const saved = path.join(dir, 'later-fails.json')
    // Files may not grow past 1 MiB: the 8 MiB test file of the second workload cannot be laid out.
    const {status, stdout, stderr} = await runCli(['run', file, '--output', saved], {
      wrapper: ['bash', '-c', 'ulimit -f 1024 && exec "$@"', '--'],
    })
    assert.equal(status, 3, stderr)
    assert.match(stdout, /^first: nop/m)
    assert.equal(lines(stderr).length, 1, stderr)
    assert.match(stderr, /^Error: could not lay out the 8 MiB test file: pwrite \S+: File too large \(EFBIG\)$/m)
    const document: ResultDocument = parseResult(readFileSync(saved, 'utf8'))
    assert.deepEqual(
      document.workloads.map((workload) => [workload.name, workload.systems[0].ops]),
      [['first', 500]],
    )
  })

  test("--duration and --warmup replace every workload's own, an op count too", async () => {
    const file = path.join(dir, 'phases.yaml')
    writeFileSync(
      file,
      'defaults: {duration: 5s, warmup: 1s, vs: []}\nworkloads:\n  - {name: a, op: nop}\n  - {name: b, op: nop, ops: 50000000}\n',
    )
    const {status, stdout, stderr} = await runCli(['run', file, '--duration', '50ms', '--warmup', '10ms', '--json'])
    assert.equal(status, 0, stderr)
    const document: ResultDocument = parseResult(stdout)
    assert.deepEqual(
      document.workloads.map(({name, spec}) => [name, spec.drive.durationNs, spec.drive.ops, spec.drive.warmupNs]),
      [
        ['a', 50e6, 0, 10e6],
        ['b', 50e6, 0, 10e6],
      ],
    )
  })

  test('--duration 0s is refused in one line, exit 2, before anything runs', async () => {
    const {status, stdout, stderr} = await runCli(['run', '--duration', '0s'])
    assert.equal(status, 2)
    assert.equal(stdout, '')
    assert.deepEqual(lines(stderr), ["Error: --duration: '0' is not allowed; the measured phase must last longer than 0"])
  })
})
