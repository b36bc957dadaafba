// JUnit XML judged by a consumer's own schema: the Jenkins xUnit plugin's junit-10.xsd (see
// test/schemas/README.md), checked by libxml2's xmllint, not by our reading of the format.
import assert from 'node:assert/strict'
import {spawnSync} from 'node:child_process'
import {fileURLToPath} from 'node:url'

const JUNIT_XSD = fileURLToPath(new URL('../schemas/junit-10.xsd', import.meta.url))

/** Fails unless xmllint finds the file well-formed and valid against junit-10.xsd. */
export function assertValidJunit(xml: string, what = 'JUnit'): void {
  const check = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, '-'], {input: xml, encoding: 'utf8'})
  assert.ok(!check.error, "xmllint is not installed: install Debian's 'libxml2-utils' package (scripts/setup.sh does)")
  assert.equal(check.status, 0, `${what} is not valid against junit-10.xsd: ${check.stderr}`)
}
