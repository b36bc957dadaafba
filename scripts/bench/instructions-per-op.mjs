#!/usr/bin/env node
// User-space instructions per op, the loop's against the raw ring's, counted by callgrind. Time on
// this VM moves by ±5 % between runs and it has no PMU for hardware counts, but an instruction
// count is the same every run: a hot-path change shows its effect in one run, to the instruction.
// The kernel's share (equal for both: the same SQEs enter the same ring) is not counted, so the
// ratio here is of the part of the cost the loop adds; a run's time ratio is diluted by the kernel.
//
//   node scripts/bench/instructions-per-op.mjs [--design same-thread[,cross-thread]]
//       [--depth 8,32,256] [--ops 200000] [--before DIR] [--top 0]
//
// The same-thread design counts the same every run. Cross-thread counts move with how often the
// threads slept and spun (valgrind runs one thread at a time), so compare those only roughly.
//
// Each cell is one NOP run of loop-bench (--ops ops, no warm-up, wait=sleep so no spin adds
// instructions a run's timing decides) under `valgrind --tool=callgrind`; the figure is the
// program's instructions over the ops, setup included (a few per op at 200 k ops). --before DIR
// counts a checkout of an earlier commit too (`git worktree add --detach DIR <commit>`). --top N
// lists the loop's N costliest functions at the deepest depth (self instructions per op). Needs
// valgrind (Debian: apt-get install valgrind).
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
/** `text` as a list of positive integers, or a one-line refusal naming `flag`. */
function integers(flag, text) {
  const values = text.split(',').map((part) => Number(part))
  if (values.some((value) => !Number.isInteger(value) || value < 1)) {
    fail(`--${flag}: expected positive whole numbers separated by commas, got '${text}'`, 2)
  }
  return values
}

let values
try {
  ;({values} = parseArgs({
    options: {
      design: {type: 'string', default: 'same-thread'},
      depth: {type: 'string', default: '8,32,256'},
      ops: {type: 'string', default: '200000'},
      before: {type: 'string'},
      top: {type: 'string', default: '0'},
    },
  }))
} catch (error) {
  fail(error.message, 2)
}
const designs = values.design.split(',')
for (const design of designs) {
  if (!DESIGNS.includes(design)) fail(`--design: expected ${DESIGNS.join(' or ')}, got '${design}'`, 2)
}
const depths = integers('depth', values.depth)
const [ops] = integers('ops', values.ops)
const top = values.top === '0' ? 0 : integers('top', values.top)[0]
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

/** Instructions per op of one run, and the callgrind file it left (named by `tag`). */
function count(binary, tag, system, design, depth) {
  const out = join(work, `${tag}-${system}-${design}-${depth}.callgrind`)
  const args = [`system=${system}`, `design=${design}`, 'op=nop', `depth=${depth}`, `size=${Math.max(128, depth)}`]
  const run = spawnSync(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${out}`, binary, ...args, `ops=${ops}`, 'warmup_ms=0', 'wait=sleep'],
    {encoding: 'utf8'},
  )
  const total = /I\s+refs:\s+([\d,]+)/.exec(run.stderr)
  if (run.status !== 0 || !total) fail(`loop-bench ${args.join(' ')} under callgrind failed: ${run.stderr.trim().split('\n').at(-1)}`, 3)
  return {perOp: Number(total[1].replaceAll(',', '')) / ops, out}
}

const here = new URL('../../', import.meta.url).pathname
const now = build(here)
const before = values.before && build(values.before)

console.log(`user-space instructions per NOP, callgrind, ${ops} ops a run (kernel not counted)\n`)
const header = ['design', 'depth', 'raw', 'loop', 'loop/raw', ...(before ? ['before', 'now/before'] : [])]
const rows = []
let deepest
for (const design of designs) {
  for (const depth of depths) {
    const raw = count(now, 'now', 'raw', design, depth)
    const loop = count(now, 'now', 'loop', design, depth)
    const row = [design, String(depth), raw.perOp.toFixed(1), loop.perOp.toFixed(1), (loop.perOp / raw.perOp).toFixed(3)]
    if (before) {
      const old = count(before, 'before', 'loop', design, depth)
      row.push(old.perOp.toFixed(1), (loop.perOp / old.perOp).toFixed(3))
    }
    rows.push(row)
    if (depth === Math.max(...depths)) deepest = {design, depth, out: loop.out}
  }
}
const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].length)))
for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padStart(widths[i])).join('  '))

if (top > 0) {
  console.log(`\nthe loop's costliest functions, ${deepest.design} depth ${deepest.depth} (self instructions per op):`)
  const annotated = execFileSync('callgrind_annotate', ['--inclusive=no', deepest.out], {encoding: 'utf8', maxBuffer: 64 << 20})
  const lines = annotated.split('\n').filter((line) => /^\s*[\d,]+ \(/.test(line) && !line.includes('PROGRAM TOTALS'))
  for (const line of lines.slice(0, top)) {
    const [, total, where] = /^\s*([\d,]+) \([^)]*\)\s+(.*)$/.exec(line)
    const name = where.replace(/ \[[^\]]*\]$/, '').replace(here, '')
    console.log(`${(Number(total.replaceAll(',', '')) / ops).toFixed(1).padStart(8)}  ${name}`)
  }
}
