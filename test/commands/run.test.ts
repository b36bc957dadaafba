import assert from 'node:assert/strict'
import {mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, test} from 'node:test'

import {loadProfile, shippedProfiles} from '../../src/profiles/load.ts'
import type {ResultDocument} from '../../src/report/result.ts'
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
    writeFileSync(file, 'defaults: {duration: 100ms, warmup: 0s}\nworkloads:\n  - {name: a, op: nop, depth: 4}\n  - {name: b, op: timer, timer: 100us}\n')
    const {status, stdout} = await runCli(['run', file, '--json'])
    assert.equal(status, 0)
    const document = parseResult(stdout)
    assert.deepEqual(document.workloads.map((w: {name: string}) => w.name), ['a', 'b'])
  })

  test('--output with a form of several files writes one per workload and system', async () => {
    const profile = path.join(dir, 'two.yaml')
    writeFileSync(profile, 'defaults: {ops: 2000, warmup: 0s}\nworkloads:\n  - {name: a, op: nop}\n  - {name: b, op: nop, depth: 4, vs: []}\n')
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
    assert.match(stderr, /^Error: \S*twice\.yaml: workloads\[1\]\.name: 'a' is not allowed; \S*twice\.yaml already has a workload of that name, and reports tell workloads apart by name\n$/)
  })

  test('an unknown profile name exits 2 listing the shipped ones', async () => {
    const {status, stderr} = await runCli(['run', 'nosuch'])
    assert.equal(status, 2)
    assert.match(stderr, /^Error: profile: 'nosuch' is neither a file nor a shipped profile; shipped: .*default/)
  })

  // Every profile shipped runs as it is (one trial each), and every workload in it measures.
  for (const name of shippedProfiles().filter((profile) => profile !== 'default')) {
    test(`the shipped profile '${name}' runs`, async () => {
      const {status, stdout, stderr} = await runCli(['run', name, '--trials', '1', '--json'], {timeoutMs: 300_000})
      assert.equal(status, 0, stderr)
      const document: ResultDocument = parseResult(stdout)
      assert.deepEqual(document.workloads.map((workload) => workload.name), loadProfile(name).workloads.map((workload) => workload.name))
      for (const workload of document.workloads) {
        const loop = workload.systems.find((system) => system.system === 'loop')!
        assert.equal(loop.error, null, `${workload.name}: ${loop.error?.explanation}`)
        assert.ok(loop.ops > 0, `${workload.name}: the loop measured no op`)
      }
    })
  }

  test('--duration and --warmup replace every workload\'s own, an op count too', async () => {
    const file = path.join(dir, 'phases.yaml')
    writeFileSync(file, 'defaults: {duration: 5s, warmup: 1s, vs: []}\nworkloads:\n  - {name: a, op: nop}\n  - {name: b, op: nop, ops: 50000000}\n')
    const {status, stdout, stderr} = await runCli(['run', file, '--duration', '50ms', '--warmup', '10ms', '--json'])
    assert.equal(status, 0, stderr)
    const document: ResultDocument = parseResult(stdout)
    assert.deepEqual(
      document.workloads.map(({name, spec}) => [name, spec.drive.durationNs, spec.drive.ops, spec.drive.warmupNs]),
      [['a', 50e6, 0, 10e6], ['b', 50e6, 0, 10e6]],
    )
  })

  test('--duration 0s is refused in one line, exit 2, before anything runs', async () => {
    const {status, stdout, stderr} = await runCli(['run', '--duration', '0s'])
    assert.equal(status, 2)
    assert.equal(stdout, '')
    assert.deepEqual(lines(stderr), ["Error: --duration: '0' is not allowed; the measured phase must last longer than 0"])
  })
})
