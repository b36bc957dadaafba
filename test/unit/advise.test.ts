// The parts of advise that decide what it says: the final check's ratios and their direction,
// whether the winner gained for each objective, and the flags that reproduce a configuration.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {finalCheck, flagsOf, objectiveGain} from '../../src/advise/advise.ts'
import type {TrialFigures} from '../../src/model/advice.ts'

function trials(opsPerSec: number, p99Ns: number, cpuNsPerOp: number, spread = 0.01): TrialFigures[] {
  // Six trials a little apart, so the exact test can tell two sets apart (or not).
  return [0, 1, 2, 3, 4, 5].map((i) => {
    const wobble = 1 + spread * (i - 2.5)
    return {opsPerSec: opsPerSec * wobble, p50Ns: p99Ns / 3, p99Ns: p99Ns * wobble, cpuNsPerOp: cpuNsPerOp * wobble}
  })
}

describe('advise: the final check', () => {
  test('ratios are the winner over the default, for every metric, each tested on its own', () => {
    const final = finalCheck(trials(1e6, 40_000, 800), trials(2e6, 20_000, 1000), 400e6)
    assert.equal(final.trials, 6)
    assert.equal(final.trialNs, 400e6)
    assert.ok(Math.abs(final.opsPerSec.opsPerSec - 2) < 0.05)
    assert.ok(Math.abs(final.p99.opsPerSec - 0.5) < 0.02)
    assert.ok(Math.abs(final.cpuNsPerOp.opsPerSec - 1.25) < 0.03)
    for (const ratio of [final.opsPerSec, final.p99, final.cpuNsPerOp]) assert.equal(ratio.significant, true)
    assert.equal(finalCheck(trials(1e6, 1, 1), trials(1e6, 1, 1), 1).opsPerSec.significant, false)
  })

  test('a gain is in the objective’s direction: more ops/s, lower p99, lower CPU per op', () => {
    const faster = finalCheck(trials(1e6, 40_000, 800), trials(2e6, 60_000, 1200), 1)
    assert.equal(objectiveGain(faster, 'throughput').gain, true)
    assert.equal(objectiveGain(faster, 'p99').gain, false, 'a higher p99 is no p99 gain')
    assert.equal(objectiveGain(faster, 'cpu').gain, false, 'more CPU per op is no CPU gain')
    const leaner = finalCheck(trials(1e6, 40_000, 800), trials(0.9e6, 20_000, 500), 1)
    assert.equal(objectiveGain(leaner, 'throughput').gain, false)
    assert.deepEqual(
      [objectiveGain(leaner, 'p99').gain, objectiveGain(leaner, 'p99').what, objectiveGain(leaner, 'cpu').gain],
      [true, 'p99', true],
    )
    const same = finalCheck(trials(1e6, 40_000, 800), trials(1e6, 40_000, 800), 1)
    for (const objective of ['throughput', 'p99', 'cpu', 'balanced'] as const) assert.equal(objectiveGain(same, objective).gain, false)
  })

  test('balanced: the winner must be within the bounds in the final check; a default outside them loses to any winner within', () => {
    const bounds = {p99Ns: 50_000, cpuNsPerOp: 1000, source: 'given' as const}
    const fasterButOver = finalCheck(trials(1e6, 40_000, 800), trials(2e6, 60_000, 800), 1)
    assert.equal(objectiveGain(fasterButOver, 'balanced', bounds).gain, false)
    const fasterWithin = finalCheck(trials(1e6, 40_000, 800), trials(2e6, 45_000, 900), 1)
    assert.equal(objectiveGain(fasterWithin, 'balanced', bounds).gain, true)
    const slowerButTheDefaultIsOver = finalCheck(trials(1e6, 80_000, 800), trials(0.8e6, 40_000, 800), 1)
    assert.equal(objectiveGain(slowerButTheDefaultIsOver, 'balanced', bounds).gain, true)
  })
})

describe('advise: the flags of a configuration', () => {
  test('the flags as given, a knob replacing its flag, switches on by name, values quoted for a shell', () => {
    const given = ['--op', 'nop', '--depth', '32', '--wait', 'sleep', '--sqpoll']
    assert.equal(flagsOf(given, {}), '--op nop --depth 32 --wait sleep --sqpoll')
    assert.equal(flagsOf(given, {wait: 'spin=50us', 'ring-fd': 'on'}), '--op nop --depth 32 --sqpoll --wait spin=50us --ring-fd')
    assert.equal(flagsOf(given, {sqpoll: 'off'}), '--op nop --depth 32 --wait sleep')
    assert.equal(flagsOf(['--file', "/tmp/my file's"], {}), `--file '/tmp/my file'\\''s'`)
  })
})
