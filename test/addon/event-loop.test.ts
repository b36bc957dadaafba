// The native run happens on its own threads: the JS event loop keeps turning while it runs.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {nativeRequest} from '../../src/bench/run.ts'
import {runBench} from '../../src/native/addon.ts'
import {flagLabels} from '../../src/settings/table.ts'
import {toWorkloadSpec} from '../../src/settings/workload.ts'

const spec = toWorkloadSpec({name: 'nop', op: 'nop', ringSize: 256, depth: 64, duration: 2e9, warmup: 0, vs: []}, flagLabels())
const request = {...nativeRequest(spec, 'loop'), progressIntervalMs: 100}

test('a JS timer keeps ticking during a 2 s benchmark, and progress arrives while it runs', async () => {
  let ticks = 0
  const timer = setInterval(() => ticks++, 10)
  const progress: number[] = []
  const result = await runBench(request, (p) => progress.push(p.opsEnded)).result
  clearInterval(timer)
  assert.equal(result.error, null)
  assert.ok(result.stats.ops > 0)
  // Blocked for the 2 s run, a 10 ms interval would fire at most once, after it; free, about 200
  // times (far fewer only on a machine too loaded to say anything).
  assert.ok(ticks >= 20, `${ticks} ticks during a 2 s run`)
  assert.ok(progress.length >= 5, `${progress.length} progress reports`)
  assert.deepEqual(
    [...progress].sort((a, b) => a - b),
    progress,
    'progress only grows',
  )
})

test('cancel stops a run early and keeps what it measured', async () => {
  const job = runBench({...request, drive: {...request.drive, durationNs: 60e9}})
  setTimeout(() => job.cancel(), 200)
  const result = await job.result
  assert.equal(result.stats.interrupted, true)
  assert.ok(result.stats.ops > 0)
})
