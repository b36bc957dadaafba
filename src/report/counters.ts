// What each loop counter in a result means and how each form shows it. The list is generated
// from IOB_LOOP_COUNTERS in native/core/counters.h (counters.generated.ts), so a saved result
// renders where the addon cannot load.

export {LOOP_COUNTERS} from './counters.generated.js'

/** The counters the raw ring keeps too (BenchResult::counters in native/core/harness/bench.h). */
const RAW_RING_COUNTERS = [
  'opsCompleted',
  'timeoutsFired',
  'timeoutCqes',
  'zcNotifications',
  'zcCopied',
  'multishotResults',
  'multishotNoBuffers',
  'enterCalls',
  'sqesSubmitted',
]

/** Of a raw ring's counters, those it keeps: the loop's others would read as 0. */
export function rawRingCounters(counters: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counters).filter(([name]) => RAW_RING_COUNTERS.includes(name)))
}
