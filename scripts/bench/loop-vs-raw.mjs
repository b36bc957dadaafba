#!/usr/bin/env node
// The loop against the raw ring, and the loop's counters compiled in against compiled out, on
// this machine. Trials are interleaved (A B A B ...) so drift touches every variant alike; each
// cell is the median of the trials, and every figure is shown with its ratio.
//
//   node scripts/bench/loop-vs-raw.mjs [--trials 5] [--seconds 1] [--before DIR]
//
// Builds native/build-plain (counters in) and native/build-nocounters (IOB_COUNTERS=OFF). With
// --before, DIR is a checkout of an earlier commit (`git worktree add --detach DIR <commit>`): its
// loop runs in the same interleaved trials, so a change's before and after are compared in one run.
import {execFileSync} from 'node:child_process'
import {parseArgs} from 'node:util'

const {values} = parseArgs({
  options: {trials: {type: 'string', default: '5'}, seconds: {type: 'string', default: '1'}, before: {type: 'string'}},
})
const trials = Number(values.trials)
const durationMs = Math.round(Number(values.seconds) * 1000)
const native = new URL('../../native/', import.meta.url).pathname
const beforeNative = values.before && new URL('native/', new URL(`file://${values.before.replace(/\/?$/, '/')}`)).pathname

/** Builds loop-bench in `root`/`dir` and returns its path. */
function build(root, dir, counters) {
  execFileSync('cmake', ['-S', root, '-B', `${root}${dir}`, `-DIOB_COUNTERS=${counters}`], {stdio: 'ignore'})
  execFileSync('cmake', ['--build', `${root}${dir}`, '-j2', '--target', 'loop-bench'], {stdio: 'ignore'})
  return `${root}${dir}/loop-bench`
}
const counted = build(native, 'build-plain', 'ON')
const uncounted = build(native, 'build-nocounters', 'OFF')
const before = beforeNative && build(beforeNative, 'build-plain', 'ON')

function bench(binary, args) {
  const out = execFileSync(binary, [...args, `duration_ms=${durationMs}`, 'warmup_ms=200'], {encoding: 'utf8'})
  return JSON.parse(out)
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0))
const us = (ns) => `${(ns / 1e3).toFixed(1)} µs`

console.log(`loop vs raw, NOP, ${trials} interleaved trials of ${durationMs} ms each (medians; CPU per op: all threads)\n`)
const beforeHeader = before ? '  |  before ops/s  CPU/op    |  now/before' : ''
console.log(
  `submitters  depth  |  loop ops/s   p50       p99       CPU/op    |  raw ops/s   p50       CPU/op    |  loop/raw${beforeHeader}`,
)
const cell = (runs) => {
  const ops = median(runs.map((r) => r.opsPerSec))
  return {ops, text: `${fmt(ops).padStart(9)}  ${us(median(runs.map((x) => x.p50Ns))).padStart(8)}`}
}
const cpu = (runs) => `${median(runs.map((r) => r.cpuNsPerOp)).toFixed(0)} ns`.padStart(8)
for (const submitters of [1, 2]) {
  for (const depth of [1, 32, 256]) {
    const size = Math.max(128, 2 ** Math.ceil(Math.log2(submitters * depth)))
    const args = [`op=nop`, `depth=${depth}`, `submitters=${submitters}`, `size=${size}`]
    const loop = [],
      raw = [],
      old = []
    for (let t = 0; t < trials; t++) {
      loop.push(bench(counted, ['system=loop', ...args]))
      raw.push(bench(counted, ['system=raw', ...args]))
      if (before) old.push(bench(before, ['system=loop', ...args]))
    }
    const l = cell(loop),
      r = cell(raw)
    const p99 = us(median(loop.map((x) => x.p99Ns))).padStart(8)
    const then = before ? `  |  ${fmt(cell(old).ops).padStart(11)}  ${cpu(old)}  |  ${(l.ops / cell(old).ops).toFixed(3)}` : ''
    console.log(
      `${String(submitters).padStart(10)}  ${String(depth).padStart(5)}  |  ${l.text}  ${p99}  ${cpu(loop)}  |  ${r.text}  ${cpu(raw)}  |  ${(l.ops / r.ops).toFixed(3)}${then}`,
    )
  }
}

// Counting is CPU work, so its cost is measured where CPU work is what limits the rate: both
// threads pinned to one vCPU (no cross-vCPU wake latency in the way), and as CPU time per op.
console.log(`\ncounters compiled in vs out: loop, 1 submitter, pinned to one vCPU (medians of ${trials * 2} interleaved trials)\n`)
console.log('depth  |  ops/s in    ops/s out  |  in/out   |  CPU/op in   CPU/op out  |  cost')
for (const depth of [32, 256]) {
  const args = ['system=loop', 'op=nop', `depth=${depth}`, 'submitters=1', `size=${Math.max(128, depth)}`]
  const on = [],
    off = []
  for (let t = 0; t < trials * 2; t++) {
    on.push(pinned(counted, args))
    off.push(pinned(uncounted, args))
  }
  const ratio = median(on.map((r) => r.opsPerSec)) / median(off.map((r) => r.opsPerSec))
  const cpuOn = median(on.map((r) => r.cpuNsPerOp)),
    cpuOff = median(off.map((r) => r.cpuNsPerOp))
  console.log(
    `${String(depth).padStart(5)}  |  ${fmt(median(on.map((r) => r.opsPerSec))).padStart(8)}  ${fmt(median(off.map((r) => r.opsPerSec))).padStart(9)}  |  ${ratio.toFixed(3)}    |  ${cpuOn.toFixed(0).padStart(6)} ns   ${cpuOff.toFixed(0).padStart(6)} ns   |  ${((cpuOn / cpuOff - 1) * 100).toFixed(1)}% CPU`,
  )
}

function pinned(binary, args) {
  const out = execFileSync('taskset', ['-c', '0', binary, ...args, `duration_ms=${durationMs}`, 'warmup_ms=200'], {
    encoding: 'utf8',
  })
  return JSON.parse(out)
}
