// --push URL: a result's metrics sent to a real Prometheus Pushgateway (Debian's
// prometheus-pushgateway, which scripts/setup.sh installs), started by this test on a free
// loopback port and stopped after it, then read back through the gateway's own API; and the ways
// a push fails: one line each, never a stack trace, the result still printed and saved.
import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {after, before, describe, test} from 'node:test'

import type {ResultDocument, SystemResult} from '../../src/model/result.ts'
import {LOOP_COUNTERS} from '../../src/report/counters.ts'
import {newHistogram, summarize} from '../../src/report/histogram.ts'
import {workloadFromTrials} from '../../src/report/result.ts'
import {lines, runCli} from '../helpers/cli.ts'
import {assertMatchesSchema, parseResult} from '../helpers/schema.ts'

const PUSHGATEWAY = '/usr/bin/prometheus-pushgateway'
const HOSTNAME = 'bench-host-1'

const dir = mkdtempSync(path.join(tmpdir(), 'iob-push-'))
after(() => rmSync(dir, {recursive: true, force: true}))

/** A system of a saved result with known figures: `ops` ops of `latencyNs` each, at `opsPerSec`. */
function system(name: 'loop' | 'raw', ops: number, opsPerSec: number, latencyNs: number): SystemResult {
  const histogram = newHistogram()
  histogram.recordValueWithCount(latencyNs, ops)
  return {
    system: name,
    error: null,
    ops,
    elapsedNs: Math.round((ops / opsPerSec) * 1e9),
    opsPerSec,
    bytes: 0,
    bytesPerSec: 0,
    outcomes: {expected: ops - 3, timedOut: 2, abandoned: 1, corrupt: 0, unexpected: {}},
    latency: summarize(histogram, {min: latencyNs, max: latencyNs}),
    cpu: {userNs: ops * 100, systemNs: ops * 300, nsPerOp: 400, userNsPerOp: 100, systemNsPerOp: 300, ops},
    counters: Object.fromEntries(LOOP_COUNTERS.map((info, index) => [info.name, index + 1])),
    ring: {sqEntries: 128, cqEntries: 256, setupFlags: 0, setupFlagNames: 'none', features: 1},
  }
}

/** A result as bench saves it (checked against the schema), measured on HOSTNAME. */
function savedResult(opsPerSec: number): ResultDocument {
  return {
    schemaVersion: 1,
    kind: 'iouring-bench/result',
    tool: {name: 'iouring-bench', version: '0.1.0'},
    createdAt: '2026-01-01T00:00:00.000Z',
    host: {hostname: HOSTNAME, arch: 'x64', cpus: 2, cpuModel: 'cpu', memoryBytes: 1 << 30, node: 'v20.0.0'},
    kernel: {release: '6.1.0-test', version: '#1 SMP'},
    interrupted: false,
    workloads: [
      workloadFromTrials(
        {
          name: 'nop-qd8',
          op: 'nop',
          timerNs: 0,
          loop: {ringSize: 128, ioPoll: false, singleIssuer: false},
          drive: {submitters: 1, depth: 8, durationNs: 0, ops: 20_000, warmupNs: 0},
          vs: ['raw'],
        },
        [{systems: [system('loop', 20_000, opsPerSec, 4000), system('raw', 20_000, 2 * opsPerSec, 1000)]}],
        {interrupted: false},
      ),
    ],
  }
}

function save(name: string, document: ResultDocument): string {
  assertMatchesSchema('result', document)
  const file = path.join(dir, name)
  writeFileSync(file, JSON.stringify(document, null, 2))
  return file
}

/** A loopback port nothing listens on (free a moment ago). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolve(port))
    })
  })
}

/** A sample's name and labels, the labels sorted by name (as the gateway exposes them). */
function sampleKey(name: string, labels: Record<string, string>): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([label, value]) => `${label}=${JSON.stringify(value)}`)
  return `${name}{${pairs.join(',')}}`
}

