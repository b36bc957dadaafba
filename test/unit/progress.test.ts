import assert from 'node:assert/strict'
import {test} from 'node:test'

import type {ProgressEvent} from '../../src/model/progress.ts'
import {progressDisplay} from '../../src/report/progress.ts'

function terminal(): {stream: NodeJS.WriteStream; written: string[]} {
  const written: string[] = []
  const stream = {isTTY: true, columns: 120, rows: 40, write: (chunk: string) => (written.push(chunk), true)}
  return {stream: stream as unknown as NodeJS.WriteStream, written}
}

const event = (elapsedMs: number): ProgressEvent =>
  ({
    workload: {name: 'nop', drive: {ops: 0, durationNs: 2e9, warmupNs: 0}},
    system: 'loop',
    progress: {elapsedNs: elapsedMs * 1e6, measuring: true, opsEnded: elapsedMs * 1000, counters: {enterCalls: 10, sqesSubmitted: 40}},
  }) as unknown as ProgressEvent

test('the progress line appears only once a run has lasted a second, then shows the rate', () => {
  let now = 0
  const {stream, written} = terminal()
  const display = progressDisplay(true, stream, () => now)
  for (const ms of [250, 500, 750]) {
    now = ms
    display.update(event(ms))
  }
  assert.deepEqual(written, [], 'nothing drawn in the first second')
  now = 1000
  display.update(event(1000))
  assert.match(written.join(''), /nop \[loop\] measuring 1 s \/ 2 s · 1 M ops\/s · 4\.0 SQEs\/enter/)
  display.done()
})

test('nothing at all when the stream is not a terminal, or when asked for none (--json)', () => {
  const pipe = {isTTY: false, write: () => assert.fail('wrote to a pipe')} as unknown as NodeJS.WriteStream
  const {stream, written} = terminal()
  for (const [enabled, target] of [
    [true, pipe],
    [false, stream],
  ] as const) {
    let now = 0
    const display = progressDisplay(enabled, target, () => now)
    now = 5000
    display.update(event(5000))
    display.done()
  }
  assert.deepEqual(written, [])
})
