#!/usr/bin/env node
// User-space instructions per op, the loop's against the raw ring's, counted by callgrind. Time on
// this VM moves by ±5 % between runs and it has no PMU for hardware counts, but an instruction
// count is the same every run: a hot-path change shows its effect in one run, to the instruction.
// The kernel's share (equal for both: the same SQEs enter the same ring) is not counted, so the
// ratio here is of the part of the cost the loop adds; a run's time ratio is diluted by the kernel.
//
//   node scripts/bench/instructions-per-op.mjs [--design same-thread[,cross-thread]]
//       [--depth 8,32,256] [--ops 100000] [--before DIR] [--top 0]
//
// Each figure is the difference of two NOP runs of loop-bench under `valgrind --tool=callgrind`,
// one of 2 x --ops ops and one of --ops, divided by --ops: setup and teardown cancel out exactly.
// Runs have no warm-up and wait=sleep, so no spin adds instructions a run's timing decides. The
// same-thread design counts the same every run; cross-thread counts move with how often the
// threads slept (valgrind runs one thread at a time), so compare those only roughly. --before DIR
// counts a checkout of an earlier commit too (`git worktree add --detach DIR <commit>`). --top N
// lists the N functions of this repository's code with the most instructions per op, in the
// loop at the deepest depth. It counts loop-bench, built by CMake (RelWithDebInfo): the addon
// the CLI loads is the same code, built by node-gyp with other flags. Needs valgrind (Debian:
// apt-get install valgrind).
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

const fail = (message, status) => {
  process.stderr.write(`Error: ${message}\n`)
  process.exit(status)
}

const DESIGNS = ['same-thread', 'cross-thread']
/** `text` as a list of whole numbers of at least `least`, or a one-line refusal naming `flag`. */
function integers(flag, text, least = 1) {
  const values = text.split(',').map((part) => Number(part))
  if (values.some((value) => !Number.isInteger(value) || value < least)) {
    fail(`--${flag}: expected whole numbers of at least ${least} separated by commas, got '${text}'`, 2)
  }
  return values
}

/** `text` as one whole number of at least `least`, or a one-line refusal naming `flag`. */
function integer(flag, text, least) {
  const value = Number(text)
  if (!Number.isInteger(value) || value < least) fail(`--${flag}: expected a whole number of at least ${least}, got '${text}'`, 2)
  return value
}

let values
try {
  ;({values} = parseArgs({
    options: {
      design: {type: 'string', default: 'same-thread'},
      depth: {type: 'string', default: '8,32,256'},
      ops: {type: 'string', default: '100000'},
      before: {type: 'string'},
      top: {type: 'string', default: '0'},
    },
  }))
} catch (error) {
  // parseArgs explains over several lines; the first says what is wrong.
  fail(error.message.split('\n')[0], 2)
}
const designs = values.design.split(',')
for (const design of designs) {
  if (!DESIGNS.includes(design)) fail(`--design: expected ${DESIGNS.join(' or ')}, got '${design}'`, 2)
}
const depths = integers('depth', values.depth)
const ops = integer('ops', values.ops, 1)
const top = integer('top', values.top, 0)
if (spawnSync('valgrind', ['--version']).status !== 0) {
  fail('valgrind is not installed (Debian: apt-get install valgrind); it counts the instructions', 3)
}

/** Builds loop-bench (RelWithDebInfo, no sanitizers, as benchmarks run) under `root`. */
function build(root) {
  const dir = join(root, 'native', 'build-rel')
  try {
    execFileSync('cmake', ['-S', join(root, 'native'), '-B', dir, '-DCMAKE_BUILD_TYPE=RelWithDebInfo', '-DIOB_SANITIZE='], {
      stdio: 'ignore',
    })
    execFileSync('cmake', ['--build', dir, '-j2', '--target', 'loop-bench'], {stdio: 'ignore'})
  } catch {
    fail(`could not build loop-bench in ${dir} (run the cmake commands by hand to see why)`, 3)
  }
  return join(dir, 'loop-bench')
}

const work = mkdtempSync(join(tmpdir(), 'iob-instructions-'))
process.on('exit', () => rmSync(work, {recursive: true, force: true}))
const here = new URL('../../', import.meta.url).pathname

/** Instructions of one run of `ops` ops, in all and per function (`file:function`). */
function run(binary, args, runOps) {
  const out = join(work, 'run.callgrind')
  const valgrind = spawnSync(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${out}`, binary, ...args, `ops=${runOps}`, 'warmup_ms=0', 'wait=sleep'],
    {encoding: 'utf8'},
  )
  const total = /I\s+refs:\s+([\d,]+)/.exec(valgrind.stderr)
  if (valgrind.status !== 0 || !total) {
    fail(`loop-bench ${args.join(' ')} under callgrind failed: ${valgrind.stderr.trim().split('\n').at(-1)}`, 3)
  }
  const functions = new Map()
  // Run from elsewhere: callgrind_annotate shortens the paths under its working directory.
  const annotated = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', out], {
    cwd: work,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
  for (const line of annotated.split('\n')) {
    const match = /^\s*([\d,]+) \([^)]*\)\s+(.*)$/.exec(line)
    if (match && !match[2].includes('PROGRAM TOTALS')) {
      const name = match[2].replace(/ \[[^\]]*\]$/, '')
      functions.set(name, (functions.get(name) ?? 0) + Number(match[1].replaceAll(',', '')))
    }
  }
  return {total: Number(total[1].replaceAll(',', '')), functions}
}

/** Per op: the difference of a run of 2 x ops and one of ops, over ops (setup cancels). */
function count(binary, system, design, depth) {
  const args = [`system=${system}`, `design=${design}`, 'op=nop', `depth=${depth}`, `size=${Math.max(128, depth)}`]
  const once = run(binary, args, ops)
  const twice = run(binary, args, 2 * ops)
  const functions = new Map([...twice.functions].map(([name, n]) => [name, (n - (once.functions.get(name) ?? 0)) / ops]))
  return {perOp: (twice.total - once.total) / ops, functions}
}

const now = build(here)
const before = values.before && build(values.before)

console.log(`user-space instructions per NOP, callgrind (runs of ${2 * ops} ops less runs of ${ops}; kernel not counted)\n`)
const header = ['design', 'depth', 'raw', 'loop', 'loop/raw', ...(before ? ['before', 'now/before'] : [])]
const rows = []
const raws = new Map()
let deepest
for (const design of designs) {
  for (const depth of depths) {
    // loop-bench's raw ring has no design: counted once per depth.
    if (!raws.has(depth)) raws.set(depth, count(now, 'raw', design, depth))
    const raw = raws.get(depth)
    const loop = count(now, 'loop', design, depth)
    const row = [design, String(depth), raw.perOp.toFixed(1), loop.perOp.toFixed(1), (loop.perOp / raw.perOp).toFixed(3)]
    if (before) {
      const old = count(before, 'loop', design, depth)
      row.push(old.perOp.toFixed(1), (loop.perOp / old.perOp).toFixed(3))
    }
    rows.push(row)
    if (depth === Math.max(...depths)) deepest = {design, depth, functions: loop.functions}
  }
}
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)))
for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padStart(widths[i])).join('  '))

if (top > 0) {
  console.log(`\nthe loop's costliest functions of this repository, ${deepest.design} depth ${deepest.depth} (instructions per op):`)
  const ours = [...deepest.functions].filter(([name]) => name.startsWith(here)).sort((a, b) => b[1] - a[1])
  for (const [name, perOp] of ours.slice(0, top)) console.log(`${perOp.toFixed(1).padStart(8)}  ${name.slice(here.length)}`)
}
