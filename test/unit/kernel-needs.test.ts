// The settings table's `needs`: what a flag, or one value of an enum flag, needs of the kernel,
// judged from real probes (test/fixtures/raw-probe/) before a run, and listed by probe-kernel.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {describe, test} from 'node:test'

import {unmetNeed} from '../../src/bench/kernel-needs.ts'
import type {RawProbe} from '../../src/model/native.ts'
import type {ProbeEvaluation} from '../../src/model/probe.ts'
import type {WorkloadSpec} from '../../src/model/workload.ts'
import {assessNeed, evaluateProbe} from '../../src/probe/evaluate.ts'
import {FEATURES, OPCODES, REGISTER_OPS, sectionOf, SETUP_FLAGS} from '../../src/probe/kernel-table.ts'
import {checkRequirements, resolveRequirements} from '../../src/probe/requirements.ts'
import {flagNeeds, needsOf} from '../../src/settings/needs.ts'
import {flagLabels, type Setting, SETTINGS} from '../../src/settings/table.ts'
import {toWorkloadSpec} from '../../src/settings/workload.ts'

function probe(name: string): ProbeEvaluation {
  const url = new URL(`../fixtures/raw-probe/${name}.json`, import.meta.url)
  return evaluateProbe(JSON.parse(readFileSync(url, 'utf8')) as RawProbe)
}

const DEBIAN_510 = probe('debian-5.10')
const DEBIAN_612 = probe('debian-6.12')
const HOST_618 = probe('host-6.18')

function workload(input: Record<string, unknown> = {}, name = 'w'): WorkloadSpec {
  return toWorkloadSpec({name, ...input}, flagLabels())
}

/**
 * The table with a synthetic --wake row (in place of the real one, if any) with a need per value;
 * `chosen` is its value in every workload.
 */
function wakeRows(chosen: string): Setting[] {
  const row: Setting = {
    key: 'wake',
    flag: 'wake',
    type: 'enum',
    values: ['eventfd', 'msg-ring', 'futex-op'],
    help: 'how a submitter wakes the loop',
    needs: {'msg-ring': 'MSG_RING', 'futex-op': ['FUTEX_WAIT', 'FUTEX_WAKE']},
    native: 'loop.wake',
    fromSpec: () => chosen,
  }
  return [...(SETTINGS as readonly Setting[]).filter((candidate) => candidate.key !== 'wake'), row]
}

describe('needs per flag and per value', () => {
  test('every name a row needs is in src/probe/kernel-table.json, and every value it names is one of the row', () => {
    for (const row of SETTINGS as readonly Setting[]) {
      if (row.needs === undefined) continue
      const perValue = typeof row.needs === 'object' && !Array.isArray(row.needs)
      if (perValue) for (const value of Object.keys(row.needs)) assert.ok(row.values?.includes(value), `${row.flag} ${value}`)
    }
    for (const need of flagNeeds()) for (const name of need.features) assert.ok(sectionOf(name), `${need.flag}: ${name}`)
  })

  test('a name is in one section only, so a need names its section by itself', () => {
    const names = [SETUP_FLAGS, FEATURES, OPCODES, REGISTER_OPS].flatMap((section) => section.entries.map((entry) => entry.name))
    assert.equal(new Set(names).size, names.length)
  })

  test('a whole-flag need is the flag; a per-value need is the flag and its value, with its --require name', () => {
    const needs = flagNeeds(wakeRows('eventfd')).map(({flag, requirement, features}) => [flag, requirement, features])
    assert.deepEqual(needs, [
      ['--op-timeout', 'op-timeout', ['LINK_TIMEOUT']],
      ['--single-issuer', 'single-issuer', ['SINGLE_ISSUER']],
      ['--defer-taskrun', 'defer-taskrun', ['SINGLE_ISSUER', 'DEFER_TASKRUN']],
      ['--coop-taskrun', 'coop-taskrun', ['COOP_TASKRUN']],
      ['--taskrun-flag', 'taskrun-flag', ['COOP_TASKRUN', 'TASKRUN_FLAG']],
      ['--sqpoll', 'sqpoll', ['SQPOLL']],
      ['--sqpoll-cpu', 'sqpoll-cpu', ['SQ_AFF']],
      ['--cq-size', 'cq-size', ['CQSIZE']],
      ['--submit-all', 'submit-all', ['SUBMIT_ALL']],
      ['--no-sqarray', 'no-sqarray', ['NO_SQARRAY']],
      ['--ring-fd', 'ring-fd', ['REGISTER_RING_FDS']],
      ['--io-poll', 'io-poll', ['IOPOLL']],
      ['--fixed-files', 'fixed-files', ['REGISTER_FILES']],
      ['--fixed-buffers', 'fixed-buffers', ['REGISTER_BUFFERS', 'READ_FIXED', 'WRITE_FIXED']],
      ['--send-zc', 'send-zc', ['SEND_ZC']],
      ['--multishot-recv', 'multishot-recv', ['REGISTER_PBUF_RING']],
      ['--wake msg-ring', 'wake=msg-ring', ['MSG_RING']],
      ['--wake futex-op', 'wake=futex-op', ['FUTEX_WAIT', 'FUTEX_WAKE']],
    ])
  })

  test('a workload needs what the settings it turns on need, and what the value it chose needs', () => {
    const flags = (spec: WorkloadSpec, rows?: readonly Setting[]) => needsOf(spec, rows).map((need) => need.flag)
    assert.deepEqual(flags(workload()), [])
    assert.deepEqual(flags(workload({singleIssuer: true, opTimeout: 5_000_000})), ['--op-timeout', '--single-issuer'])
    assert.deepEqual(flags(workload({singleIssuer: false})), [])
    assert.deepEqual(flags(workload(), wakeRows('futex-op')), ['--wake futex-op'])
    assert.deepEqual(flags(workload(), wakeRows('eventfd')), [])
  })
})

