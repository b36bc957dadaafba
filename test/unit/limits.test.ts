import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {addressSpaceNeeded, descriptorsNeeded} from '../../src/bench/needs.ts'
import {DESCRIPTORS_TO_START, limitTooLow, readLimit} from '../../src/limits.ts'
import type {WorkloadSpec} from '../../src/model/workload.ts'

const TABLE = `Limit                     Soft Limit           Hard Limit           Units
Max open files            1024                 4096                 files
Max locked memory         65536                65536                bytes
Max address space         unlimited            unlimited            bytes
`

function spec(
  overrides: {op?: WorkloadSpec['op']; submitters?: number; depth?: number; vs?: WorkloadSpec['vs']} & Partial<
    Pick<WorkloadSpec, 'mix' | 'socket' | 'file'>
  >,
): WorkloadSpec {
  const {op = 'nop', submitters = 1, depth = 1, vs = ['raw'], ...rest} = overrides
  return {
    name: 'w',
    op,
    timerNs: 1_000_000,
    loop: {ringSize: 128, ioPoll: false, singleIssuer: false},
    drive: {submitters, depth, durationNs: 1e8, ops: 0, warmupNs: 1e7},
    vs,
    ...rest,
  }
}

describe('process limits', () => {
  test('read from /proc/self/limits: numbers, and unlimited as Infinity', () => {
    assert.deepEqual(readLimit('RLIMIT_NOFILE', TABLE), {soft: 1024, hard: 4096})
    assert.deepEqual(readLimit('RLIMIT_AS', TABLE), {soft: Infinity, hard: Infinity})
    assert.equal(readLimit('RLIMIT_NOFILE', 'no such table'), null)
    assert.ok(readLimit('RLIMIT_NOFILE'), 'this process has one')
  })

  test('one message: the limit, what is needed and the ulimit line (sizes in KiB for ulimit)', () => {
    assert.equal(
      limitTooLow('RLIMIT_NOFILE', {soft: 64, hard: 4096}, 154, 'this run').message,
      'RLIMIT_NOFILE is 64, this run needs about 154: ulimit -n 154',
    )
    assert.equal(
      limitTooLow('RLIMIT_AS', {soft: 1000 * 1024 ** 2, hard: 1000 * 1024 ** 2}, 1.5 * 1024 ** 3, 'this run', '6 threads').message,
      'RLIMIT_AS is 1000 MiB, this run needs about 1.5 GiB (6 threads): ulimit -v 1573000 (the hard limit is 1000 MiB too; raising that needs root)',
    )
  })
})

describe('what a run needs', () => {
  test('descriptors: two per socket connection, a TCP listener per submitter, never fewer than the CLI needs to start', () => {
    assert.equal(descriptorsNeeded(spec({op: 'nop', depth: 256})), DESCRIPTORS_TO_START)
    // The loop (ring, eventfd, 128 socket ends) outnumbers the raw ring (ring, the same 128).
    assert.equal(descriptorsNeeded(spec({op: 'socket', depth: 64, socket: {transport: 'unix', messageSize: 4096}})), 24 + 2 + 128)
    assert.equal(
      descriptorsNeeded(spec({op: 'socket', submitters: 2, depth: 64, socket: {transport: 'tcp', messageSize: 4096}})),
      24 + 2 + 2 * (128 + 1),
    )
    const mix = spec({
      op: 'mix',
      depth: 100,
      mix: [
        {op: 'socket', weight: 1},
        {op: 'file-read', weight: 1},
      ],
      socket: {transport: 'unix', messageSize: 1024},
    })
    assert.equal(descriptorsNeeded(mix), 24 + 2 + 200 + 1)
  })

  test('address space: grows with submitters and slots', () => {
    const small = spec({depth: 1})
    const wide = spec({submitters: 4, depth: 4096})
    assert.ok(addressSpaceNeeded(wide) > addressSpaceNeeded(small))
    const file = spec({
      op: 'file-read',
      submitters: 4,
      depth: 4096,
      file: {sizeBytes: 1 << 30, blockSize: 65536, random: true, direct: false, fsyncEvery: 0, writevBuffers: 0},
    })
    assert.ok(addressSpaceNeeded(file) - addressSpaceNeeded(wide) >= 4 * 4096 * 65536, 'each slot carries its block')
    const withWorker = {...file, vs: ['node-fs' as const]}
    assert.equal(addressSpaceNeeded(withWorker), addressSpaceNeeded(file), 'node-fs runs in a process of its own, under its own limit')
  })
})
