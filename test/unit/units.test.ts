import assert from 'node:assert/strict'
import {test} from 'node:test'

import {UsageError} from '../../src/errors.ts'
import {formatDuration, parseDuration, parseSize} from '../../src/units.ts'

test('durations take units and come back in nanoseconds', () => {
  assert.equal(parseDuration('5ms', '--x'), 5_000_000)
  assert.equal(parseDuration('2s', '--x'), 2_000_000_000)
  assert.equal(parseDuration('100us', '--x'), 100_000)
  assert.equal(parseDuration('1.5s', '--x'), 1_500_000_000)
  assert.equal(parseDuration('0', '--x'), 0)
})

test('a duration without a unit, negative or garbled is refused naming the field', () => {
  assert.throws(() => parseDuration('5', '--duration'), /--duration: '5' is not allowed; use a number with a unit/)
  assert.throws(() => parseDuration('-1s', '--duration'), /--duration: '-1s' is not allowed; durations cannot be negative/)
  assert.throws(() => parseDuration('fast', '--duration'), UsageError)
})

test('sizes follow fio: k, m, g are powers of 1024, bare numbers are bytes', () => {
  assert.equal(parseSize('4k', '--x'), 4096)
  assert.equal(parseSize('1g', '--x'), 1024 ** 3)
  assert.equal(parseSize('512', '--x'), 512)
  assert.equal(parseSize('2MiB', '--x'), 2 * 1024 ** 2)
  assert.throws(() => parseSize('4q', '--block-size'), /--block-size: '4q' is not allowed/)
})

test('durations format with three significant digits', () => {
  assert.equal(formatDuration(950), '950 ns')
  assert.equal(formatDuration(1_234_567), '1.23 ms')
  assert.equal(formatDuration(2e9), '2 s')
})
