import assert from 'node:assert/strict'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, test} from 'node:test'

import {loadProfile} from '../../src/profiles/load.ts'
import {lines, runCli} from '../helpers/cli.ts'

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
    const document = JSON.parse(stdout)
    assert.deepEqual(document.workloads.map((w: {name: string}) => w.name), ['a', 'b'])
  })

  test('a bad profile gets one line naming the file, line and field, and exit 2', async () => {
    const file = path.join(dir, 'bad.yaml')
    writeFileSync(file, 'workloads:\n  - name: a\n    op: nop\n    depth: 0\n')
    const {status, stderr} = await runCli(['run', file])
    assert.equal(status, 2)
    assert.equal(lines(stderr).length, 1)
    assert.match(stderr, /^Error: .*bad\.yaml:4: workloads\[0\]\.depth: 0 is not allowed; it must be at least 1$/m)
  })

  test('an unknown profile name exits 2 listing the shipped ones', async () => {
    const {status, stderr} = await runCli(['run', 'nosuch'])
    assert.equal(status, 2)
    assert.match(stderr, /^Error: profile: 'nosuch' is neither a file nor a shipped profile; shipped: .*default/)
  })
})
