#!/usr/bin/env node
// Does `gate --history` find a real slow-down at the right point of a real series? It makes a
// history of this machine: `--results` runs of a shipped profile (ci by default), one after the
// other, each saved with `report history add` under a commit name, the second half with a real
// slow-down injected, then runs `gate --history` on it and says where the change points fell.
//
// The slow-down, --slowdown:
//   wait-sleep  every workload waits with `wait: sleep` instead of the default (a change of the
//               loop's settings, which the history notes where it happened; at depth 1 and with
//               timers a sleeping loop answers later);
//   cpu-hog     a busy process on every vCPU but one (a noisy neighbour: nothing in the result
//               changes but the figures).
//
//   node scripts/bench/history-real-series.mjs [--profile ci] [--results 30] [--trials N]
//       [--slowdown wait-sleep|cpu-hog] [--keep DIR] [--json]
//
// Exits 0 when the gate failed (exit 1) and some change point judged worse falls within 3
// results of the first slowed run; 1 otherwise. A benchmark, not a test: CI does not run it
// (30 runs of ci take about 10 minutes). Needs the built CLI (npm run build).
import {spawn, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {availableParallelism, tmpdir} from 'node:os'
import {performance} from 'node:perf_hooks'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import {parse, stringify} from 'yaml'

const {values} = parseArgs({
  options: {
    profile: {type: 'string', default: 'ci'},
    results: {type: 'string', default: '30'},
    trials: {type: 'string'},
    slowdown: {type: 'string', default: 'wait-sleep'},
    keep: {type: 'string'},
    json: {type: 'boolean', default: false},
  },
})
const root = new URL('../../', import.meta.url).pathname
const bin = join(root, 'bin/run.js')
const results = Number(values.results)
if (!Number.isInteger(results) || results < 6) throw new Error(`--results: ${values.results} is not allowed; use a whole number, 6 or more`)
if (!['wait-sleep', 'cpu-hog'].includes(values.slowdown))
  throw new Error(`--slowdown: ${values.slowdown} is not allowed; use wait-sleep or cpu-hog`)
const stepAt = Math.floor(results / 2)

const work = values.keep ?? mkdtempSync(join(tmpdir(), 'history-real-'))
mkdirSync(work, {recursive: true})
const history = join(work, 'history')
const profileFile = join(root, 'bench-profiles', `${values.profile}.yaml`)
const slowedProfile = join(work, `${values.profile}-wait-sleep.yaml`)
const profile = parse(readFileSync(profileFile, 'utf8'))
writeFileSync(
  slowedProfile,
  stringify({...profile, workloads: profile.workloads.map(({spin: _spin, ...workload}) => ({...workload, wait: 'sleep'}))}),
)

const cli = (args) => {
  const run = spawnSync(process.execPath, [bin, ...args], {encoding: 'utf8', maxBuffer: 256 << 20})
  return {status: run.status, stdout: run.stdout, stderr: run.stderr}
}

/** Busy processes on every vCPU but the first, until stopped. */
function startHogs() {
  return Array.from({length: Math.max(1, availableParallelism() - 1)}, () =>
    spawn(process.execPath, ['-e', 'for (;;) {}'], {stdio: 'ignore'}),
  )
}

const started = performance.now()
for (let i = 0; i < results; i++) {
  const slowed = i >= stepAt
  const hogs = slowed && values.slowdown === 'cpu-hog' ? startHogs() : []
  const file = join(work, `run-${i}.json`)
  const args = [
    'run',
    slowed && values.slowdown === 'wait-sleep' ? slowedProfile : values.profile,
    '--commit',
    `commit-${String(i).padStart(2, '0')}`,
  ]
  const run = cli([
    ...args,
    '--label',
    slowed ? `slowed (${values.slowdown})` : 'as shipped',
    ...(values.trials ? ['--trials', values.trials] : []),
    '--output',
    file,
  ])
  for (const hog of hogs) hog.kill()
  if (run.status !== 0) throw new Error(`run ${i} failed (exit ${run.status}): ${run.stderr}`)
  const added = cli(['report', 'history', 'add', file, '--to', history])
  if (added.status !== 0) throw new Error(`report history add failed: ${added.stderr}`)
  if (!values.json) process.stderr.write(`\r${i + 1}/${results} runs (${((performance.now() - started) / 1000).toFixed(0)} s)`)
}
if (!values.json) process.stderr.write('\n')

const gate = cli(['gate', '--history', history, '--json'])
const document = JSON.parse(gate.stdout)
const firstSlowed = `commit-${String(stepAt).padStart(2, '0')}`
const changes = document.series.flatMap((series) =>
  series.metrics.flatMap((metric) =>
    metric.changes.map((change) => ({workload: series.workload, metric: metric.metric, ...change, offBy: change.index - stepAt})),
  ),
)
const found = changes.filter((change) => change.verdict === 'worse' && Math.abs(change.offBy) <= 3)
const summary = {
  profile: values.profile,
  results,
  slowdown: values.slowdown,
  firstSlowed,
  gateStatus: gate.status,
  seconds: Math.round((performance.now() - started) / 1000),
  changes: changes.map(({workload, metric, verdict, index, offBy, ratio, pValue, firstAfter}) => ({
    workload,
    metric,
    verdict,
    index,
    offBy,
    ratio: Number(ratio.toFixed(3)),
    pValue,
    firstAfter: firstAfter.commit,
  })),
  met: gate.status === 1 && found.length > 0,
}
if (values.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n')
else {
  console.log(
    `${results} runs of ${values.profile} (${summary.seconds} s), slowed from ${firstSlowed} by ${values.slowdown}; gate --history exit ${gate.status}`,
  )
  for (const change of summary.changes) {
    console.log(
      `  ${change.workload} ${change.metric}: ${change.verdict} at ${change.firstAfter} (${change.offBy >= 0 ? '+' : ''}${change.offBy} from the step), ×${change.ratio}, p ${change.pValue.toFixed(4)}`,
    )
  }
  console.log(summary.met ? 'found the slow-down within 3 results of where it began' : 'did NOT find the slow-down where it began')
  if (values.keep) console.log(`history kept in ${history}: iouring-bench gate --history ${history} --output history.html`)
}
if (!values.keep) rmSync(work, {recursive: true, force: true})
process.exitCode = summary.met ? 0 : 1