describe('a kernel without what a workload needs refuses it before measuring', () => {
  test('5.10 lacks FUTEX_WAIT: one line with the flag, the value, the constant and its release', () => {
    assert.equal(
      unmetNeed([workload()], DEBIAN_510, wakeRows('futex-op')),
      '--wake futex-op needs IORING_OP_FUTEX_WAIT (Linux 6.7); this kernel is 5.10.262 (Debian)',
    )
    assert.equal(
      unmetNeed([workload()], DEBIAN_510, wakeRows('msg-ring')),
      '--wake msg-ring needs IORING_OP_MSG_RING (Linux 5.18); this kernel is 5.10.262 (Debian)',
    )
    assert.equal(unmetNeed([workload()], DEBIAN_510, wakeRows('eventfd')), null)
  })

  test('6.12 and the host have them: nothing is refused', () => {
    for (const evaluation of [DEBIAN_612, HOST_618]) {
      for (const value of ['msg-ring', 'futex-op']) assert.equal(unmetNeed([workload()], evaluation, wakeRows(value)), null)
      assert.equal(unmetNeed([workload({singleIssuer: true, ioPoll: true, opTimeout: 1_000_000})], evaluation), null)
    }
  })

  test('the first of several features the kernel lacks is named; among several workloads, with its name', () => {
    assert.equal(
      unmetNeed([workload({}, 'plain'), workload({singleIssuer: true}, 'si')], DEBIAN_510),
      "workload 'si': --single-issuer needs IORING_SETUP_SINGLE_ISSUER (Linux 6.0); this kernel is 5.10.262 (Debian)",
    )
  })

  test('a kernel as new as the feature that lacks it all the same says what its probe found', () => {
    const registerSendMsgRing = {flag: '--wake msg-ring', requirement: 'wake=msg-ring', features: ['REGISTER_SEND_MSG_RING']}
    assert.deepEqual(assessNeed(registerSendMsgRing, DEBIAN_612), {
      met: false,
      reason: 'needs IORING_REGISTER_SEND_MSG_RING (Linux 6.13); this kernel is 6.12.118 (Debian)',
    })
    const withoutOpcodes: ProbeEvaluation = {
      ...HOST_618,
      opcodes: {...HOST_618.opcodes, unavailable: 'IORING_REGISTER_PROBE refused (EPERM)'},
    }
    assert.equal(
      assessNeed({flag: '--op-timeout', requirement: 'op-timeout', features: ['LINK_TIMEOUT']}, withoutOpcodes).reason,
      'needs IORING_OP_LINK_TIMEOUT (Linux 5.5), which this kernel, 6.18.44, does not offer: IORING_REGISTER_PROBE refused (EPERM)',
    )
  })

  test('a kernel without io_uring at all is left to the run, which names the cause', () => {
    assert.equal(unmetNeed([workload()], probe('debian-6.12-io_uring_disabled-2'), wakeRows('futex-op')), null)
  })
})

describe('probe-kernel lists the needs', () => {
  test('each flag with needs is a bench flag of the verdict and a --require name', () => {
    const flags = DEBIAN_510.verdict.benchFlags.map((flag) => flag.flag)
    for (const need of flagNeeds()) {
      assert.ok(flags.includes(need.flag), need.flag)
      const [result] = checkRequirements(resolveRequirements([need.requirement.toUpperCase()]), DEBIAN_510)
      const verdict = DEBIAN_510.verdict.benchFlags.find((flag) => flag.flag === need.flag)
      assert.deepEqual([result.met, result.reason], [verdict?.works, verdict?.reason])
    }
  })

  test('6.12 has the wake opcodes and not REGISTER_SEND_MSG_RING (6.13), as --require says', () => {
    const results = checkRequirements(resolveRequirements(['MSG_RING', 'IORING_OP_FUTEX_WAIT', 'REGISTER_SEND_MSG_RING']), DEBIAN_612)
    assert.deepEqual(
      results.map(({name, met, reason}) => [name, met, reason]),
      [
        ['MSG_RING', true, 'supported'],
        ['FUTEX_WAIT', true, 'supported'],
        [
          'REGISTER_SEND_MSG_RING',
          false,
          'unknown to the kernel: REGISTER_SEND_MSG_RING appeared in Linux 6.13; this is 6.12.118 (Debian)',
        ],
      ],
    )
  })
})
