// probe-kernel --format nfd: Node Feature Discovery's feature file from a probe. Every line of every
// real probe (the fixtures: Debian 5.10 to 6.12 under qemu, this host, io_uring disabled, a
// seccomp denial) is a comment or a `name=value` that keeps to Kubernetes' label rules, each name
// once; what the probe found is what the labels say.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {describe, test} from 'node:test'

import type {RawProbe} from '../../src/model/native.ts'
import type {ProbeDocument} from '../../src/model/probe.ts'
import {probeDocument} from '../../src/probe/document.ts'
import {evaluateProbe} from '../../src/probe/evaluate.ts'
import {labelProblem, renderNfd} from '../../src/probe/nfd.ts'

const FIXTURES = new URL('../fixtures/raw-probe/', import.meta.url)
const NAMES = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.json'))
  .map((name) => name.slice(0, -'.json'.length))

function documentOf(name: string): ProbeDocument {
  const raw = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as RawProbe
  return probeDocument(raw, evaluateProbe(raw), {toolVersion: '0.0.0', file: `${name}.json`, requirements: null})
}

function labelsOf(name: string): Map<string, string> {
  const text = renderNfd(documentOf(name))
  assert.ok(text.endsWith('\n'))
  const labels = new Map<string, string>()
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('#')) continue
    const match = /^([^=]+)=(.*)$/.exec(line)
    assert.ok(match, `${name}: not a name=value line: ${line}`)
    const [, label, value] = match
    assert.equal(labelProblem(label, value), undefined)
    assert.ok(!labels.has(label), `${name}: ${label} twice`)
    labels.set(label, value)
  }
  return labels
}

describe('probe-kernel --format nfd', () => {
  test('every fixture gives valid, unique labels', () => {
    assert.ok(NAMES.length >= 7)
    for (const name of NAMES) assert.ok(labelsOf(name).size >= 4, name)
  })

  test('a usable kernel: available, what it accepts and supports, nothing it lacks', () => {
    const labels = labelsOf('debian-6.1')
    assert.equal(labels.get('iouring.available'), 'true')
    assert.equal(labels.get('iouring.loop'), 'true')
    assert.equal(labels.get('iouring.kernel'), '6.1.192')
    assert.equal(labels.get('iouring.setup.single-issuer'), 'true')
    assert.equal(labels.get('iouring.op.read-fixed'), 'true')
    assert.equal(labels.get('iouring.register.pbuf-ring'), 'true')
    // 6.1 has neither MSG_RING's successor ops nor futexes in the ring (6.7).
    assert.equal(labels.get('iouring.op.futex-wait'), undefined)
    assert.equal(labels.get('iouring.setup.no-sqarray'), undefined)
    assert.equal(labels.get('iouring.refused-by'), undefined)
  })

  test('io_uring refused: not available, and why', () => {
    const disabled = labelsOf('debian-6.12-io_uring_disabled-2')
    assert.equal(disabled.get('iouring.available'), 'false')
    assert.equal(disabled.get('iouring.refused-by'), 'io-uring-disabled')
    assert.equal([...disabled.keys()].filter((label) => label.startsWith('iouring.op.')).length, 0)
    assert.equal(labelsOf('host-6.18-seccomp-eperm').get('iouring.refused-by'), 'seccomp')
  })

  test("--expires-in: NFD's expiry-time first, counted from the probe, in whole UTC seconds rounded up", () => {
    const document = {...documentOf('debian-6.1'), createdAt: '2026-12-07T05:41:27.650Z'}
    const lines = renderNfd(document, {validForNs: 3 * 3600e9}).split('\n')
    assert.equal(lines[0], '# +expiry-time=2026-12-07T08:41:28Z')
    assert.deepEqual(lines.slice(1), renderNfd(document).split('\n'))
    assert.ok(!renderNfd(document).includes('expiry-time'))
  })

  test("Kubernetes' label rules", () => {
    assert.equal(labelProblem('iouring.op.read', 'true'), undefined)
    assert.equal(labelProblem('iouring.refused-by', ''), undefined)
    assert.match(labelProblem(`iouring.${'x'.repeat(60)}`, 'true')!, /at most 63 characters/)
    assert.match(labelProblem('-iouring', 'true')!, /alphanumeric at both ends/)
    assert.match(labelProblem('iouring.kernel', '6.1 Debian')!, /label value '6\.1 Debian'/)
  })
})
