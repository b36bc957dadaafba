import assert from 'node:assert/strict'
import {mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {test} from 'node:test'

import {replaceFile} from '../../src/files.ts'
import {partFileNames, planOutput} from '../../src/report/output.ts'

test('parts of file names are safe, bounded and distinct whatever the workloads are called', () => {
  const long = 'w'.repeat(5000)
  const names = partFileNames([`${long}a.loop`, `${long}b.loop`, 'a/b.loop', 'a_b.loop', '../../etc.raw', `${long}a.loop`])
  for (const name of names) {
    assert.ok(name.length <= 100, `${name.length} characters`)
    assert.match(name, /^[\w.-]+$/)
  }
  assert.equal(new Set(names).size, names.length, names.join(' '))
  assert.equal(names[2], 'a_b.loop')
  assert.equal(names[3], 'a_b.loop-2')
  assert.equal(names[4], '.._.._etc.raw', "no separator survives, so the part stays in FILE's directory")
})

test('replaceFile replaces a file whole and leaves no temporary file; through a link, the file linked to', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'iob-replace-'))
  const file = path.join(dir, 'r.json')
  writeFileSync(file, 'earlier')
  replaceFile(file, 'now')
  assert.equal(readFileSync(file, 'utf8'), 'now')
  symlinkSync('r.json', path.join(dir, 'link.json'))
  replaceFile(path.join(dir, 'link.json'), 'through the link')
  assert.equal(readFileSync(file, 'utf8'), 'through the link')
  assert.deepEqual(readdirSync(dir).sort(), ['link.json', 'r.json'])
})

test('a form the command does not print is refused before it runs, named by --format or by the --output extension', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'iob-plan-'))
  assert.throws(() => planOutput({format: 'hgrm'}, false, 'probe'), {
    message: "--format: 'hgrm' is not allowed; a probe renders as terminal, json, junit, nfd",
  })
  assert.throws(() => planOutput({output: 'drill.prom'}, false, 'shutdown-drill'), {
    message: `--output: 'drill.prom' is not allowed; a shutdown drill renders as terminal, json, junit: name one with --format, or end the file name with .txt, .json, .xml`,
  })
  assert.deepEqual(planOutput({output: path.join(dir, 'drill.xml')}, false, 'shutdown-drill'), {
    format: 'junit',
    output: path.join(dir, 'drill.xml'),
    json: false,
  })
})
