#!/usr/bin/env node
// How does `report merge` scale to a fleet? It writes --hosts probe documents (default 10,000): each
// fixture of test/fixtures/raw-probe/ explained once by `probe-kernel --input --json`, then copied
// per host with its own hostname (one host in ten leaves its raw probe instead, as a fleet's static
// iouring-probe does). Then it times `report merge FILE... --output fleet.json` and reads its peak
// memory (the child's maximum resident set, from the kernel's rusage). The file names go on one
// command line: about 50 bytes a host, far below Linux's 2 MiB limit at 10,000.
//
//   node scripts/bench/fleet-merge.mjs [--hosts 10000] [--keep DIR] [--json]
//
// Exits 0 when the merge took under 10 s and its peak memory stayed under 512 MiB; 1 otherwise.
// A benchmark, not a test: CI does not run it. Needs the built CLI (npm run build).
import {spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {performance} from 'node:perf_hooks'
import {parseArgs} from 'node:util'

const GOAL_SECONDS = 10
const GOAL_PEAK_BYTES = 512 * 1024 * 1024

const {values} = parseArgs({
  options: {hosts: {type: 'string', default: '10000'}, keep: {type: 'string'}, json: {type: 'boolean', default: false}},
})
const hosts = Number(values.hosts)
if (!Number.isInteger(hosts) || hosts < 1) {
  process.stderr.write(`Error: --hosts: '${values.hosts}' is not allowed; use a whole number, 1 or more\n`)
  process.exit(2)
}
const root = new URL('../../', import.meta.url).pathname
const bin = join(root, 'bin/run.js')
const fixtures = join(root, 'test/fixtures/raw-probe')
const work = values.keep ?? mkdtempSync(join(tmpdir(), 'fleet-merge-'))
const dir = join(work, 'probes')
mkdirSync(dir, {recursive: true})

// One explained document per fixture (probe-kernel exits 3 where io_uring is refused: still a document).
const names = readdirSync(fixtures).filter((name) => name.endsWith('.json'))
const documents = names.map((name) => {
  const run = spawnSync(process.execPath, [bin, 'probe-kernel', '--input', join(fixtures, name), '--json'], {encoding: 'utf8'})
  return JSON.parse(run.stdout)
})
const raws = names.map((name) => readFileSync(join(fixtures, name), 'utf8'))

for (let i = 0; i < hosts; i++) {
  const file = join(dir, `host-${String(i).padStart(5, '0')}.json`)
  // One host in ten left its raw probe; the rest the explained document.
  if (i % 10 === 9) {
    writeFileSync(file, raws[i % raws.length])
    continue
  }
  const document = JSON.parse(JSON.stringify(documents[i % documents.length]))
  document.host = {
    ...(document.host ?? {arch: 'x64', cpus: 2, cpuModel: 'cpu', memoryBytes: 1 << 30, node: 'v20.20.2'}),
    hostname: `node-${i}`,
  }
  writeFileSync(file, JSON.stringify(document))
}

// The child's peak memory, as the kernel counted it, written as it exits.
const peakFile = join(work, 'peak')
const hook = join(work, 'peak.mjs')
writeFileSync(
  hook,
  "import {writeFileSync} from 'node:fs'\nprocess.on('exit', () => writeFileSync(process.env.PEAK_FILE, String(process.resourceUsage().maxRSS * 1024)))\n",
)
const files = readdirSync(dir).map((name) => join(dir, name))
const started = performance.now()
const merge = spawnSync(process.execPath, ['--import', hook, bin, 'report', 'merge', ...files, '--output', join(work, 'fleet.json')], {
  encoding: 'utf8',
  env: {...process.env, PEAK_FILE: peakFile},
  maxBuffer: 64 << 20,
})
const seconds = (performance.now() - started) / 1000
if (merge.status !== 0) {
  process.stderr.write(`report merge failed (exit ${merge.status}): ${merge.stderr}`)
  process.exit(1)
}
const peakBytes = Number(readFileSync(peakFile, 'utf8'))
const fleet = JSON.parse(readFileSync(join(work, 'fleet.json'), 'utf8'))
const report = {
  hosts,
  merged: fleet.hosts.length,
  kernels: fleet.kernels.length,
  verdicts: fleet.verdicts.map((verdict) => `${verdict.verdict}: ${verdict.hosts}`),
  seconds: Number(seconds.toFixed(2)),
  peakMiB: Math.round(peakBytes / 1024 / 1024),
  passed: fleet.hosts.length === hosts && seconds < GOAL_SECONDS && peakBytes < GOAL_PEAK_BYTES,
}
if (values.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n')
else {
  console.log(
    `report merge of ${hosts} probes: ${report.seconds} s (goal < ${GOAL_SECONDS} s), peak memory ${report.peakMiB} MiB (goal < ${GOAL_PEAK_BYTES / 1024 / 1024} MiB)`,
  )
  console.log(`  ${report.merged} hosts, ${report.kernels} kernels; ${report.verdicts.join(', ')}`)
}
if (!values.keep) rmSync(work, {recursive: true, force: true})
process.exitCode = report.passed ? 0 : 1