/** Every sample of a text exposition, by sampleKey (label values here have no escapes). */
function samples(exposition: string): Map<string, number> {
  const found = new Map<string, number>()
  for (const line of exposition.split('\n')) {
    const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!sample) continue
    const labels = Object.fromEntries([...(sample[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map(([, label, value]) => [label, value]))
    found.set(sampleKey(sample[1], labels), Number(sample[3]))
  }
  return found
}

function installed(file: string): boolean {
  try {
    accessSync(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

describe('--push to a Prometheus Pushgateway', () => {
  const missing = installed(PUSHGATEWAY)
    ? undefined
    : `${PUSHGATEWAY} not found: install Debian's 'prometheus-pushgateway' package (scripts/setup.sh does)`
  let gateway: ChildProcess | undefined
  let url = ''
  let log = ''

  before(async () => {
    if (missing) return
    const port = await freePort()
    url = `http://127.0.0.1:${port}`
    // Its metrics in memory only: Debian's build persists them to /var/lib/prometheus by default.
    gateway = spawn(PUSHGATEWAY, [`--web.listen-address=127.0.0.1:${port}`, '--persistence.file='], {stdio: ['ignore', 'ignore', 'pipe']})
    gateway.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk))
    // Ready when it answers its readiness endpoint: bounded, 100 tries 100 ms apart.
    for (let attempt = 0; ; attempt++) {
      const ready = await fetch(`${url}/-/ready`).then(
        (response) => response.ok,
        () => false,
      )
      if (ready) break
      assert.ok(attempt < 100 && gateway.exitCode === null, `the pushgateway did not start: ${log}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  })

  after(async () => {
    if (!gateway || gateway.exitCode !== null) return
    const exited = new Promise((resolve) => gateway!.once('exit', resolve))
    gateway.kill('SIGTERM')
    await exited
  })

  test('report FILE --push URL: the series, with their workload and system labels and the saved values, are on the gateway under job and instance', async (t) => {
    if (missing) return t.skip(missing)
    const document = savedResult(250_000)
    const file = save('result.json', document)
    const {status, stdout, stderr} = await runCli(['report', file, '--push', url])
    assert.equal(status, 0, stderr)
    assert.equal(stderr, '')
    assert.match(stdout, /nop-qd8/, 'the terminal report is still printed')

    // The group, by its grouping key, through the query API.
    const api = (await (await fetch(`${url}/api/v1/metrics`)).json()) as {status: string; data: Array<Record<string, any>>}
    assert.equal(api.status, 'success')
    assert.deepEqual(
      api.data.map((group) => group.labels),
      [{job: 'iouring-bench', instance: HOSTNAME}],
    )
    const [group] = api.data
    assert.equal(group.last_push_successful, true)
    const throughput = group.iouring_bench_throughput_ops_per_second
    assert.equal(throughput.type, 'GAUGE')
    assert.deepEqual(
      throughput.metrics.map((metric: {labels: Record<string, string>; value: string}) => [metric.labels, Number(metric.value)]),
      document.workloads[0].systems.map((each) => [
        {job: 'iouring-bench', instance: HOSTNAME, workload: 'nop-qd8', system: each.system},
        each.opsPerSec,
      ]),
    )

    // The series as Prometheus scrapes them from the gateway (which adds job and instance).
    const [loop, raw] = document.workloads[0].systems
    const scraped = samples(await (await fetch(`${url}/metrics`)).text())
    const grouped = {instance: HOSTNAME, job: 'iouring-bench', workload: 'nop-qd8'}
    for (const [name, labels, value] of [
      ['throughput_ops_per_second', {system: 'loop'}, 250_000],
      ['throughput_ops_per_second', {system: 'raw'}, 500_000],
      ['ops_total', {system: 'loop', outcome: 'expected'}, loop.outcomes.expected],
      ['ops_total', {system: 'raw', outcome: 'timed_out'}, raw.outcomes.timedOut],
      ['latency_seconds_count', {system: 'loop'}, loop.latency.count],
      ['latency_seconds', {system: 'raw', quantile: '0.99'}, raw.latency.p99 / 1e9],
      [`loop_${LOOP_COUNTERS[0].metric}`, {system: 'loop'}, loop.counters[LOOP_COUNTERS[0].name]],
    ] as const) {
      const key = sampleKey(`iouring_bench_${name}`, {...grouped, ...labels})
      assert.equal(scraped.get(key), value, key)
    }
    const info = {hostname: HOSTNAME, kernel_release: '6.1.0-test', kernel_version: '#1 SMP', tool_version: '0.1.0'}
    assert.equal(scraped.get(sampleKey('iouring_bench_info', {instance: HOSTNAME, job: 'iouring-bench', ...info})), 1)

    // A second push from the same host replaces the first (PUT): one group, the new figures.
    const again = await runCli(['report', save('again.json', savedResult(300_000)), '--push', `${url}/`, '--json'])
    assert.equal(again.status, 0, again.stderr)
    parseResult(again.stdout)
    const rescraped = samples(await (await fetch(`${url}/metrics`)).text())
    assert.equal(rescraped.get(sampleKey('iouring_bench_throughput_ops_per_second', {...grouped, system: 'loop'})), 300_000)
    assert.equal([...rescraped.keys()].filter((key) => key.startsWith('iouring_bench_throughput_ops_per_second{')).length, 2)
  })

  test('a gateway that is not there: exit 3, one line naming the URL and why; the result is still printed and saved', async () => {
    const port = await freePort()
    const saved = path.join(dir, 'kept.json')
    const {status, stdout, stderr} = await runCli([
      'report',
      save('unreached.json', savedResult(1000)),
      '--push',
      `http://127.0.0.1:${port}`,
      '--output',
      saved,
    ])
    assert.equal(status, 3, stderr)
    assert.deepEqual(lines(stderr), [
      `Error: --push: http://127.0.0.1:${port}/metrics/job/iouring-bench/instance/${HOSTNAME} could not be reached (ECONNREFUSED)`,
    ])
    assert.match(stdout, /nop-qd8/, 'the terminal report is still printed')
    assert.equal(parseResult(readFileSync(saved, 'utf8')).host.hostname, HOSTNAME, '--output is still written')
  })

  test('--push that is not an http(s) URL: exit 2 before anything runs, one line naming --push, what was given and what is allowed', async () => {
    const file = save('not-pushed.json', savedResult(1000))
    for (const args of [
      ['report', file, '--push', 'ftp://x'],
      ['bench', '--op', 'nop', '--ops', '1000', '--push', 'ftp://x'],
    ]) {
      const {status, stdout, stderr} = await runCli(args)
      assert.equal(status, 2, `${args[0]}: ${stderr}`)
      assert.equal(stdout, '', args[0])
      assert.deepEqual(lines(stderr), [
        "Error: --push: 'ftp://x' is not allowed; use the http:// or https:// URL of a Prometheus Pushgateway, e.g. http://localhost:9091",
      ])
    }
  })

  test('a document without Prometheus metrics (a probe): exit 2, one line naming --push and what it applies to', async () => {
    const probe = new URL('../fixtures/raw-probe/debian-6.1.json', import.meta.url).pathname
    for (const [args, title] of [
      [['report', probe, '--push', 'http://127.0.0.1:9'], 'a fleet view'],
      [['probe-kernel', '--push', 'http://127.0.0.1:9'], 'a probe'],
    ] as const) {
      const {status, stdout, stderr} = await runCli([...args])
      assert.equal(status, 2, `${args[0]}: ${stderr}`)
      assert.equal(stdout, '', args[0])
      assert.deepEqual(lines(stderr), [
        `Error: --push: 'http://127.0.0.1:9' is not allowed; ${title} has no Prometheus metrics; --push applies to results (bench, run, report)`,
      ])
    }
  })
})
