// The settings table is the one source of the workload flags, labels, range checks, the profile
// schema and the native request: these fail when something made from it drifts.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {test} from 'node:test'

import {nativeRequest} from '../../src/bench/run.ts'
import {ADAPTIVE_MAX_SPIN_NS, parseWait, waitInput} from '../../src/bench/spec.ts'
import {UsageError} from '../../src/errors.ts'
import {checkDrillOptions, nativeDrillRequest} from '../../src/drill/shutdown-drill.ts'
import {
  benchRequestFields,
  drillRequestFields,
  type NativeBenchRequest,
  type NativeDrillRequest,
  runBench,
  runShutdownDrill,
} from '../../src/native/addon.ts'
import {workloadFlag} from '../../src/settings/flags.ts'
import {profileSchemaText} from '../../src/settings/profile-schema.ts'
import {flagLabels, nativeRequestFields, profileLabels, type Setting, type SettingKey, SETTINGS} from '../../src/settings/table.ts'
import {toWorkloadSpec, type WorkloadInput} from '../../src/settings/workload.ts'
import type {TestFile} from '../../src/bench/test-file.ts'

const FLAGS = flagLabels()

function refusal(input: Omit<WorkloadInput, 'name'>, labels = FLAGS): string {
  try {
    toWorkloadSpec({name: 'w', ...input}, labels)
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`)
    return error.message
  }
  assert.fail('the input was accepted')
}

test('every setting has one key, one flag and one native field', () => {
  const unique = (values: string[]): void => assert.equal(new Set(values).size, values.length, values.join(', '))
  unique(SETTINGS.map((row) => row.key))
  unique(SETTINGS.map((row) => row.flag))
  unique(nativeRequestFields())
  for (const row of SETTINGS as readonly Setting[]) {
    // The flag is the profile key written the command-line way.
    assert.equal(
      row.flag,
      row.key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
    )
    if (row.type === 'enum' || row.type === 'list' || row.type === 'mix') assert.ok(row.values?.length, `${row.key} lists its values`)
  }
})

// shutdown-drill's --mix is a list of drill kinds, not the weighted mix of a workload.
const NOT_THE_SETTING = new Set(['shutdown-drill --mix'])

test('every command takes a setting as a flag from its row: its name, parse and help value', async () => {
  const commands = new URL('../../src/commands/', import.meta.url)
  for (const file of readdirSync(commands).filter((name) => name.endsWith('.ts'))) {
    const id = file.replace(/\.ts$/, '')
    const command = (await import(new URL(file, commands).href)).default as {
      flags?: Record<string, {parse?: unknown; type: string; helpValue?: unknown}>
    }
    const source = readFileSync(new URL(file, commands), 'utf8')
    const definitions = /static override flags = [^\n]*(\n {4}.*)*/.exec(source)?.[0] ?? ''
    for (const row of SETTINGS as readonly Setting[]) {
      const flag = command.flags?.[row.flag]
      if (!flag || NOT_THE_SETTING.has(`${id} --${row.flag}`)) continue
      // A hand-written flag may parse alike (durationFlag is durationFlag), so its definition is read too.
      const handWritten = new RegExp(`^\\s*'?${row.flag}'?: (?!workloadFlag\\('${row.key}')\\w+\\(`, 'm')
      assert.doesNotMatch(definitions, handWritten, `${id} --${row.flag} comes from workloadFlag('${row.key}')`)
      const forms = [workloadFlag(row.key as SettingKey), workloadFlag(row.key as SettingKey, {orNone: false})]
      // oclif makes a new parse for every string or boolean flag, alike in text.
      const made = forms.find((form) => String(form.parse) === String(flag.parse))
      assert.ok(made, `${id} --${row.flag} parses as its row says`)
      assert.equal(flag.type, made.type, `${id} --${row.flag}`)
      assert.equal(flag.helpValue, made.helpValue, `${id} --${row.flag}`)
    }
  }
})

test('labels name a setting by its flag, or by its place in a profile', () => {
  assert.equal(FLAGS.submitBatch, '--submit-batch')
  assert.equal(FLAGS.spin, '--spin')
  const inProfile = profileLabels((key) => `p.yaml:7: workloads[0].${key}`)
  assert.equal(inProfile.submitBatch, 'p.yaml:7: workloads[0].submitBatch')
  assert.equal(
    refusal({op: 'nop', submitBatch: 40000}, inProfile),
    'p.yaml:7: workloads[0].submitBatch: 40000 is not allowed; use a whole number from 1 to 32768',
  )
  // 0 is below the range, not "unset": it once passed as no batch limit at all.
  assert.equal(
    refusal({op: 'nop', submitBatch: 0}, inProfile),
    'p.yaml:7: workloads[0].submitBatch: 0 is not allowed; use a whole number from 1 to 32768',
  )
})

test('--wait reads sleep, spin=DUR and adaptive[=MAX]; --spin DUR is its shorthand', () => {
  const wait = (given: string) => parseWait(given, '--wait')
  assert.deepEqual(wait('sleep'), {kind: 'sleep', spinNs: 0})
  assert.deepEqual(wait('spin=50us'), {kind: 'spin', spinNs: 50_000})
  assert.deepEqual(wait(' spin = 2ms '), {kind: 'spin', spinNs: 2e6})
  assert.deepEqual(wait('adaptive'), {kind: 'adaptive', spinNs: ADAPTIVE_MAX_SPIN_NS})
  assert.deepEqual(wait('adaptive=300us'), {kind: 'adaptive', spinNs: 300_000})
  for (const given of ['sleep', 'spin=50µs', 'adaptive', 'adaptive=300µs']) assert.equal(waitInput(wait(given)), given)
  const allowed = 'use sleep, spin=DUR (e.g. spin=50us) or adaptive (adaptive=MAX caps its budget, 100µs by default)'
  for (const given of ['spin', 'nap', 'sleep=1ms', 'spin=50', 'spin=fast', 'spin=1us=2us', '']) {
    assert.throws(() => wait(given), {message: `--wait: '${given}' is not allowed; ${allowed}`})
  }
  assert.throws(() => wait('spin=0s'), {message: /^--wait: 'spin=0s' is not allowed; spin takes a duration above 0 and at most 1s/})
  assert.throws(() => wait('adaptive=2s'), {message: /^--wait: 'adaptive=2s' is not allowed; adaptive takes a duration above 0/})

  const loopOf = (input: Omit<WorkloadInput, 'name'>) => toWorkloadSpec({name: 'w', op: 'nop', ...input}, FLAGS).loop
  assert.deepEqual(loopOf({}).wait, {kind: 'adaptive', spinNs: ADAPTIVE_MAX_SPIN_NS})
  assert.deepEqual(loopOf({spin: 50_000}).wait, {kind: 'spin', spinNs: 50_000})
  assert.deepEqual(loopOf({spin: 0}).wait, {kind: 'sleep', spinNs: 0})
  assert.deepEqual(loopOf({wait: {kind: 'adaptive', spinNs: 1000}}).wait, {kind: 'adaptive', spinNs: 1000})
  assert.equal(
    refusal({op: 'nop', spin: 50_000, wait: {kind: 'sleep', spinNs: 0}}),
    "--spin: '50µs' is not allowed; it is shorthand for --wait spin=DUR: give one of them",
  )
})

test('range checks come from the table', () => {
  for (const row of SETTINGS as readonly Setting[]) {
    // --sqpoll-cpu's maximum is this machine's last CPU (test/commands/bench.test.ts).
    if (row.type !== 'int' || row.max === undefined || row.max === Number.MAX_SAFE_INTEGER || row.key === 'connections') continue
    const op = row.group === 'FILE' ? 'file-write' : row.group === 'SOCKET' ? 'socket' : 'nop'
    const extra = row.key === 'writevBuffers' ? {blockSize: 1024 ** 2 * 4} : row.key === 'recvBuffers' ? {multishotRecv: true} : {}
    const tooMany = row.max + 1
    assert.match(
      refusal({op, ...extra, [row.key]: tooMany}),
      new RegExp(`^--${row.flag}: ${tooMany} is not allowed; use a whole number from ${row.min} to ${row.max}`),
    )
  }
  assert.equal(
    refusal({op: 'nop', ringSize: 32768, opTimeout: 1e9}),
    '--ring-size: 32768 is not allowed; use a whole number from 1 to 16384 ' +
      '(with an op timeout each op takes two SQ entries, so the kernel maximum of 32768 allows 16384)',
  )
})

test('unset settings take the table defaults', () => {
  const spec = toWorkloadSpec({name: 'w', op: 'socket'}, FLAGS)
  assert.equal(spec.drive.durationNs, 2e9)
  assert.equal(spec.drive.warmupNs, 200e6)
  assert.equal(spec.drive.submitters, 1)
  assert.deepEqual(spec.vs, ['raw'])
  assert.deepEqual(spec.socket, {transport: 'unix', messageSize: 4096})
})

test('the committed profile schema is the one the table makes (npm run build:ts writes it)', () => {
  const committed = readFileSync(new URL('../../schemas/profile.schema.json', import.meta.url), 'utf8')
  assert.equal(committed, profileSchemaText(), 'schemas/profile.schema.json drifted from src/settings/table.ts: run npm run build:ts')
})

test('the addon reads exactly the native fields the table and the run send', () => {
  const addon = benchRequestFields()
  assert.deepEqual([...nativeRequestFields()].sort(), [...addon].sort())

  // What nativeRequest sends for a workload with every part: a file, a socket, a mix.
  const spec = toWorkloadSpec(
    {
      name: 'w',
      op: 'mix',
      mix: [
        {op: 'file-read', weight: 1},
        {op: 'socket', weight: 1},
      ],
    },
    FLAGS,
  )
  const file = {path: '/tmp/x', sizeBytes: 4096, createdByTool: true} as TestFile
  const request = nativeRequest(spec, 'loop', file) as unknown as Record<string, Record<string, unknown>>
  const sent = Object.entries(request).flatMap(([group, value]) =>
    group === 'loop' || group === 'workload' || group === 'drive' ? Object.keys(value).map((name) => `${group}.${name}`) : [group],
  )
  const nested = ['file', 'socket'].flatMap((part) => Object.keys(request.workload[part] as object).map((name) => `${part}.${name}`))
  assert.deepEqual([...sent, ...nested].sort(), [...addon].sort())
})

test('nativeRequest sends each setting from the workload and the file the run resolved', () => {
  const input: WorkloadInput = {
    name: 'w',
    op: 'mix',
    mix: [
      {op: 'file-write', weight: 3},
      {op: 'socket', weight: 1},
    ],
    timer: 5000,
    ringSize: 64,
    opTimeout: 5e6,
    shutdownTimeout: 1e9,
    spin: 1000,
    singleIssuer: true,
    submitters: 2,
    design: 'cross-thread',
    depth: 8,
    ops: 100,
    warmup: 0,
    blockSize: 8192,
    random: true,
    fsyncEvery: 3,
    writevBuffers: 2,
    transport: 'tcp',
    messageSize: 100,
    rate: 1000,
    arrivals: 'poisson',
    submitBatch: 4,
    wake: 'futex',
    submitAll: true,
    sqpoll: true,
    sqpollIdle: 5e6,
    sqpollCpu: 0,
    cqSize: 256,
    noSqarray: true,
    ringFd: true,
    fixedFiles: true,
    sendZc: true,
  }
  const spec = {...toWorkloadSpec(input, FLAGS), seed: 7}
  const file = {path: '/tmp/x', sizeBytes: 8192, createdByTool: true} as TestFile
  assert.deepEqual(nativeRequest(spec, 'raw', file), {
    system: 'raw',
    loop: {
      size: 64,
      ioPoll: false,
      singleIssuer: true,
      opTimeoutNs: 5e6,
      shutdownTimeoutNs: 1e9,
      wait: {kind: 'spin', spinNs: 1000},
      submitBatch: 4,
      wake: 'futex',
      deferTaskrun: false,
      coopTaskrun: false,
      taskrunFlag: false,
      sqpoll: true,
      sqThreadIdleNs: 5e6,
      sqThreadCpu: 0,
      cqEntries: 256,
      submitAll: true,
      noSqarray: true,
      registerRingFd: true,
    },
    workload: {
      op: 'nop',
      mix: input.mix,
      timerNs: 5000,
      seed: 7,
      // No multishot receive: null, the native default (a RECV per message).
      socket: {transport: 'tcp', messageSize: 100, sendZc: true, recvBuffers: null, recvBufferSize: null},
      file: {
        path: '/tmp/x',
        sizeBytes: 8192,
        blockSize: 8192,
        random: true,
        direct: false,
        fsyncEvery: 3,
        writevBuffers: 2,
        verify: true,
        fixedFiles: true,
        // WRITEV has no fixed-buffer form, so this mix leaves them out (null: the native default).
        fixedBuffers: null,
      },
    },
    drive: {
      submitters: 2,
      depth: 8,
      durationNs: 0,
      ops: 100,
      warmupNs: 0,
      rate: 1000,
      arrivals: 'poisson',
      design: 'cross-thread',
      idleNs: null,
    },
    progressIntervalMs: 20,
  })
  // Unset settings are null (the native default holds), except the wake and wait, which the spec
  // records as it ran them; parts the workload lacks are null.
  const nop = nativeRequest(toWorkloadSpec({name: 'w', op: 'nop'}, FLAGS), 'loop', file)
  assert.deepEqual(
    [nop.loop.opTimeoutNs, nop.loop.submitBatch, nop.drive.rate, nop.workload.mix, nop.workload.file, nop.workload.socket],
    [null, null, null, null, null, null],
  )
  assert.deepEqual([nop.loop.wait, nop.loop.wake], [{kind: 'adaptive', spinNs: ADAPTIVE_MAX_SPIN_NS}, 'futex'])
  const sameThread = nativeRequest(toWorkloadSpec({name: 'w', op: 'nop', design: 'same-thread'}, FLAGS), 'loop', file)
  assert.equal(sameThread.loop.wake, null)
})

test('the addon refuses a request with a field missing or unknown, naming it', () => {
  const request = nativeRequest(toWorkloadSpec({name: 'w', op: 'nop', ops: 1}, FLAGS), 'loop')
  const loop: Partial<NativeBenchRequest['loop']> = {...request.loop}
  delete loop.submitBatch
  assert.throws(
    () => runBench({...request, loop} as NativeBenchRequest),
    /^TypeError: internal error: the bench request lacks loop\.submitBatch$/,
  )
  assert.throws(
    () => runBench({...request, drive: {...request.drive, spin: 1}} as NativeBenchRequest),
    /^TypeError: internal error: the bench request has an unknown field drive\.spin$/,
  )
  assert.throws(
    () => runBench({...request, loop: {...request.loop, wake: 'doorbell'}} as unknown as NativeBenchRequest),
    /^TypeError: internal error: the bench request's loop\.wake 'doorbell' is not a wake mechanism$/,
  )
})

// The drill's request is complete like the bench's: what the drill sends is what the addon reads.
const DRILL_OPTIONS = checkDrillOptions(
  {rounds: 1, seed: 1, ringSize: 4, submitters: 1, shutdownTimeoutsNs: [null], opTimeoutNs: null, ops: ['nop'], roundDeadlineNs: 1e9},
  {...FLAGS, rounds: '--rounds', seed: '--seed', ops: '--mix', roundDeadline: '--round-deadline'},
)

test('the addon reads exactly the fields the drill sends', () => {
  assert.deepEqual(Object.keys(nativeDrillRequest(DRILL_OPTIONS, '/tmp')).sort(), [...drillRequestFields()].sort())
})

test('the addon refuses a drill request with a field missing or unknown, naming it', () => {
  const request: Partial<NativeDrillRequest> = nativeDrillRequest(DRILL_OPTIONS, '/tmp')
  delete request.maxTimerNs
  assert.throws(() => runShutdownDrill(request as NativeDrillRequest), /^TypeError: internal error: the drill request lacks maxTimerNs$/)
  assert.throws(
    () => runShutdownDrill({...nativeDrillRequest(DRILL_OPTIONS, '/tmp'), spin: 1} as NativeDrillRequest),
    /^TypeError: internal error: the drill request has an unknown field spin$/,
  )
})
