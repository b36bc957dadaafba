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
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${error}`)
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
  assert.deepEqual(loaded.workloads.map((w) => w.drive.depth), [4, 2])
  assert.equal(loaded.workloads[0].drive.durationNs, 300_000_000)
  assert.deepEqual(loaded.workloads[0].vs, ['raw'])
})

test('an unknown workload op names the file, line, field and the allowed ops', () => {
  assert.equal(
    refusal('workloads:\n  - name: a\n    op: teleport\n'),
    "FILE:3: workloads[0].op: \"teleport\" is not allowed; use one of: nop, timer",
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
  assert.match(refusal('workloads:\n  - name: a\n    op: nop\n    duration: 5\n'), /^FILE:4: workloads\[0\]\.duration: 5 is not allowed; use a number with a unit/)
  assert.match(refusal('workloads:\n  - name: a\n    op: nop\n    submitters: -1\n'), /^FILE:4: workloads\[0\]\.submitters: -1 is not allowed; it must be at least 1/)
})

test('broken YAML and an unknown profile name are refused', () => {
  assert.match(refusal('workloads:\n  - name: [a\n'), /^FILE:\d+: not valid YAML/)
  assert.throws(() => loadProfile('no-such-profile'), /profile: 'no-such-profile' is neither a file nor a shipped profile; shipped: .*default/)
})

test('found by fuzzing: an alias to a missing anchor is a YAML error, not a crash', () => {
  assert.match(refusal('workloads:\n  - *missing\n'), /^FILE: not valid YAML: Unresolved alias/)
})

test('found by fuzzing: control characters in a field name cannot split the message', () => {
  assert.match(refusal('"bad\\nfield": 1\nworkloads:\n  - {name: a, op: nop}\n'), /^FILE:1: bad\\nfield: unknown field/)
})
