import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {test} from 'node:test'

import {UsageError} from '../../src/errors.ts'
import {loadProfile, shippedProfiles} from '../../src/profiles/load.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'iob-profiles-'))

function profile(name: string, yaml: string): string {
  const file = path.join(dir, `${name}.yaml`)
  writeFileSync(file, yaml)
  return file
}

function refusal(yaml: string): string {
  const file = profile(`p${Math.random().toString(36).slice(2)}`, yaml)
  try {
    loadProfile(file)
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`)
    assert.ok(!error.message.includes('\n'), 'one line')
    return error.message.replace(`${path.relative(process.cwd(), file)}`, 'FILE')
  }
  assert.fail('the profile was accepted')
}

test('every shipped profile loads', () => {
  assert.ok(shippedProfiles().includes('default'))
  for (const name of shippedProfiles()) {
    assert.ok(loadProfile(name).workloads.length > 0, name)
  }
})

test('defaults apply to every workload unless it sets the field', () => {
  const loaded = loadProfile(
    profile('defaults', 'defaults:\n  depth: 4\n  duration: 300ms\nworkloads:\n  - {name: a, op: nop}\n  - {name: b, op: nop, depth: 2}\n'),
  )
  assert.deepEqual(
    loaded.workloads.map((w) => w.drive.depth),
    [4, 2],
  )
  assert.equal(loaded.workloads[0].drive.durationNs, 300_000_000)
  assert.deepEqual(loaded.workloads[0].vs, ['raw'])
})

test('an unknown workload op names the file, line, field and the allowed ops', () => {
  assert.equal(
    refusal('workloads:\n  - name: a\n    op: teleport\n'),
    'FILE:3: workloads[0].op: "teleport" is not allowed; use one of: nop, timer, file-read, file-write, socket, stall, mix',
  )
})

test('a wrong type is refused', () => {
  assert.equal(
    refusal('workloads:\n  - name: a\n    op: nop\n    depth: deep\n'),
    'FILE:4: workloads[0].depth: "deep" is not allowed; it must be an integer',
  )
})

test('an unknown field is refused with the fields that exist', () => {
  assert.match(
    refusal('workloads:\n  - name: a\n    op: nop\n    dept: 3\n'),
    /^FILE:4: workloads\[0\]\.dept: unknown field; remove it or use one of: name, op, timer/,
  )
})

test('a missing op and an empty workload list are refused', () => {
  assert.match(refusal('workloads:\n  - name: a\n'), /^FILE:2: workloads\[0\]: the field 'op' is missing/)
  assert.match(refusal('workloads: []\n'), /^FILE:1: workloads: the list is empty/)
})

test('range rules are the same as for bench flags, named in the profile', () => {
  assert.equal(
    refusal('workloads:\n  - name: a\n    op: nop\n    ringSize: 32768\n    opTimeout: 1s\n'),
    'FILE:4: workloads[0].ringSize: 32768 is not allowed; use a whole number from 1 to 16384 ' +
      '(with an op timeout each op takes two SQ entries, so the kernel maximum of 32768 allows 16384)',
  )
  assert.match(
    refusal('workloads:\n  - name: a\n    op: nop\n    duration: 5\n'),
    /^FILE:4: workloads\[0\]\.duration: 5 is not allowed; use a number with a unit/,
  )
  assert.match(
    refusal('workloads:\n  - name: a\n    op: nop\n    submitters: -1\n'),
    /^FILE:4: workloads\[0\]\.submitters: -1 is not allowed; it must be at least 1/,
  )
  // Neither a measured phase of 0 nor 0 measured ops: both are refused, the same way as the flags.
  assert.match(
    refusal('workloads:\n  - name: a\n    op: nop\n    duration: 0s\n'),
    /^FILE:4: workloads\[0\]\.duration: '0' is not allowed; the measured phase must last longer than 0 \(or give workloads\[0\]\.ops\)$/,
  )
  assert.equal(
    refusal('workloads:\n  - name: a\n    op: nop\n    ops: 0\n'),
    'FILE:4: workloads[0].ops: 0 is not allowed; it must be at least 1',
  )
})

test('a workload name is capped: it goes into file names', () => {
  assert.equal(
    refusal(`workloads:\n  - name: ${'a'.repeat(5000)}\n    op: nop\n`),
    'FILE:2: workloads[0].name: 5000 characters are not allowed; use at most 64',
  )
  assert.equal(loadProfile(profile('long', `workloads:\n  - {name: ${'a'.repeat(64)}, op: nop}\n`)).workloads[0].name.length, 64)
})

test('broken YAML and an unknown profile name are refused', () => {
  assert.match(refusal('workloads:\n  - name: [a\n'), /^FILE:\d+: not valid YAML/)
  assert.throws(
    () => loadProfile('no-such-profile'),
    /profile: 'no-such-profile' is neither a file nor a shipped profile; shipped: .*default/,
  )
})

test('file, socket, mix and open-loop settings load with their units, by the same rules as bench flags', () => {
  const loaded = loadProfile(
    profile(
      'workloads',
      [
        'workloads:',
        '  - {name: reads, op: file-read, blockSize: 8k, fileSize: 64m, random: true, depth: 32, vs: [raw, fio, node-fs]}',
        '  - {name: writes, op: file-write, writevBuffers: 4, fsyncEvery: 8}',
        '  - {name: sockets, op: socket, transport: tcp, messageSize: 1k, connections: 8}',
        '  - {name: mixed, op: mix, mix: {file-read: 3, socket: 1}, rate: 5000, arrivals: poisson}',
      ].join('\n') + '\n',
    ),
  )
  const [reads, writes, sockets, mixed] = loaded.workloads
  assert.deepEqual(reads.file, {sizeBytes: 64 << 20, blockSize: 8192, random: true, direct: false, fsyncEvery: 0, writevBuffers: 0})
  assert.deepEqual(reads.vs, ['raw', 'fio', 'node-fs'])
  assert.equal(writes.file?.writevBuffers, 4)
  assert.equal(writes.file?.sizeBytes, 1024 ** 3)
  assert.deepEqual(sockets.socket, {transport: 'tcp', messageSize: 1024})
  assert.equal(sockets.drive.depth, 8)
  assert.deepEqual(mixed.mix, [
    {op: 'file-read', weight: 3},
    {op: 'socket', weight: 1},
  ])
  assert.equal(mixed.drive.rate, 5000)
  assert.equal(mixed.drive.arrivals, 'poisson')
  assert.equal(mixed.drive.depth, 256, 'an open loop gets room for ops in flight')
})

test('bad workload settings name the file, line and field', () => {
  assert.equal(
    refusal('workloads:\n  - name: a\n    op: mix\n    mix: {nop: 0, timer: 0}\n'),
    'FILE:4: workloads[0].mix: \'{"nop":0,"timer":0}\' is not allowed; the weights add up to 0; give at least one kind a weight above 0',
  )
  assert.equal(
    refusal('workloads:\n  - name: a\n    op: socket\n    transport: udp\n'),
    'FILE:4: workloads[0].transport: "udp" is not allowed; use one of: unix, tcp',
  )
  assert.equal(
    refusal('workloads:\n  - name: a\n    op: file-read\n    direct: true\n    blockSize: 1000\n'),
    'FILE:5: workloads[0].blockSize: 1000 is not allowed; with workloads[0].direct it must be a multiple of 512 (e.g. 4k)',
  )
  assert.match(
    refusal('workloads:\n  - name: a\n    op: nop\n    rate: 0\n'),
    /^FILE:4: workloads\[0\]\.rate: 0 is not allowed; it must be above 0$/,
  )
})

test('found by fuzzing: an alias to a missing anchor is a YAML error, not a crash', () => {
  assert.match(refusal('workloads:\n  - *missing\n'), /^FILE: not valid YAML: Unresolved alias/)
})

test('found by fuzzing: control characters in a field name cannot split the message', () => {
  assert.match(refusal('"bad\\nfield": 1\nworkloads:\n  - {name: a, op: nop}\n'), /^FILE:1: bad\\nfield: unknown field/)
})
