#!/usr/bin/env node
// How long `probe-kernel` takes, next to what any CLI start costs here. Trials are interleaved
// (A B C D A B C D ...) so the machine's load touches every variant alike; each figure is the
// median wall time of its trials, shown with its ratio to a bare `node -e ''`.
//
//   node scripts/bench/probe-kernel-time.mjs [--trials 9] [--before DIR]
//
// With --before, DIR is a built checkout of an earlier commit: its probe-kernel runs in the same
// interleaved trials, shown with the ratio of this one to it.
// Needs `npm run build` (dist/ and the addon). The static iouring-probe (native/build-plain) is
// the probe alone, without Node; it is built here if missing.
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import {parseArgs} from 'node:util'

const {values} = parseArgs({options: {trials: {type: 'string', default: '9'}, before: {type: 'string'}}})
const trials = Number(values.trials)
const repo = new URL('../../', import.meta.url).pathname
const build = `${repo}native/build-plain`
if (!existsSync(`${build}/iouring-probe`)) {
  execFileSync('cmake', ['-S', `${repo}native`, '-B', build], {stdio: 'ignore'})
  execFileSync('cmake', ['--build', build, '-j2', '--target', 'iouring-probe'], {stdio: 'ignore'})
}

const cli = [process.execPath, `${repo}bin/run.js`]
const variants = [
  ['node -e ""', [process.execPath, '-e', '']],
  ['iouring-bench --version', [...cli, '--version']],
  ['iouring-bench probe-kernel', [...cli, 'probe-kernel']],
  ['iouring-bench probe-kernel --json', [...cli, 'probe-kernel', '--json']],
  ['probe-kernel --input (no probe)', [...cli, 'probe-kernel', '--input', `${repo}test/fixtures/raw-probe/host-6.18.json`]],
  ['iouring-probe (native, static)', [`${build}/iouring-probe`]],
]
const before = values.before && ['probe-kernel of --before', [process.execPath, `${values.before}/bin/run.js`, 'probe-kernel']]
if (before) variants.push(before)

const times = new Map(variants.map(([name]) => [name, []]))
for (let trial = 0; trial < trials; trial++) {
  for (const [name, [command, ...args]] of variants) {
    const started = process.hrtime.bigint()
    const result = spawnSync(command, args, {stdio: ['ignore', 'ignore', 'inherit'], env: {...process.env, NO_COLOR: '1'}})
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    if (result.status !== 0) throw new Error(`${name} exited ${result.status}`)
    times.get(name).push(ms)
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const base = median(times.get('node -e ""'))
console.log(`probe-kernel wall time, ${trials} interleaved trials (medians; ratio to a bare node start)\n`)
for (const [name] of variants) {
  const ms = median(times.get(name))
  const spread = `${Math.min(...times.get(name)).toFixed(0)}-${Math.max(...times.get(name)).toFixed(0)}`
  console.log(`${name.padEnd(36)} ${ms.toFixed(0).padStart(5)} ms  (${spread} ms)  ${(ms / base).toFixed(2)}x`)
}
if (before) {
  const ratio = median(times.get('iouring-bench probe-kernel')) / median(times.get(before[0]))
  console.log(`\nprobe-kernel now / before: ${ratio.toFixed(2)}x`)
}
