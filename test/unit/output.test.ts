import assert from 'node:assert/strict'
import {mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {test} from 'node:test'

import {replaceFile} from '../../src/files.ts'
import {partFileNames} from '../../src/report/output.ts'

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
