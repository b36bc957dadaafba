// The search of `advise` on fake candidates whose true figures are known: it must find the best
// by each objective, keep to the budget, give up on a candidate that fails, stop when told, and
// say why it dropped each candidate it dropped.
import assert from 'node:assert/strict'
import {test} from 'node:test'

import {DEFAULT_BOUND_SLACK, search, TRIALS_TO_DROP, type SearchOptions, type SearchRunner} from '../../src/advise/search.ts'
import {seededRandom} from '../../src/gate/statistics.ts'
import type {Objective, TrialFigures} from '../../src/model/advice.ts'

/** A candidate with the mean figures its trials scatter around, or the reason every trial fails. */
interface Fake {
  name: string
  means: TrialFigures
  fails?: string
}

const fake = (name: string, opsPerSec: number, {p99Ns = 10_000, cpuNsPerOp = 2_000} = {}, fails?: string): Fake => ({
  name,
  means: {opsPerSec, p50Ns: p99Ns / 4, p99Ns, cpuNsPerOp},
  fails,
})

/**
 * A runner whose trials draw each figure within ±3 % of the candidate's mean (seeded), with a
 * budget of `budget` trials; it records every trial it ran, by name, to count them.
 */
function fakeRunner(budget: number, {seed = 1, stopAfter = Infinity} = {}) {
  const random = seededRandom(seed)
  const noisy = (mean: number): number => mean * (1 + 0.03 * (2 * random() - 1))
  const ran: string[] = []
  const runner: SearchRunner<Fake> = {
    async trial(candidate) {
      ran.push(candidate.name)
      if (candidate.fails) return {failed: candidate.fails}
      const {opsPerSec, p50Ns, p99Ns, cpuNsPerOp} = candidate.means
      return {figures: {opsPerSec: noisy(opsPerSec), p50Ns: noisy(p50Ns), p99Ns: noisy(p99Ns), cpuNsPerOp: noisy(cpuNsPerOp)}}
    },
    trialsLeft: () => budget - ran.length,
    stopped: () => ran.length >= stopAfter,
  }
  return {runner, ran}
}

const options = (objective: Objective, extra: Partial<SearchOptions> = {}): SearchOptions => ({
  objective,
  defaultIndex: 0,
  alpha: 0.05,
  random: seededRandom(7),
  ...extra,
})

/** The search's winner: the leader it ends with. */
async function winnerOf(candidates: Fake[], objective: Objective, budget = 120, extra: Partial<SearchOptions> = {}) {
  const {runner} = fakeRunner(budget)
  const state = await search(candidates, runner, options(objective, extra))
  return state.leader?.candidate.name
}

/** Eight candidates, one 15 % ahead of the rest, which are 2 % apart. */
const field = (): Fake[] => [
  fake('default', 100_000),
  ...[98_000, 96_000, 94_000, 92_000, 90_000, 88_000].map((ops, i) => fake(`other ${i}`, ops)),
  fake('best', 115_000),
]

test('the search finds a clearly best candidate, whatever the seed of the noise and the order', async () => {
  for (let seed = 1; seed <= 5; seed++) {
    const {runner} = fakeRunner(80, {seed})
    const state = await search(field(), runner, options('throughput', {random: seededRandom(100 + seed)}))
    assert.equal(state.leader?.candidate.name, 'best', `seed ${seed}`)
    assert.equal(state.leader?.state, 'racing')
  }
})

test('the search runs no more trials than the budget holds, and counts every one it ran', async () => {
  for (const budget of [0, 7, 8, 9, 17, 40, 100, 300]) {
    const {runner, ran} = fakeRunner(budget)
    const state = await search(field(), runner, options('throughput'))
    assert.ok(ran.length <= budget, `budget ${budget}: ran ${ran.length}`)
    assert.equal(state.trialsRun, ran.length, `budget ${budget}`)
    // Fewer trials than candidates: the caller sized the field wrong, and not even one round fits.
    if (budget < 8) assert.equal(ran.length, 0, `budget ${budget}`)
  }
})

test("a candidate whose trial fails is marked failed with the trial's reason and never run again", async () => {
  const candidates = [...field(), fake('broken', 200_000, {}, 'EINVAL: IORING_SETUP_DEFER_TASKRUN needs a single issuer')]
  const {runner, ran} = fakeRunner(120)
  const state = await search(candidates, runner, options('throughput'))
  const broken = state.entries.find((entry) => entry.candidate.name === 'broken')
  assert.equal(broken?.state, 'failed')
  assert.equal(broken?.reason, 'EINVAL: IORING_SETUP_DEFER_TASKRUN needs a single issuer')
  assert.equal(ran.filter((name) => name === 'broken').length, 1)
  // Its would-be throughput counts for nothing: the best of those that ran wins.
  assert.equal(state.leader?.candidate.name, 'best')
})

test('stopped() ends the search at once, mid-round, and before the first trial', async () => {
  const {runner, ran} = fakeRunner(120, {stopAfter: 3})
  const state = await search(field(), runner, options('throughput'))
  assert.equal(ran.length, 3)
  // The third trial ran as the stop came: cut short, it is no measurement.
  assert.equal(state.trialsRun, 2)
  assert.equal(
    state.entries.reduce((sum, entry) => sum + entry.trials.length, 0),
    2,
  )
  const before = fakeRunner(120, {stopAfter: 0})
  assert.equal((await search(field(), before.runner, options('throughput'))).trialsRun, 0)
  assert.equal(before.ran.length, 0)
})

