#!/usr/bin/env node
// Each wait strategy (and wake mechanism) on the shipped profiles: every workload of the named
// profiles runs once per variant, all in one `run` so the trials of every workload and variant are
// interleaved and each shares its run with the raw ring. Prints, per workload, each variant's ops/s
// and ratio to raw (medians over trials), and how far the last variant is from the best of the
// others: what choosing a default needs.
//
//   node scripts/bench/wait-on-profiles.mjs [--profile default] [--trials 4]
//       [--variant 'sleep' --variant 'spin=50us' --variant 'adaptive' ...]
//
// A variant is a wait strategy, optionally with a wake mechanism after a slash
// ('adaptive/futex'). The default variants are sleep, spin=50us and adaptive, all with the
// default wake. Needs the built CLI (npm run build).
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import {parse, stringify} from 'yaml'

const {values} = parseArgs({
  options: {
    profile: {type: 'string', multiple: true},
    trials: {type: 'string', default: '4'},
    variant: {type: 'string', multiple: true},
  },
})
const profiles = values.profile ?? ['default']
const variants = values.variant ?? ['sleep', 'spin=50us', 'adaptive']
const root = new URL('../../', import.meta.url).pathname

/** The profile's workloads, once per variant, named `workload.vN` (N: the variant's index). */
function expand(profile) {
  const text = readFileSync(join(root, 'bench-profiles', `${profile}.yaml`), 'utf8')
  const document = parse(text)
  const workloads = document.workloads.flatMap((workload) =>
    variants.map((variant, index) => {
      const [wait, wake] = variant.split('/')
      // The variant's wait replaces the workload's own (`spin` is its shorthand).
      const {spin: _spin, ...rest} = workload
      return {...rest, name: `${workload.name}.v${index}`, wait, ...(wake ? {wake} : {})}
    }),
  )
  return {...document, description: `${document.description} (each wait variant)`, gate: undefined, workloads}
}

const folder = mkdtempSync(join(tmpdir(), 'wait-on-profiles-'))
try {
  const files = profiles.map((profile) => {
    const file = join(folder, `${profile}.yaml`)
    writeFileSync(file, stringify(expand(profile)))
    return file
  })
  const run = spawnSync(process.execPath, [join(root, 'bin/run.js'), 'run', ...files, '--trials', values.trials, '--json'], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const document = JSON.parse(run.stdout)
  if (document.error) {
    process.stderr.write(`Error: ${document.error.message}\n`)
    process.exitCode = run.status ?? 1
  } else {
    print(document)
  }
} finally {
  rmSync(folder, {recursive: true, force: true})
}

function print(document) {
  const byWorkload = new Map()
  for (const workload of document.workloads) {
    const cut = workload.name.lastIndexOf('.v')
    const name = workload.name.slice(0, cut)
    const variant = variants[Number(workload.name.slice(cut + 2))]
    const loop = workload.systems.find((system) => system.system === 'loop')
    const raw = workload.ratios.find((ratio) => ratio.baseline === 'raw')
    if (!byWorkload.has(name)) byWorkload.set(name, {})
    byWorkload.get(name)[variant] = {opsPerSec: loop?.opsPerSec ?? NaN, vsRaw: raw?.opsPerSec ?? NaN, cpuNsPerOp: loop?.cpu?.nsPerOp ?? NaN}
  }
  const last = variants.at(-1)
  const head = ['workload', ...variants.map((variant) => `${variant} ops/s (x raw, CPU/op)`), `${last} / best other`]
  const rows = [...byWorkload].map(([name, cells]) => {
    const others = variants.slice(0, -1).map((variant) => cells[variant]?.opsPerSec ?? NaN)
    const best = Math.max(...others)
    return [
      name,
      ...variants.map((variant) => {
        const cell = cells[variant]
        return cell ? `${fmt(cell.opsPerSec)} (${cell.vsRaw.toFixed(2)}, ${(cell.cpuNsPerOp / 1e3).toFixed(1)} µs)` : '-'
      }),
      (cells[last]?.opsPerSec / best).toFixed(2),
    ]
  })
  console.log(`${values.trials} interleaved trials per workload and variant; medians (x raw: the median of per-trial ratios)\n`)
  console.log([head, ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n'))
}

function fmt(n) {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0)
}
