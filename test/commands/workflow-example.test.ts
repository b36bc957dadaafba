// examples/github-actions: the workflow is valid GitHub Actions YAML (checked with action-validator
// against SchemaStore's workflow schema, offline), every iouring-bench command in it names a
// command and flags the CLI has, and the report job's steps run for real here on artifacts like
// the probe job's: probes of two kernels and two labelled results.
import assert from 'node:assert/strict'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {before, describe, test} from 'node:test'

import {validateWorkflow} from '@action-validator/core'
import {parse} from 'yaml'

import {BIN, runCli, runProcess} from '../helpers/cli.ts'

const DIR = new URL('../../examples/github-actions/', import.meta.url)
const MANIFEST = JSON.parse(readFileSync(new URL('../../oclif.manifest.json', import.meta.url), 'utf8')) as {
  commands: Record<string, {flags: Record<string, {char?: string}>}>
}

const workflows = readdirSync(DIR)
  .filter((file) => file.endsWith('.yml'))
  .map((file) => ({file, text: readFileSync(new URL(file, DIR), 'utf8')}))

/** Every `run:` script of the workflow, by job. */
function scripts(text: string): Array<{job: string; script: string}> {
  const workflow = parse(text) as {jobs: Record<string, {steps: Array<{run?: string}>}>}
  return Object.entries(workflow.jobs).flatMap(([job, {steps}]) => steps.flatMap((step) => (step.run ? [{job, script: step.run}] : [])))
}

/** Each `./bin/run.js ...` invocation: its command id and the flags it gives. */
function invocations(script: string): Array<{id: string; flags: string[]}> {
  return [...script.matchAll(/\.\/bin\/run\.js ([^|>&;\n]*)/g)].map(([, line]) => {
    const words = line.trim().split(/\s+/)
    const flagAt = words.findIndex((word) => word.startsWith('-'))
    const head = words.slice(0, flagAt === -1 ? words.length : flagAt)
    // The command id is the longest run of leading words the manifest knows ("report merge").
    let id = ''
    for (let n = head.length; n > 0 && !id; n--) if (MANIFEST.commands[head.slice(0, n).join(':')]) id = head.slice(0, n).join(':')
    return {id, flags: words.filter((word) => word.startsWith('--')).map((word) => word.slice(2).split('=')[0])}
  })
}

describe('examples/github-actions', () => {
  test('each workflow is valid against the GitHub Actions workflow schema; a broken one is not', () => {
    assert.ok(workflows.length > 0)
    for (const {file, text} of workflows) assert.deepEqual(validateWorkflow(text).errors, [], file)
    const broken = workflows[0].text.replace('runs-on: ubuntu-24.04', 'runs_on: ubuntu-24.04')
    assert.notDeepEqual(validateWorkflow(broken).errors, [])
  })

  test('every iouring-bench command in them is a command of the CLI, with flags it has', () => {
    for (const {file, text} of workflows) {
      const all = scripts(text).flatMap(({script}) => invocations(script))
      assert.ok(all.length >= 4, file)
      for (const {id, flags} of all) {
        assert.ok(id, `${file}: an iouring-bench command the CLI does not have`)
        const known = {...MANIFEST.commands[id].flags}
        for (const flag of flags) assert.ok(flag in known, `${file}: ${id} has no --${flag}`)
      }
    }
  })

  describe("the report job's steps, run here on artifacts like the probe job's", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'iob-workflow-'))
    const fleet = path.join(dir, 'fleet')
    before(async () => {
      mkdirSync(fleet)
      const fixture = (name: string): string => path.join(import.meta.dirname, '../fixtures/raw-probe', `${name}.json`)
      for (const [runner, probe] of [
        ['ubuntu-22.04', 'debian-5.10'],
        ['ubuntu-24.04', 'debian-6.12'],
      ]) {
        const probed = await runCli(['probe-kernel', '--input', fixture(probe), '--output', path.join(fleet, `probe-${runner}.json`)])
        assert.equal(probed.status, 0, probed.stderr)
        const ran = await runCli([
          'bench',
          '--op',
          'nop',
          '--duration',
          '50ms',
          '--warmup',
          '10ms',
          '--trials',
          '1',
          '--label',
          runner,
          '--output',
          path.join(fleet, `result-${runner}.json`),
        ])
        assert.equal(ran.status, 0, ran.stderr)
      }
    })

    test('each step exits 0; the summary holds the fleet view and the merged result; the files are there', async () => {
      const summary = path.join(dir, 'summary.md')
      const steps = scripts(workflows[0].text).filter(({job, script}) => job === 'report' && script.includes('./bin/run.js'))
      assert.ok(steps.length >= 2)
      for (const {script} of steps) {
        const {status, stderr} = await runProcess('sh', ['-c', script.replaceAll('./bin/run.js', BIN)], {
          env: {...process.env, GITHUB_STEP_SUMMARY: summary},
          cwd: dir,
          timeoutMs: 120_000,
        })
        assert.equal(status, 0, `${script}\n${stderr}`)
      }
      const text = readFileSync(summary, 'utf8')
      assert.match(text, /fleet: 2 hosts, 2 kernels/)
      assert.match(text, /5\.10\.0-46-cloud-amd64: --wake msg-ring/)
      assert.match(text, /merged from 2 runs[\s\S]*### nop: nop /)
      for (const file of ['fleet.json', 'results.json', 'results.html']) assert.ok(readdirSync(fleet).includes(file), file)
    })
  })
})
