import assert from 'node:assert/strict'
import {execFileSync, spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {hostname, tmpdir} from 'node:os'
import path from 'node:path'
import {before, describe, test} from 'node:test'

import {Ajv2020} from 'ajv/dist/2020.js'
import {XMLParser} from 'fast-xml-parser'
import * as hdr from 'hdr-histogram-js'

import {type FormatName, formatsFor, render} from '../../src/report/formats.ts'
import {decodeHistogram, newHistogram} from '../../src/report/histogram.ts'
import type {Rendering} from '../../src/report/rendering.ts'
import {lines, runCli} from '../helpers/cli.ts'
import {assertValidJunit} from '../helpers/junit.ts'
import {assertMatchesSchema, parseResult} from '../helpers/schema.ts'

const dir = mkdtempSync(path.join(tmpdir(), 'iob-report-'))
const PROBES = new URL('../fixtures/raw-probe/', import.meta.url).pathname
const probeFiles = readdirSync(PROBES)
  .filter((file) => file.endsWith('.json'))
  .map((file) => path.join(PROBES, file))

/** Two runs of one workload and a run of another, saved the way a user saves them. */
const saved = {first: path.join(dir, 'first.json'), second: path.join(dir, 'second.json'), timer: path.join(dir, 'timer.json')}
const documents = {} as Record<keyof typeof saved, any>

before(async () => {
  const runs: Array<[keyof typeof saved, string[]]> = [
    ['first', ['bench', '--op', 'nop', '--depth', '8', '--ops', '20000', '--warmup', '50ms', '--output', saved.first]],
    ['second', ['bench', '--op', 'nop', '--depth', '8', '--ops', '20000', '--warmup', '50ms', '--json']],
    ['timer', ['bench', '--op', 'timer', '--timer', '100us', '--depth', '4', '--ops', '2000', '--warmup', '0', '--json']],
  ]
  for (const [name, args] of runs) {
    const {status, stdout, stderr} = await runCli(args)
    assert.equal(status, 0, stderr)
    if (name === 'first') assert.match(stdout, /^kernel /, '--output still prints the terminal report')
    else writeFileSync(saved[name], stdout)
    documents[name] = parseResult(readFileSync(saved[name], 'utf8'))
  }
})

function file(name: string): string {
  return path.join(dir, name)
}

const parseXml = (xml: string): any => new XMLParser({ignoreAttributes: false, attributeNamePrefix: ''}).parse(xml)

/** One file of github-action-benchmark's custom tools, judged by the schema of the action's own item type (test/schemas/README.md). */
const validateGithubBenchmark = new Ajv2020({strict: true}).compile<
  Array<{name: string; unit: string; value: number; range?: string; extra?: string}>
>(JSON.parse(readFileSync(new URL('../schemas/github-action-benchmark.schema.json', import.meta.url), 'utf8')))

/** promtool's verdict on an exposition: the empty string when it accepts it without lint findings. */
function promtoolFindings(exposition: string): string {
  const check = spawnSync('promtool', ['check', 'metrics'], {input: exposition, encoding: 'utf8'})
  assert.ok(!check.error, "promtool is not installed: install Debian's 'prometheus' package (scripts/setup.sh does)")
  return check.status === 0 ? `${check.stdout}${check.stderr}`.trim() : `exit ${check.status}: ${check.stdout}${check.stderr}`
}

describe('report: one saved result in every form', () => {
  test('every format renders the saved result and exits 0', async () => {
    for (const format of formatsFor('result').filter((name) => name !== 'github-benchmark')) {
      const {status, stdout, stderr} = await runCli(['report', saved.first, '--format', format])
      assert.equal(status, 0, `${format}: ${stderr}`)
      assert.ok(stdout.length > 100, `${format} printed ${stdout.length} characters`)
      assert.equal(stderr, '', format)
    }
  })

  test('terminal: the summary table, ratios, counters, histogram and kernel line, without colour when piped', async () => {
    const {stdout} = await runCli(['report', saved.first], {env: {NO_COLOR: ''}})
    assert.match(stdout, /^kernel \S+ \(.*\) · \d+ CPUs/)
    for (const text of [
      '│ system │',
      '│ loop ',
      '│ raw ',
      'loop vs raw:',
      'capacity stalls',
      'pending at the end',
      'loop latency distribution:',
    ]) {
      assert.ok(stdout.includes(text), text)
    }
    assert.doesNotMatch(stdout, /\x1b\[/)
  })

  test('json: the document itself, unchanged', async () => {
    const {stdout} = await runCli(['report', saved.first, '--format', 'json'])
    assert.deepEqual(parseResult(stdout), documents.first)
    const viaFlag = await runCli(['report', saved.first, '--json'])
    assert.deepEqual(JSON.parse(viaFlag.stdout), documents.first)
  })

  test('hgrm: one HdrHistogram distribution per series, whose rows give the p99 of the JSON', async () => {
    const output = file('latency.hgrm')
    const {status, stderr} = await runCli(['report', saved.first, '--output', output])
    assert.equal(status, 0, stderr)
    for (const system of documents.first.workloads[0].systems) {
      const text = readFileSync(file(`latency.nop.${system.system}.hgrm`), 'utf8')
      assert.match(
        text,
        /^# iouring-bench .*workload nop, system \w+,.*values in ns\n {7}Value {5}Percentile TotalCount 1\/\(1-Percentile\)\n\n/,
      )
      assert.match(text, /#\[Mean {4}=.*\n#\[Max {5}=.*Total count {4}= +20000\]\n#\[Buckets =/)
      const rows = text
        .split('\n')
        .filter((line) => /^\s+\d/.test(line))
        .map((line) => line.trim().split(/\s+/).map(Number))
      // The row at exactly 99%, as any .hgrm reader finds it.
      const p99Row = rows.find(([, percentile]) => percentile >= 0.99)!
      assert.equal(p99Row[1], 0.99)
      assert.equal(p99Row[0], system.latency.p99, system.system)
      // Rebuilt from its rows with hdr-histogram-js, the distribution has every op and the same p99.
      const rebuilt = hdr.build({bitBucketSize: 64, numberOfSignificantValueDigits: 3, highestTrackableValue: 2 ** 40})
      let counted = 0
      for (const [value, , total] of rows) {
        rebuilt.recordValueWithCount(value, total - counted)
        counted = total
      }
      assert.equal(rebuilt.totalCount, system.latency.count)
      assert.equal(rebuilt.getValueAtPercentile(99), system.latency.p99)
    }
  })

  test('markdown: a table per workload and the ratios', async () => {
    const {stdout} = await runCli(['report', saved.first, '--format', 'markdown'])
    assert.match(stdout, /^## iouring-bench on \S+, kernel /)
    assert.match(stdout, /^\| system \| ops\/s \| p50 \| p90 \| p99 \| p99\.9 \| p99\.99 \| max \| CPU\/op \| errors \|$/m)
    assert.match(stdout, /^\| loop \| [\d.]+ [kM]? ?\|/m)
    assert.match(stdout, /^- loop vs raw: /m)
  })

  test("github-benchmark: one file per tool, each an array of the action's items", async () => {
    const output = file('gab.json')
    const {status, stderr} = await runCli(['report', saved.first, '--format', 'github-benchmark', '--output', output])
    assert.equal(status, 0)
    assert.equal(stderr, `wrote ${file('gab.customBiggerIsBetter.json')}, ${file('gab.customSmallerIsBetter.json')}\n`)
    const bigger = JSON.parse(readFileSync(file('gab.customBiggerIsBetter.json'), 'utf8'))
    const smaller = JSON.parse(readFileSync(file('gab.customSmallerIsBetter.json'), 'utf8'))
    for (const list of [bigger, smaller]) assert.ok(validateGithubBenchmark(list), JSON.stringify(validateGithubBenchmark.errors))
    // The schema is a real judge: the one object holding both arrays that stdout used to print fails it.
    assert.equal(validateGithubBenchmark({customBiggerIsBetter: bigger, customSmallerIsBetter: smaller}), false)
    const [loop] = documents.first.workloads[0].systems
    assert.deepEqual(
      bigger.map((entry: {name: string}) => entry.name),
      ['nop/loop throughput', 'nop/raw throughput'],
    )
    assert.equal(bigger[0].value, loop.opsPerSec)
    assert.equal(smaller.find((entry: {name: string}) => entry.name === 'nop/loop p99 latency').value, loop.latency.p99)
  })

  test("bmf: Bencher's built-in throughput and latency measures, a measure per tail percentile", async () => {
    const {stdout} = await runCli(['report', saved.first, '--format', 'bmf'])
    const bmf = JSON.parse(stdout)
    const [loop] = documents.first.workloads[0].systems
    assert.deepEqual(Object.keys(bmf), ['nop/loop', 'nop/raw'])
    assert.deepEqual(bmf['nop/loop'].throughput, {value: loop.opsPerSec})
    assert.deepEqual(bmf['nop/loop'].latency, {value: loop.latency.p50, lower_value: loop.latency.min, upper_value: loop.latency.max})
    assert.deepEqual(bmf['nop/loop']['p99-latency'], {value: loop.latency.p99})
    for (const measures of Object.values<Record<string, object>>(bmf)) {
      for (const [slug, metric] of Object.entries(measures)) {
        assert.match(slug, /^[a-z0-9-]+$/)
        assert.deepEqual(
          Object.keys(metric).filter((key) => !['value', 'lower_value', 'upper_value'].includes(key)),
          [],
        )
      }
    }
  })

  test('junit: a suite per workload, a case per system, a failure for a system that errored', async () => {
    const failing = structuredClone(documents.first)
    failing.workloads[0].systems[1].error = {
      call: 'io_uring_setup',
      errno: 1,
      code: 'EPERM',
      detail: '',
      message: 'Operation not permitted (EPERM)',
      explanation: 'the kernel refused the ring',
    }
    const input = file('failing.json')
    writeFileSync(input, JSON.stringify(failing))
    const {status, stdout} = await runCli(['report', input, '--format', 'junit'])
    assert.equal(status, 0)
    assertValidJunit(stdout)
    const xml = parseXml(stdout)
    assert.equal(xml.testsuites.tests, '2')
    assert.equal(xml.testsuites.failures, '1')
    const suite = xml.testsuites.testsuite
    assert.equal(suite.name, 'nop')
    assert.deepEqual(
      suite.testcase.map((testcase: {name: string}) => testcase.name),
      ['loop', 'raw'],
    )
    assert.equal(suite.testcase[0].failure, undefined)
    assert.equal(suite.testcase[1].failure.message, 'the kernel refused the ring')
  })

  test('junit: a host and a workload named with markup and control characters give a file junit-10.xsd accepts', async () => {
    const hostile = structuredClone(documents.first)
    hostile.host.hostname = `build\u0007<&"'>`
    hostile.workloads[0].name = `nop <&"'>\u0001`
    const input = file('hostile.json')
    writeFileSync(input, JSON.stringify(hostile))
    const output = file('hostile.xml')
    const {status, stderr} = await runCli(['report', input, '--output', output])
    assert.equal(status, 0, stderr)
    const text = readFileSync(output, 'utf8')
    assertValidJunit(text)
    const {testsuites} = parseXml(text)
    assert.match(testsuites.name, /^iouring-bench on build\uFFFD<&"'>, kernel /)
    assert.equal(testsuites.testsuite.name, `nop <&"'>\uFFFD`)
  })

  test('prometheus: promtool check metrics accepts it; the loop counters, the gauge and the latency summary are there', async () => {
    const {stdout} = await runCli(['report', saved.first, '--format', 'prometheus'])
    assert.equal(promtoolFindings(stdout), '')
    // promtool is a real judge: it refuses a broken exposition.
    assert.match(
      promtoolFindings(stdout.replace('# TYPE iouring_bench_ops_total counter', '# TYPE iouring_bench_ops_total teapot')),
      /^exit [1-9]/,
    )

    const [loop] = documents.first.workloads[0].systems
    assert.match(stdout, /^# TYPE iouring_bench_loop_pending_operations gauge$/m)
    assert.match(stdout, /^# TYPE iouring_bench_loop_capacity_stalls_total counter$/m)
    assert.match(stdout, /^# TYPE iouring_bench_latency_seconds summary$/m)
    assert.ok(stdout.includes(`iouring_bench_loop_wakes_received_total{workload="nop",system="loop"} ${loop.counters.wakesReceived}\n`))
    assert.ok(stdout.includes(`iouring_bench_latency_seconds{workload="nop",system="loop",quantile="0.99"} ${loop.latency.p99 / 1e9}\n`))
    assert.ok(stdout.includes(`iouring_bench_latency_seconds_count{workload="nop",system="loop"} ${loop.latency.count}\n`))
  })

  test('--output FILE takes its form from the extension and still prints the terminal report', async () => {
    const output = file('report.md')
    const {status, stdout} = await runCli(['report', saved.first, '--output', output])
    assert.equal(status, 0)
    assert.match(stdout, /^kernel /)
    assert.match(readFileSync(output, 'utf8'), /^## iouring-bench/)
  })

  test('--json with --output prints only the JSON and writes the file', async () => {
    const output = file('with-json.prom')
    const {status, stdout, stderr} = await runCli(['report', saved.first, '--json', '--output', output])
    assert.equal(status, 0)
    assert.deepEqual(JSON.parse(stdout), documents.first)
    assert.equal(stderr, '')
    assert.match(readFileSync(output, 'utf8'), /^# HELP iouring_bench_info/)
  })

  test('with $GITHUB_STEP_SUMMARY set, the run appends its summary once; report rendering it again adds none', async () => {
    const summary = file('step-summary.md')
    writeFileSync(summary, '# earlier step\n')
    const env = {GITHUB_STEP_SUMMARY: summary}
    const result = file('summarised.json')
    const measured = await runCli(['bench', '--op', 'nop', '--ops', '2000', '--warmup', '0', '--output', result], {env})
    assert.equal(measured.status, 0, measured.stderr)
    for (const args of [['--format', 'markdown'], ['--json']]) {
      const {status, stderr} = await runCli(['report', result, ...args], {env})
      assert.equal(status, 0, stderr)
    }
    const text = readFileSync(summary, 'utf8')
    assert.ok(text.startsWith('# earlier step\n'))
    assert.equal(text.match(/^## iouring-bench on /gm)?.length, 1, text)
  })

  test('rendering needs no native addon: it works where the addon cannot load', async () => {
    for (const format of ['terminal', 'html', 'prometheus']) {
      const {status, stderr} = await runCli(['report', saved.first, '--format', format], {
        env: {IOURING_BENCH_NATIVE_DIR: path.join(dir, 'no-addon-here')},
      })
      assert.equal(status, 0, `${format}: ${stderr}`)
    }
    const bench = await runCli(['bench', '--ops', '10'], {env: {IOURING_BENCH_NATIVE_DIR: path.join(dir, 'no-addon-here')}})
    assert.equal(bench.status, 3, 'the same setting does keep bench from loading it')
  })

  test('- reads the result from standard input', () => {
    const stdout = execFileSync(
      process.execPath,
      [new URL('../../bin/run.js', import.meta.url).pathname, 'report', '-', '--format', 'bmf'],
      {
        input: readFileSync(saved.first),
        env: {...process.env, NO_COLOR: '1'},
        encoding: 'utf8',
      },
    )
    assert.ok(JSON.parse(stdout)['nop/loop'])
  })
})

describe('report: a shutdown drill and a stress-timeouts run read back', () => {
  const runs: Array<[string, string[], string]> = [
    ['shutdown-drill', ['shutdown-drill', '--rounds', '2'], 'shutdown-drill:'],
    ['stress-timeouts', ['stress-timeouts', '--duration', '300ms', '--op-timeout', '5ms', '--slack', '1s'], 'stress-timeouts'],
  ]
  for (const [name, args, heading] of runs) {
    test(`${name}: the terminal report, json unchanged, junit, and a form it has not refused in one line`, async () => {
      const file = path.join(dir, `${name}.json`)
      const saved = await runCli([...args, '--output', file])
      assert.equal(saved.status, 0, saved.stderr)
      const terminal = await runCli(['report', file])
      assert.equal(terminal.status, 0, terminal.stderr)
      assert.ok(terminal.stdout.includes(heading), terminal.stdout)
      const json = await runCli(['report', file, '--format', 'json'])
      assert.deepEqual(JSON.parse(json.stdout), JSON.parse(readFileSync(file, 'utf8')))
      const junit = await runCli(['report', file, '--format', 'junit'])
      assert.equal(junit.status, 0, junit.stderr)
      assertValidJunit(junit.stdout)
      const html = await runCli(['report', file, '--format', 'html'])
      assert.equal(html.status, 2)
      assert.match(
        html.stderr,
        /^Error: --format: 'html' is not allowed; a (shutdown drill|stress-timeouts run) renders as terminal, json, junit\n$/,
      )
      const merged = await runCli(['report', 'merge', file, file])
      assert.equal(merged.status, 2)
      assert.match(merged.stderr, /^Error: report merge: \S+ is a (shutdown drill|stress-timeouts run); merge takes results or probes/)
    })
  }
})

describe('report merge', () => {
  test('two runs: histograms add, so every op counts and the percentiles are those of all ops', async () => {
    const {status, stdout, stderr} = await runCli(['report', 'merge', saved.first, saved.second, '--json'])
    assert.equal(status, 0, stderr)
    const merged = parseResult(stdout)
    assert.deepEqual(
      merged.sources.map((source: {file: string}) => source.file),
      [saved.first, saved.second],
    )
    const [a, b] = [documents.first.workloads[0], documents.second.workloads[0]]
    merged.workloads[0].systems.forEach((system: any, i: number) => {
      const [x, y] = [a.systems[i], b.systems[i]]
      assert.equal(system.system, x.system)
      assert.equal(system.ops, x.ops + y.ops)
      assert.equal(system.latency.count, x.latency.count + y.latency.count)
      assert.equal(system.outcomes.expected, x.outcomes.expected + y.outcomes.expected)
      assert.equal(system.counters.sqesSubmitted, x.counters.sqesSubmitted + y.counters.sqesSubmitted)
      // The raw ring keeps no stall counters, so a merge makes none up.
      assert.deepEqual(Object.keys(system.counters), Object.keys(x.counters))
      if (system.system === 'loop') assert.equal(system.counters.stallNsMax, Math.max(x.counters.stallNsMax, y.counters.stallNsMax))
      assert.equal(system.elapsedNs, x.elapsedNs + y.elapsedNs)
      assert.equal(system.latency.min, Math.min(x.latency.min, y.latency.min))
      assert.equal(system.latency.max, Math.max(x.latency.max, y.latency.max))
      // The merged distribution is the two added bucket by bucket.
      const histogram = decodeHistogram(system.latency.histogram)
      const sum = newHistogram()
      sum.add(decodeHistogram(x.latency.histogram))
      sum.add(decodeHistogram(y.latency.histogram))
      assert.equal(histogram.totalCount, x.latency.count + y.latency.count)
      for (const [key, percentile] of [
        ['p50', 50],
        ['p90', 90],
        ['p99', 99],
        ['p999', 99.9],
        ['p9999', 99.99],
      ] as const) {
        assert.equal(system.latency[key], sum.getValueAtPercentile(percentile), key)
        assert.equal(histogram.getValueAtPercentile(percentile), sum.getValueAtPercentile(percentile), key)
      }
    })
    assert.equal(merged.workloads[0].ratios[0].baseline, 'raw')
  })

  test('a merged result merges again and renders like any result', async () => {
    const once = file('merged.json')
    assert.equal((await runCli(['report', 'merge', saved.first, saved.second, '--output', once])).status, 0)
    const again = await runCli(['report', 'merge', once, saved.first, saved.timer, '--json'])
    assert.equal(again.status, 0, again.stderr)
    const merged = parseResult(again.stdout)
    assert.equal(merged.sources.length, 4)
    assert.deepEqual(
      merged.workloads.map((workload: {name: string}) => workload.name),
      ['nop', 'timer'],
    )
    assert.equal(merged.workloads[0].systems[0].ops, 60000)
    const {status, stdout} = await runCli(['report', once])
    assert.equal(status, 0)
    assert.match(stdout, /^merged from 2 runs: hosts \S+ ×2; kernels /m)
  })

  test('runs of one --compare merge into one comparison over all their trials; a skipped configuration stays skipped', async () => {
    const compare = [
      'bench',
      '--op',
      'nop',
      '--depth',
      '8',
      '--duration',
      '50ms',
      '--warmup',
      '10ms',
      '--trials',
      '2',
      '--compare',
      'sqpoll=off,on',
      '--compare',
      'defer-taskrun=off,on',
    ]
    const runs = [file('compare-1.json'), file('compare-2.json')]
    for (const output of runs) {
      const run = await runCli([...compare, '--output', output])
      assert.equal(run.status, 0, run.stderr)
    }
    const {status, stdout, stderr} = await runCli(['report', 'merge', ...runs, '--json'])
    assert.equal(status, 0, stderr)
    const {comparison, workloads} = parseResult(stdout)
    assert.equal(comparison.trials, 4)
    assert.deepEqual(
      comparison.configurations.map((row: any) => [row.name, row.skipped?.replace(/:.*/, '')]),
      [
        ['sqpoll=off defer-taskrun=off', undefined],
        ['sqpoll=off defer-taskrun=on', undefined],
        ['sqpoll=on defer-taskrun=off', undefined],
        ['sqpoll=on defer-taskrun=on', 'not allowed'],
      ],
    )
    const [, second] = comparison.configurations
    const loopTrials = (name: string) =>
      workloads.find((workload: any) => workload.name === name).trials.map((trial: any) => trial.systems[0].opsPerSec)
    assert.equal(loopTrials('sqpoll=off defer-taskrun=on').length, 4)
    const ratio = second.versusReference.opsPerSec
    const medianOf = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b)
      return (sorted[1] + sorted[2]) / 2
    }
    assert.ok(
      Math.abs(ratio - medianOf(loopTrials('sqpoll=off defer-taskrun=on')) / medianOf(loopTrials('sqpoll=off defer-taskrun=off'))) < 1e-9,
    )
    // A run of something else beside them: no comparison, rather than one over part of the runs.
    const mixed = parseResult((await runCli(['report', 'merge', runs[0], saved.first, '--json'])).stdout)
    assert.equal(mixed.comparison, undefined)
  })

  test('runs of different specs under one name are refused, saying where they differ', async () => {
    const other = structuredClone(documents.second)
    other.workloads[0].spec.drive.depth = 16
    const input = file('deeper.json')
    writeFileSync(input, JSON.stringify(other))
    const {status, stdout, stderr} = await runCli(['report', 'merge', saved.first, input])
    assert.equal(status, 2)
    assert.equal(stdout, '')
    assert.equal(
      stderr,
      `Error: report merge: workload 'nop' is not the same in ${saved.first} and ${input} (drive.depth: 8 → 16); only runs of the same workload add up\n`,
    )
  })

  test('probes from many hosts: the fleet view by kernel and verdict', async () => {
    const {status, stdout, stderr} = await runCli(['report', 'merge', ...probeFiles])
    assert.equal(status, 0, stderr)
    assert.match(stdout, /^fleet: 7 hosts, 4 kernels$/m)
    const row = (release: string): string[] =>
      stdout
        .split('\n')
        .find((line) => line.includes(` ${release} `))!
        .split('│')
        .map((cell) => cell.trim())
        .filter(Boolean)
    assert.deepEqual(row('5.10.0-46-cloud-amd64'), ['5.10.0-46-cloud-amd64', '2', '2'])
    assert.match(
      stdout,
      /supported without single issuer \(2\): SINGLE_ISSUER\|DEFER_TASKRUN refused \(EINVAL\): .* this is 5\.10\.\d+ \(Debian\) — /,
    )
    assert.match(
      stdout,
      /unusable \(1\): kernel\.io_uring_disabled=2: io_uring is disabled for every process, root included — .*debian-6\.12-io_uring_disabled-2\.json/,
    )
    assert.match(stdout, /unusable \(1\): a seccomp filter .* makes io_uring_setup fail with EPERM.* — .*host-6\.18-seccomp-eperm\.json/)
    assert.match(stdout, /^ {2}5\.10\.0-46-cloud-amd64: --wake msg-ring --wake futex-op --single-issuer /m)
    assert.match(stdout, /^ {4}fix: as root, `sysctl -w kernel\.io_uring_disabled=0`/m)

    const json = await runCli(['report', 'merge', ...probeFiles, '--json'])
    const fleet = JSON.parse(json.stdout)
    assertMatchesSchema('fleet', fleet)
    assert.deepEqual(
      fleet.kernels.map((kernel: {release: string}) => kernel.release),
      ['5.10.0-46-cloud-amd64', '6.1.0-56-cloud-amd64', '6.12.118+deb13-cloud-amd64', '6.18.44-fc-v657'],
    )
    assert.deepEqual(fleet.kernels[0].verdicts, {'supported without single issuer': 2})
    assert.deepEqual(fleet.kernels[2].verdicts, {supported: 1, unusable: 1})
    assert.equal(fleet.hosts.length, 7)
    // Each kernel's group: what it lacks (flags failing on all its usable hosts), and the fix for what refuses io_uring.
    assert.ok(fleet.kernels[0].lacks.includes('--single-issuer'))
    assert.ok(fleet.kernels[1].lacks.includes('--wake futex-op'))
    assert.ok(!fleet.kernels[1].lacks.includes('--single-issuer'))
    const disabled = fleet.verdicts
      .find((verdict: {verdict: string}) => verdict.verdict === 'unusable')
      .reasons.find((reason: {reason: string}) => reason.reason.startsWith('kernel.io_uring_disabled=2'))
    assert.match(disabled.fix, /sysctl -w kernel\.io_uring_disabled=0/)
  })

  test("probe-kernel --json documents join the fleet view, with their host's name and their own verdict", async () => {
    const probed = await runCli(['probe-kernel', '--json'])
    assert.equal(probed.status, 0, probed.stderr)
    const here = file('here.probe.json')
    writeFileSync(here, probed.stdout)
    const document = JSON.parse(probed.stdout)
    const fleetFile = file('fleet.json')
    assert.equal((await runCli(['report', 'merge', ...probeFiles.slice(0, 2), '--output', fleetFile])).status, 0)
    const {status, stdout, stderr} = await runCli(['report', 'merge', fleetFile, here, '--json'])
    assert.equal(status, 0, stderr)
    const fleet = JSON.parse(stdout)
    assertMatchesSchema('fleet', fleet)
    assert.equal(fleet.hosts.length, 3)
    const host = fleet.hosts[2]
    assert.deepEqual(
      {source: host.source, hostname: host.hostname, kernel: host.kernel},
      {source: here, hostname: hostname(), kernel: {release: document.kernel.release, version: document.kernel.version}},
    )
    // This kernel runs the loop in both modes (the tests run the loop here).
    assert.equal(host.verdict, document.verdict.singleIssuer.met ? 'supported' : 'supported without single issuer')
    assert.equal(host.reason, document.verdict.singleIssuer.met ? document.verdict.loop.reason : document.verdict.singleIssuer.reason)
    const markdown = await runCli(['report', fleetFile, '--format', 'markdown'])
    assert.match(markdown.stdout, /^\| kernel \| hosts \|/m)
  })

  test('a raw probe and the probe-kernel document explaining it give the same fleet row', async () => {
    for (const raw of probeFiles) {
      const explained = await runCli(['probe-kernel', '--input', raw, '--json'])
      const documentFile = file(`${path.basename(raw, '.json')}.probe.json`)
      writeFileSync(documentFile, explained.stdout)
      const {stdout, stderr} = await runCli(['report', 'merge', raw, documentFile, '--json'])
      const [fromRaw, fromDocument] = JSON.parse(stdout).hosts
      assert.ok(fromRaw, stderr)
      // A document made from a file names no host, as the raw probe does not.
      assert.deepEqual({...fromDocument, source: raw}, fromRaw, raw)
    }
  })
})

describe('report: file and socket results (bytes, baselines without counters, a skipped baseline, kinds) in every form', () => {
  const QUICK = ['--duration', '300ms', '--warmup', '50ms', '--json']
  // fio is looked up on PATH (the CLI runs under this node binary): without it, its baseline is skipped.
  const NO_FIO = {PATH: '/nonexistent'}
  const read = file('file-read.json')
  const mix = file('socket-mix.json')
  const docs = {} as Record<'read' | 'mix', any>

  before(async () => {
    const runs: Array<['read' | 'mix', string, string[]]> = [
      ['read', read, ['bench', '--op', 'file-read', '--vs', 'raw,fio,node-fs', '--file-size', '8m', ...QUICK]],
      ['mix', mix, ['bench', '--op', 'mix', '--mix', 'socket=3,nop=1', '--vs', 'raw', ...QUICK]],
    ]
    for (const [name, output, args] of runs) {
      const {status, stdout, stderr} = await runCli(args, {env: NO_FIO})
      assert.equal(status, 0, stderr)
      docs[name] = parseResult(stdout)
      writeFileSync(output, stdout)
    }
  })

  test('every format renders both and exits 0', async () => {
    for (const input of [read, mix]) {
      for (const format of formatsFor('result').filter((name) => name !== 'github-benchmark')) {
        const {status, stdout, stderr} = await runCli(['report', input, '--format', format])
        assert.equal(status, 0, `${format}: ${stderr}`)
        assert.equal(stderr, '', format)
        assert.ok(stdout.length > 100, `${format} printed ${stdout.length} characters`)
      }
    }
  })

  test('terminal, Markdown and HTML show the same file, throughput, CPU split, baseline settings and kinds', async () => {
    const render = async (format: string): Promise<{stdout: string}> => {
      const outputs = await Promise.all([read, mix].map((input) => runCli(['report', input, '--format', format])))
      return {stdout: outputs.map((output) => output.stdout).join('\n')}
    }
    const forms = await Promise.all(['terminal', 'markdown', 'html'].map(render))
    const {file: testFile} = docs.read.workloads[0]
    const cpu = docs.read.workloads[0].systems[0].cpu
    for (const {stdout} of forms) {
      const text = stdout.replace(/&#39;/g, "'")
      for (const expected of [
        `file: ${testFile.path} (${testFile.filesystem}, 8 MiB, laid out by the tool, removed after the run; page cache: `,
        'throughput',
        'MiB/s',
        'CPU per op (user + system): loop ',
        'node-fs: node=v',
        'loop vs node-fs: ',
        'p99.9 ',
        'CPU/op ',
        'socket',
        'nop',
      ]) {
        assert.ok(text.includes(expected), `${expected} in\n${text}`)
      }
      assert.ok(cpu.userNsPerOp + cpu.systemNsPerOp > 0)
    }
    const [terminal, markdown, html] = forms.map(({stdout}) => stdout)
    assert.match(terminal, /^per kind:\n/m)
    assert.match(terminal, /^│ loop +│ socket │/m)
    assert.match(markdown, /^\| loop \| socket \| [\d.]+ k? ?\| [\d.]+ [KMG]iB\/s \|/m)
    assert.match(html, /<h3>Per kind<\/h3>\n<div class="scroll"><table class="kinds">/)
  })

  test('a baseline that did not run is marked skipped with its reason, and is never a number', async () => {
    const reason = 'fio not found: apt-get install fio'
    const [workload] = docs.read.workloads
    assert.deepEqual(workload.skipped, [{system: 'fio', reason}])
    assert.deepEqual(
      workload.systems.map((system: {system: string}) => system.system),
      ['loop', 'raw', 'node-fs'],
    )
    assert.deepEqual(workload.trials[0].skipped, [{system: 'fio', reason}])
    const form = async (format: FormatName): Promise<Rendering> => render(docs.read, format, {color: false, width: 100})

    const junit = (await form('junit')).text!
    assertValidJunit(junit)
    const {testsuite} = parseXml(junit).testsuites
    assert.equal(testsuite.skipped, '1')
    assert.deepEqual(testsuite.testcase.find((testcase: {name: string}) => testcase.name === 'fio').skipped, {message: reason})
    assert.match(junit, /<skipped message="fio not found: apt-get install fio"\/>/)
    for (const format of ['terminal', 'markdown', 'html'] as const)
      assert.ok((await form(format)).text!.includes(`skipped: ${reason}`), format)

    assert.doesNotMatch((await form('prometheus')).text!, /system="fio"/)
    assert.deepEqual(Object.keys(JSON.parse((await form('bmf')).text!)), ['file-read/loop', 'file-read/raw', 'file-read/node-fs'])
    const parts = (await form('github-benchmark')).parts!
    assert.deepEqual(
      parts.map((part) => part.name),
      ['customBiggerIsBetter', 'customSmallerIsBetter'],
    )
    for (const part of parts) {
      const entries = JSON.parse(part.text)
      assert.ok(validateGithubBenchmark(entries), JSON.stringify(validateGithubBenchmark.errors))
      assert.ok(!entries.some((entry) => entry.name.includes('/fio ')), part.name)
    }
  })

  test('a result saved by 0.1.0, with a skipped baseline kept as a system of 0 ops, still loads, its baseline listed as skipped', async () => {
    // The form 0.1.0 wrote: the skipped baseline inside systems, in the workload and in each trial.
    const old = JSON.parse(readFileSync(read, 'utf8'))
    const asOld = (holder: any): void => {
      const [{system, reason}] = holder.skipped
      holder.systems.push({...structuredClone(holder.systems[0]), system, skipped: reason, ops: 0, opsPerSec: 0, counters: {}})
      delete holder.skipped
    }
    asOld(old.workloads[0])
    asOld(old.workloads[0].trials[0])
    const saved = file('saved-by-0.1.0.json')
    writeFileSync(saved, JSON.stringify(old))
    const {status, stdout, stderr} = await runCli(['report', saved, '--format', 'json'])
    assert.equal(status, 0, stderr)
    const [workload] = parseResult(stdout).workloads
    assert.deepEqual(workload.skipped, docs.read.workloads[0].skipped)
    assert.deepEqual(workload.trials[0].skipped, docs.read.workloads[0].trials[0].skipped)
    assert.deepEqual(
      workload.systems.map((system: {system: string}) => system.system),
      ['loop', 'raw', 'node-fs'],
    )
  })

  test('prometheus: promtool accepts it; each system has only the counters it keeps (node-fs none, the raw ring nine)', async () => {
    const {stdout} = await runCli(['report', read, '--format', 'prometheus'])
    assert.equal(promtoolFindings(stdout), '')
    assert.match(stdout, /^iouring_bench_throughput_ops_per_second\{workload="file-read",system="node-fs"\} [\d.e+]+$/m)
    assert.match(stdout, /^iouring_bench_loop_sleeps_total\{workload="file-read",system="loop"\} \d+$/m)
    assert.doesNotMatch(stdout, /^iouring_bench_loop_\w+\{[^}]*system="node-fs"/m)
    const rawCounters = [...stdout.matchAll(/^iouring_bench_loop_(\w+)\{[^}]*system="raw"\}/gm)].map((match) => match[1])
    assert.deepEqual(rawCounters, [
      'ops_completed_total',
      'timeouts_fired_total',
      'timeout_cqes_total',
      'zc_notifications_total',
      'zc_copied_total',
      'multishot_results_total',
      'multishot_no_buffers_total',
      'enter_calls_total',
      'sqes_submitted_total',
    ])
    assert.deepEqual(Object.keys(docs.read.workloads[0].systems[1].counters), [
      'opsCompleted',
      'timeoutsFired',
      'timeoutCqes',
      'zcNotifications',
      'zcCopied',
      'multishotResults',
      'multishotNoBuffers',
      'enterCalls',
      'sqesSubmitted',
    ])
  })

  test('bmf and github-benchmark: bytes per second where bytes move, capacity stalls only where there are loop counters', async () => {
    const bmf = JSON.parse((await runCli(['report', read, '--format', 'bmf'])).stdout)
    assert.deepEqual(Object.keys(bmf), ['file-read/loop', 'file-read/raw', 'file-read/node-fs'])
    for (const [name, measures] of Object.entries<Record<string, {value: number}>>(bmf)) {
      for (const [measure, metric] of Object.entries(measures)) assert.equal(typeof metric.value, 'number', `${name} ${measure}`)
      assert.ok(measures['bytes-per-second'].value > 0, name)
      assert.equal('capacity-stalls' in measures, name === 'file-read/loop', name)
    }
    assert.equal((await runCli(['report', read, '--format', 'github-benchmark', '--output', file('read.json')])).status, 0)
    const bigger = JSON.parse(readFileSync(file('read.customBiggerIsBetter.json'), 'utf8'))
    assert.ok(
      bigger.some((entry: {name: string; unit: string}) => entry.name === 'file-read/node-fs bytes per second' && entry.unit === 'B/s'),
    )
  })

  test('merge adds up bytes and kinds, and keeps the file and the baseline settings', async () => {
    const merged = await runCli(['report', 'merge', read, read, mix, mix, '--json'])
    assert.equal(merged.status, 0, merged.stderr)
    const document = parseResult(merged.stdout)
    const [readBack, mixBack] = document.workloads
    const system = (workload: any, name: string) => workload.systems.find((s: any) => s.system === name)
    assert.equal(system(readBack, 'loop').bytes, 2 * system(docs.read.workloads[0], 'loop').bytes)
    assert.deepEqual(readBack.file, docs.read.workloads[0].file)
    assert.deepEqual(system(readBack, 'node-fs').info, system(docs.read.workloads[0], 'node-fs').info)
    assert.deepEqual(system(readBack, 'node-fs').counters, {})
    const kinds = (workload: any) => system(workload, 'loop').kinds.map((kind: any) => [kind.kind, kind.ops])
    assert.deepEqual(
      kinds(mixBack),
      kinds(docs.mix.workloads[0]).map(([kind, ops]: [string, number]) => [kind, 2 * ops]),
    )
  })
})

describe('report: bad input gets one line and exit status 2', () => {
  const result = (): any => structuredClone(documents.first)
  const inputs: Array<[string, string, () => string | object, RegExp]> = [
    [
      'a file that is not JSON',
      'notes.txt',
      () => 'p99 was fine\n',
      /^Error: \S+notes\.txt: not JSON \(.*\); give a result saved by bench or run \(with --json, --output FILE\.json or --save-baseline\)$/,
    ],
    [
      'JSON that is not a result',
      'other.json',
      () => ({name: 'something else'}),
      /^Error: \S+other\.json: not an iouring-bench result \(it has no 'kind'\); give a result saved by bench or run/,
    ],
    [
      'a document of another kind',
      'kind.json',
      () => ({...result(), kind: 'hyperfine/export'}),
      /^Error: \S+kind\.json: kind "hyperfine\/export" is not allowed; give a result saved by bench or run/,
    ],
    [
      'a result of a newer schema version',
      'newer.json',
      () => ({...result(), schemaVersion: 2}),
      /^Error: \S+newer\.json: schemaVersion 2 is not allowed; this iouring-bench reads iouring-bench\/result up to schemaVersion 1, so a newer iouring-bench wrote it: upgrade to read it$/,
    ],
    [
      'a result that breaks the schema',
      'broken.json',
      () => {
        const d = result()
        delete d.workloads[0].systems[0].latency.histogram
        return d
      },
      /^Error: \S+broken\.json: \/workloads\/0\/systems\/0\/latency: the field 'histogram' is missing; it does not match schemas\/result\.schema\.json$/,
    ],
    [
      'a probe document that breaks its schema',
      'probe.json',
      () => ({kind: 'iouring-bench/probe', schemaVersion: 1, kernel: {release: '6.8.0'}}),
      /^Error: \S+probe\.json: \(top level\): the field '\w+' is missing; it does not match schemas\/probe\.schema\.json$/,
    ],
    [
      'a raw probe of a newer format',
      'raw.json',
      () => ({rawProbeVersion: 9}),
      /^Error: \S+raw\.json: rawProbeVersion 9 is not allowed; this iouring-bench reads raw probes up to rawProbeVersion 1, so a newer iouring-bench wrote it: upgrade to read it$/,
    ],
  ]
  for (const [what, name, content, message] of inputs) {
    test(what, async () => {
      const input = file(name)
      const data = content()
      writeFileSync(input, typeof data === 'string' ? data : JSON.stringify(data))
      const {status, stdout, stderr} = await runCli(['report', input])
      assert.equal(status, 2, stderr)
      assert.equal(lines(stderr).length, 1, stderr)
      assert.match(stderr.trim(), message)
      assert.equal(stdout, '')
    })
  }

  const usages: Array<[string, () => string[], RegExp]> = [
    [
      'an unknown format',
      () => [saved.first, '--format', 'pdf'],
      /^Error: --format: 'pdf' is not allowed; use one of: terminal, json, hgrm, html, markdown, github-benchmark, bmf, junit, prometheus, nfd$/,
    ],
    ['a missing file', () => [file('nosuch.json')], /^Error: \S+nosuch\.json: no such file; give a result saved by bench or run/],
    ['a directory', () => [dir], /^Error: \S+: is a directory; give a result saved by bench or run/],
    [
      'an --output whose extension names no format',
      () => [saved.first, '--output', file('report.dat')],
      /^Error: --output: '\S+report\.dat' is not allowed; name its form with --format, or end the file name with \.txt, \.json, \.hgrm, \.html, \.htm, \.md, \.xml, \.prom$/,
    ],
    [
      'an --output in a directory that does not exist',
      () => [saved.first, '--output', file('no/such/dir/r.html')],
      /^Error: --output: \S+r\.html cannot be written \(\S+dir is not a writable directory\); give a path in an existing directory you can write to$/,
    ],
    [
      'a result-only format for a fleet view',
      () => [probeFiles[0], '--format', 'hgrm'],
      /^Error: --format: 'hgrm' is not allowed; a fleet view renders as terminal, json, html, markdown$/,
    ],
    [
      'github-benchmark to stdout, which its action cannot read',
      () => [saved.first, '--format', 'github-benchmark'],
      /^Error: --format: 'github-benchmark' is not allowed; github-action-benchmark reads one file per tool: add --output FILE\.json to write FILE\.customBiggerIsBetter\.json and FILE\.customSmallerIsBetter\.json$/,
    ],
  ]
  for (const [what, args, message] of usages) {
    test(what, async () => {
      const {status, stdout, stderr} = await runCli(['report', ...args()])
      assert.equal(status, 2, stderr)
      assert.equal(lines(stderr).length, 1, stderr)
      assert.match(stderr.trim(), message)
      assert.equal(stdout, '')
    })
  }

  test('with --json a bad input is one JSON error on stdout', async () => {
    const {status, stdout} = await runCli(['report', file('nosuch.json'), '--json'])
    assert.equal(status, 2)
    const {error} = JSON.parse(stdout)
    assert.equal(error.code, 'E_USAGE')
    assert.match(error.message, /nosuch\.json: no such file/)
  })

  test('--format other than json with --json and no --output', async () => {
    const {status, stdout} = await runCli(['report', saved.first, '--json', '--format', 'html'])
    assert.equal(status, 2)
    assert.match(JSON.parse(stdout).error.message, /^--format: 'html' is not allowed; --json prints the JSON document; add --output FILE/)
  })

  test('merging a result with a probe', async () => {
    const {status, stderr} = await runCli(['report', 'merge', saved.first, probeFiles[0]])
    assert.equal(status, 2)
    assert.match(
      stderr,
      /^Error: report merge: \S+first\.json is a result and \S+ is not; merge results with results, probes with probes\n$/,
    )
  })
})
