#!/usr/bin/env node
// How honest is the regression gate on this machine?
// 1. False alarms: one baseline of a profile, then N fresh runs of the same profile gated on it.
//    Every "worse" is a false alarm; the rate must stay under 5%.
// 2. Real slowdowns: a baseline without op timeouts against a candidate with them (each op then
//    takes two SQEs and a timer), and depth 256 against depth 1; both must be caught.
//
//   node scripts/bench/gate-false-alarms.mjs [--runs 20] [--profile ci]   (--runs 0: only the slowdowns)
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {parseArgs} from 'node:util'

const {values} = parseArgs({options: {runs: {type: 'string', default: '20'}, profile: {type: 'string', default: 'ci'}}})
const bin = new URL('../../bin/run.js', import.meta.url).pathname
const dir = mkdtempSync(path.join(tmpdir(), 'iob-gate-bench-'))

function gate(profile, baseline) {
  const result = spawnSync(process.execPath, [bin, 'run', profile, '--baseline', baseline, '--json'], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  })
  return {status: result.status, gate: JSON.parse(result.stdout).gate}
}

if (Number(values.runs) > 0) {
  console.log(`1. false alarms: '${values.profile}' gated ${values.runs} times on its own baseline`)
  const baseline = path.join(dir, 'baseline.json')
  execFileSync(process.execPath, [bin, 'run', values.profile, '--save-baseline', baseline, '--json'], {stdio: 'ignore'})
  let failedRuns = 0
  let verdicts = 0
  const worse = new Map()
  for (let i = 1; i <= Number(values.runs); i++) {
    const {gate: report} = gate(values.profile, baseline)
    verdicts += report.verdicts.length
    const bad = report.verdicts.filter((v) => v.verdict === 'worse')
    if (bad.length) failedRuns++
    for (const v of bad) worse.set(`${v.workload} ${v.metric}`, (worse.get(`${v.workload} ${v.metric}`) ?? 0) + 1)
    process.stdout.write(
      `  run ${i}: ${bad.length ? `FAILED (${bad.map((v) => `${v.workload} ${v.metric} ${v.ratio.toFixed(2)}`).join(', ')})` : 'passed'}\n`,
    )
  }
  const runs = Number(values.runs)
  console.log(
    `  false-alarm rate: ${failedRuns}/${runs} runs = ${((failedRuns / runs) * 100).toFixed(1)}% of gate runs; ${[...worse.values()].reduce((a, b) => a + b, 0)}/${verdicts} verdicts`,
  )
  for (const [what, count] of worse) console.log(`    ${what}: ${count}`)
}

console.log('\n2. real slowdowns')
const profile = (name, settings) => {
  const file = path.join(dir, `${name}.yaml`)
  writeFileSync(
    file,
    `trials: 6\ngate: {metrics: {opsPerSec: {minEffect: 0.3}, p50: {minEffect: 0.3}}}\ndefaults: {duration: 300ms, warmup: 100ms, vs: [raw]}\nworkloads:\n  - {name: nop, op: nop, ${settings}}\n`,
  )
  return file
}
for (const [what, before, after] of [
  ['op timeout added (1 x 256: two SQEs and a timer per op)', 'depth: 256', 'depth: 256, opTimeout: 1s'],
  ['depth 256 -> depth 1', 'depth: 256', 'depth: 1'],
]) {
  const base = path.join(dir, `base-${before.replace(/\W/g, '')}.json`)
  execFileSync(process.execPath, [bin, 'run', profile('before', before), '--save-baseline', base, '--json'], {stdio: 'ignore'})
  const {status, gate: report} = gate(profile('after', after), base)
  const shown = report.verdicts.map((v) => `${v.metric} ${v.verdict} (ratio ${v.ratio.toFixed(2)}, p ${v.pValue.toFixed(3)})`).join('; ')
  console.log(`  ${what}: exit ${status}: ${shown}`)
}
