#!/usr/bin/env node
// The file-read comparison on this machine: 4 KiB random buffered reads of a page-cache-
// hot file at depth 32, through the loop (1 submitter), the raw ring, fio's io_uring engine and
// Node's fs.promises, all four in the same run (one `bench --vs raw,fio,node-fs` per trial).
// Trials repeat that run; each cell is the median over trials, and each ratio the median of the
// per-trial ratios (both sides of a ratio always come from the same run). Then the memory
// check: peak RSS of a run and of a run 10x as long.
//
//   node scripts/bench/file-read-vs-fio.mjs [--trials 5] [--seconds 2] [--file-size 1g] [--spin 0] [--no-memory]
//
// Needs the built CLI (npm run build) and fio (scripts/setup.sh installs it).
import {execFileSync, spawnSync} from 'node:child_process'
import {parseArgs} from 'node:util'

const {values} = parseArgs({
  options: {
    trials: {type: 'string', default: '5'},
    seconds: {type: 'string', default: '2'},
    'file-size': {type: 'string', default: '1g'},
    spin: {type: 'string'},
    'no-memory': {type: 'boolean', default: false},
  },
})
const bin = new URL('../../bin/run.js', import.meta.url).pathname
const trials = Number(values.trials)
const workload = [
  '--op',
  'file-read',
  '--block-size',
  '4k',
  '--random',
  '--depth',
  '32',
  '--file-size',
  values['file-size'],
  ...(values.spin ? ['--spin', values.spin] : []),
]

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0))
const us = (ns) => `${(ns / 1e3).toFixed(1)} µs`

function bench(args) {
  return JSON.parse(execFileSync(process.execPath, [bin, 'bench', ...args, '--json'], {encoding: 'utf8', maxBuffer: 64 << 20}))
}

console.log(
  `file-read 4k random, depth 32, ${values['file-size']} page-cache-hot file; ${trials} trials of ${values.seconds} s (+1 s warm-up), medians\n`,
)
const systems = ['loop', 'raw', 'fio', 'node-fs']
const rows = Object.fromEntries(systems.map((s) => [s, []]))
const ratios = {fio: [], 'node-fs': [], raw: []}
for (let t = 0; t < trials; t++) {
  const doc = bench([...workload, '--duration', `${values.seconds}s`, '--warmup', '1s', '--vs', 'raw,fio,node-fs'])
  const [w] = doc.workloads
  for (const s of w.systems) if (!s.skipped) rows[s.system].push(s)
  for (const r of w.ratios) ratios[r.baseline].push(r)
  const line = w.systems.map((s) => `${s.system} ${s.skipped ? s.skipped : fmt(s.opsPerSec)}`).join(', ')
  console.log(`trial ${t + 1}: ${line}; file ${w.file.filesystem}, page cache ${w.file.pageCache}`)
}

console.log('\nsystem    ops/s      p50        p99        p99.9      CPU/op (user+system)')
for (const s of systems) {
  const r = rows[s]
  if (!r.length) {
    console.log(`${s.padEnd(8)}  (did not run)`)
    continue
  }
  const m = (f) => median(r.map(f))
  console.log(
    `${s.padEnd(8)}  ${fmt(m((x) => x.opsPerSec)).padStart(8)}  ${us(m((x) => x.latency.p50)).padStart(9)}  ${us(m((x) => x.latency.p99)).padStart(9)}  ${us(m((x) => x.latency.p999)).padStart(9)}  ${us(m((x) => x.cpu.nsPerOp)).padStart(8)} (${us(m((x) => x.cpu.userNsPerOp))} + ${us(m((x) => x.cpu.systemNsPerOp))})`,
  )
}

console.log('\nloop / baseline (median of per-trial ratios)   ops/s    p50     p99    CPU/op')
for (const [baseline, list] of Object.entries(ratios)) {
  if (!list.length) continue
  const m = (key) => median(list.map((r) => r[key] ?? NaN)).toFixed(2)
  console.log(
    `  vs ${baseline.padEnd(8)}                                  ${m('opsPerSec').padStart(5)}  ${m('p50').padStart(6)}  ${m('p99').padStart(6)}  ${m('cpuPerOp').padStart(6)}`,
  )
}
const goal = (label, ok) => console.log(`  ${ok ? 'met    ' : 'NOT met'}  ${label}`)
if (ratios.fio.length && ratios['node-fs'].length) {
  console.log('\ngoals')
  goal(
    `>= 0.9x fio's IOPS (median ratio ${median(ratios.fio.map((r) => r.opsPerSec)).toFixed(2)})`,
    median(ratios.fio.map((r) => r.opsPerSec)) >= 0.9,
  )
  goal(
    `>= 4x Node's IOPS (median ratio ${median(ratios['node-fs'].map((r) => r.opsPerSec)).toFixed(2)})`,
    median(ratios['node-fs'].map((r) => r.opsPerSec)) >= 4,
  )
  goal(
    `p99 no worse than fio's (median ratio ${median(ratios.fio.map((r) => r.p99)).toFixed(2)})`,
    median(ratios.fio.map((r) => r.p99)) <= 1,
  )
}

if (!values['no-memory']) {
  // Peak RSS of the whole CLI process (GNU time's %M, KiB), loop only, 1x and 10x as long.
  const peak = (seconds) => {
    // GNU time writes to stderr; stdout (the JSON document) is not needed.
    const {stderr} = spawnSync(
      '/usr/bin/time',
      ['-f', '%M', process.execPath, bin, 'bench', ...workload, '--duration', `${seconds}s`, '--warmup', '200ms', '--vs', 'none', '--json'],
      {encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe']},
    )
    return Number(stderr.trim().split('\n').at(-1)) * 1024
  }
  const base = Number(values.seconds)
  const short = median([peak(base), peak(base)])
  const long = peak(base * 10)
  console.log(
    `\nmemory: peak RSS ${(short / 2 ** 20).toFixed(1)} MiB for ${base} s, ${(long / 2 ** 20).toFixed(1)} MiB for ${base * 10} s: ${(long / short).toFixed(3)}x`,
  )
  goal('a 10x longer run uses at most 10% more memory', long <= short * 1.1)
}
