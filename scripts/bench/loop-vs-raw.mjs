#!/usr/bin/env node
// The loop against the raw ring, and the loop's counters compiled in against compiled out, on
// this machine. Trials are interleaved (A B A B ...) so drift touches every variant alike; each
// cell is the median of the trials, and every figure is shown with its ratio.
//
//   node scripts/bench/loop-vs-raw.mjs [--trials 5] [--seconds 1]
//
// Builds native/build-plain (counters in) and native/build-nocounters (IOB_COUNTERS=OFF).
import {execFileSync} from 'node:child_process'
import {parseArgs} from 'node:util'

const {values} = parseArgs({options: {trials: {type: 'string', default: '5'}, seconds: {type: 'string', default: '1'}}})
const trials = Number(values.trials)
const durationMs = Math.round(Number(values.seconds) * 1000)
const native = new URL('../../native/', import.meta.url).pathname

for (const [dir, counters] of [
  ['build-plain', 'ON'],
  ['build-nocounters', 'OFF'],
]) {
  execFileSync('cmake', ['-S', native, '-B', `${native}${dir}`, `-DIOB_COUNTERS=${counters}`], {stdio: 'ignore'})
  execFileSync('cmake', ['--build', `${native}${dir}`, '-j2', '--target', 'loop-bench'], {stdio: 'ignore'})
}

function bench(dir, args) {
  const out = execFileSync(`${native}${dir}/loop-bench`, [...args, `duration_ms=${durationMs}`, 'warmup_ms=200'], {encoding: 'utf8'})
  return JSON.parse(out)
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0))
const us = (ns) => `${(ns / 1e3).toFixed(1)} µs`

console.log(`loop vs raw, NOP, ${trials} interleaved trials of ${durationMs} ms each (medians)\n`)
console.log('submitters  depth  |  loop ops/s   p50       p99      |  raw ops/s   p50      |  loop/raw')
for (const submitters of [1, 2]) {
  for (const depth of [1, 32, 256]) {
    const size = Math.max(128, 2 ** Math.ceil(Math.log2(submitters * depth)))
    const args = [`op=nop`, `depth=${depth}`, `submitters=${submitters}`, `size=${size}`]
    const loop = [],
      raw = []
    for (let t = 0; t < trials; t++) {
      loop.push(bench('build-plain', ['system=loop', ...args]))
      raw.push(bench('build-plain', ['system=raw', ...args]))
    }
    const l = median(loop.map((r) => r.opsPerSec)),
      r = median(raw.map((r) => r.opsPerSec))
    console.log(
      `${String(submitters).padStart(10)}  ${String(depth).padStart(5)}  |  ${fmt(l).padStart(9)}  ${us(median(loop.map((x) => x.p50Ns))).padStart(8)}  ${us(median(loop.map((x) => x.p99Ns))).padStart(8)}  |  ${fmt(r).padStart(9)}  ${us(median(raw.map((x) => x.p50Ns))).padStart(8)}  |  ${(l / r).toFixed(3)}`,
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
    on.push(pinned('build-plain', args))
    off.push(pinned('build-nocounters', args))
  }
  const ratio = median(on.map((r) => r.opsPerSec)) / median(off.map((r) => r.opsPerSec))
  const cpuOn = median(on.map((r) => r.cpuNsPerOp)),
    cpuOff = median(off.map((r) => r.cpuNsPerOp))
  console.log(
    `${String(depth).padStart(5)}  |  ${fmt(median(on.map((r) => r.opsPerSec))).padStart(8)}  ${fmt(median(off.map((r) => r.opsPerSec))).padStart(9)}  |  ${ratio.toFixed(3)}    |  ${cpuOn.toFixed(0).padStart(6)} ns   ${cpuOff.toFixed(0).padStart(6)} ns   |  ${((cpuOn / cpuOff - 1) * 100).toFixed(1)}% CPU`,
  )
}

function pinned(dir, args) {
  const out = execFileSync('taskset', ['-c', '0', `${native}${dir}/loop-bench`, ...args, `duration_ms=${durationMs}`, 'warmup_ms=200'], {
    encoding: 'utf8',
  })
  return JSON.parse(out)
}