test('the p99 objective picks the lowest p99, not the highest throughput', async () => {
  const candidates = [
    fake('default', 100_000, {p99Ns: 20_000}),
    fake('fastest', 150_000, {p99Ns: 30_000}),
    fake('lowest p99', 80_000, {p99Ns: 12_000}),
    fake('middling', 110_000, {p99Ns: 16_000}),
  ]
  assert.equal(await winnerOf(candidates, 'p99'), 'lowest p99')
  assert.equal(await winnerOf(candidates, 'throughput'), 'fastest', 'the same field by throughput: the objective decides')
})

test('the cpu objective picks the lowest CPU per op, not the highest throughput', async () => {
  const candidates = [
    fake('default', 100_000, {cpuNsPerOp: 3_000}),
    fake('fastest', 150_000, {cpuNsPerOp: 4_000}),
    fake('leanest', 70_000, {cpuNsPerOp: 1_500}),
    fake('middling', 110_000, {cpuNsPerOp: 2_000}),
  ]
  assert.equal(await winnerOf(candidates, 'cpu'), 'leanest')
})

test('balanced with bounds given picks the highest throughput among the candidates within them', async () => {
  const candidates = [
    fake('default', 100_000, {p99Ns: 20_000, cpuNsPerOp: 3_000}),
    fake('p99 too high', 160_000, {p99Ns: 40_000, cpuNsPerOp: 2_000}),
    fake('too much cpu', 150_000, {p99Ns: 10_000, cpuNsPerOp: 6_000}),
    fake('fastest within', 120_000, {p99Ns: 14_000, cpuNsPerOp: 2_500}),
    fake('slow within', 90_000, {p99Ns: 10_000, cpuNsPerOp: 1_000}),
  ]
  const bounds = {p99Ns: 25_000, cpuNsPerOp: 4_000}
  assert.equal(await winnerOf(candidates, 'balanced', 120, {bounds}), 'fastest within')
})

test("balanced without bounds holds to the default's medians plus the slack", async () => {
  const p99Ns = 20_000
  const cpuNsPerOp = 3_000
  const justWithin = 1 + DEFAULT_BOUND_SLACK / 2
  const wellOver = 1 + DEFAULT_BOUND_SLACK * 3
  const candidates = [
    fake('default', 100_000, {p99Ns, cpuNsPerOp}),
    fake('p99 over the slack', 140_000, {p99Ns: p99Ns * wellOver, cpuNsPerOp}),
    fake('cpu over the slack', 140_000, {p99Ns, cpuNsPerOp: cpuNsPerOp * wellOver}),
    fake('fastest within the slack', 115_000, {p99Ns: p99Ns * justWithin, cpuNsPerOp: cpuNsPerOp * justWithin}),
    fake('slower within', 105_000, {p99Ns: p99Ns * 0.8, cpuNsPerOp: cpuNsPerOp * 0.8}),
  ]
  assert.equal(await winnerOf(candidates, 'balanced'), 'fastest within the slack')
  // The default is the reference wherever it is listed.
  assert.equal(await winnerOf([...candidates.slice(1), candidates[0]], 'balanced', 120, {defaultIndex: 4}), 'fastest within the slack')
})

test('the kept candidate races to the end however slow, and the search ends when one other is left', async () => {
  const candidates = [fake('default', 50_000), ...field().slice(1)]
  const {runner} = fakeRunner(300)
  const state = await search(candidates, runner, options('throughput', {keep: 0}))
  assert.equal(state.entries[0].state, 'racing')
  assert.deepEqual(
    state.entries.filter((entry) => entry.state === 'racing').map((entry) => entry.candidate.name),
    ['default', 'best'],
  )
  assert.equal(state.leader?.candidate.name, 'best')
})

test('a single candidate ends the search without running a trial', async () => {
  const {runner, ran} = fakeRunner(120)
  const state = await search([fake('default', 100_000)], runner, options('throughput'))
  assert.equal(ran.length, 0)
  assert.equal(state.trialsRun, 0)
  assert.equal(state.entries[0].state, 'racing')
})

test('every dropped candidate says why: significantly worse than the leader, or in the worse half', async () => {
  const candidates = [fake('default', 100_000), fake('close', 104_000), fake('best', 110_000), fake('far slower', 50_000)]
  const dropped = async (budget: number) => {
    const {runner} = fakeRunner(budget)
    const state = await search(candidates, runner, options('throughput'))
    const entries = state.entries.filter((entry) => entry.state === 'dropped')
    for (const entry of entries) assert.match(entry.reason ?? '', /significantly worse than the leader|worse half/, entry.candidate.name)
    return new Map(entries.map((entry) => [entry.candidate.name, entry.reason]))
  }
  // A large budget: the first stage runs rounds enough for the test to drop the far slower one as
  // soon as it may.
  const reason = new RegExp(`^significantly worse than the leader after ${TRIALS_TO_DROP} trials \\(p 0\\.0\\d\\d\\)$`)
  assert.match((await dropped(80)).get('far slower') ?? '', reason)
  // A small one: the first stage ends after 3 rounds, too few for the test, and halves the field by median.
  assert.ok(TRIALS_TO_DROP > 3, 'the small budget is meant to end the stage before the test may drop')
  const halved = await dropped(24)
  assert.equal(halved.get('far slower'), 'in the worse half by median after 3 trials (successive halving)')
  assert.equal(halved.get('default'), 'in the worse half by median after 3 trials (successive halving)')
})
