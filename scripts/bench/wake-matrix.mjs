#!/usr/bin/env node
// Every way to wake and wait, priced side by side: one table from one run, over wake mechanism x
// wait strategy x design (same-thread has no wake: it spins on its own CQ), at depth 1, 32 and 256 with
// 1 and 2 submitters, NOP and 4 KiB random reads of a page-cache-hot file at depth 32. Each cell
// is one `bench ... --vs raw --json` per trial, so the loop and the raw ring it is compared with
// share a run; trials are interleaved (A B C ... A B C ...) so drift touches every configuration
// alike. Figures are medians over trials (the ratio: of the per-trial ratios); CPU per op counts
// every thread of the process, wakes and enters per op come from the loop's counters, and idle CPU
// is the loop's share of a core while it waits with nothing to do (bench --idle), once per loop.
//
//   node scripts/bench/wake-matrix.mjs [--trials 3] [--seconds 1] [--idle 2] [--file-size 64m]
//       [--only KEY=V1,V2 ...] [--json | --markdown]
//
// --only keeps the configurations whose KEY (design, wake, wait, op, depth, submitters) is one of
// the values; several --only all apply: `--only wake=futex,eventfd --only depth=1`. A
// configuration this build cannot run (a flag it lacks: said once, from `bench --help`), or that
// the kernel cannot (bench exits 3, naming the release that has it), is a row saying why.
// Needs the built CLI (npm run build).
import {execFile, execFileSync} from 'node:child_process'
import {parseArgs} from 'node:util'

import {configurations, flagsInHelp, markdownTable, readOptions, runMatrix, textTable} from './wake-matrix-lib.mjs'

const bin = new URL('../../bin/run.js', import.meta.url).pathname

function fail(message, status) {
  process.stderr.write(`Error: ${message}\n`)
  process.exit(status)
}

let options
try {
  const {values} = parseArgs({
    options: {
      trials: {type: 'string', default: '3'},
      seconds: {type: 'string', default: '1'},
      idle: {type: 'string', default: '2'},
      'file-size': {type: 'string', default: '64m'},
      only: {type: 'string', multiple: true},
      json: {type: 'boolean', default: false},
      markdown: {type: 'boolean', default: false},
    },
  })
  options = readOptions(values)
} catch (error) {
  fail(error.message, 2)
}

const configs = configurations(options.only)
if (!configs.length) fail('--only: no configuration has all of those values (same-thread has no wake)', 2)
const flags = flagsInHelp(execFileSync(process.execPath, [bin, 'bench', '--help'], {encoding: 'utf8'}))

const run = (args) =>
  new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], {encoding: 'utf8', maxBuffer: 64 << 20}, (error, stdout, stderr) => {
      resolve({status: error ? (error.code ?? null) : 0, stdout, stderr})
    })
  })
const progress = process.stderr.isTTY ? (done, total, label) => process.stderr.write(`\r\x1b[K[${done}/${total}] ${label}`) : () => {}

const rows = await runMatrix({configs, options, flags, run, progress})
if (process.stderr.isTTY) process.stderr.write('\r\x1b[K')
if (options.form === 'json') {
  console.log(JSON.stringify({trials: options.trials, seconds: options.seconds, idleSeconds: options.idleSeconds, rows}, null, 2))
} else {
  console.log(
    `wake x wait x design; ${options.trials} interleaved trial${options.trials === 1 ? '' : 's'} of ${options.seconds} s each (medians; x raw: the median of per-trial loop/raw ratios; idle CPU: % of a core over ${options.idleSeconds} s)\n`,
  )
  console.log(options.form === 'markdown' ? markdownTable(rows) : textTable(rows))
}
