// What each loop counter in a result means and how each form shows it. The names and help texts
// are the native core's (IOB_LOOP_COUNTERS in native/core/counters.h, read at run time by
// loopCounterInfo()); they are kept here as well because a saved result must render where the
// addon cannot load. test/addon/counters.test.ts checks this table against the addon's list.

/**
 * total: grows over the run, added when runs merge; max: the largest seen, merged by maximum;
 * gauge: a level at the end of the run (the seed's pending_operations), merged by maximum too,
 * since runs that did not overlap in time cannot be in flight together.
 */
export type CounterKind = 'total' | 'max' | 'gauge'

export interface CounterInfo {
  /** The report name: the key in a result's `counters`. */
  name: string
  help: string
  kind: CounterKind
  /** 'ns' values are shown as durations (and as seconds where Prometheus wants base units). */
  unit: 'count' | 'ns'
  /** Prometheus metric name, without the iouring_bench_loop_ prefix. */
  metric: string
}

const counter = (name: string, metric: string, help: string): CounterInfo => ({name, help, kind: 'total', unit: 'count', metric})
const nanoseconds = (name: string, kind: CounterKind, metric: string, help: string): CounterInfo => ({name, help, kind, unit: 'ns', metric})

/** In the order the native core declares them, with the gauge last as the addon reports it. */
export const LOOP_COUNTERS: readonly CounterInfo[] = [
  counter('opsAccepted', 'ops_accepted_total', 'ops taken from the submission queue and staged'),
  counter('opsCompleted', 'ops_completed_total', 'ops whose CQE was handled and delivered'),
  counter('opsAbandoned', 'ops_abandoned_total', 'ops given up at shutdown or on a loop error'),
  counter('timeoutsFired', 'timeouts_fired_total', 'ops ended by their linked timeout (-ETIMEDOUT)'),
  counter('timeoutCqes', 'timeout_cqes_total', 'linked-timeout CQEs (reserved user_data UINT64_MAX)'),
  counter('capacityStalls', 'capacity_stalls_total', 'times work was queued but staging stopped at capacity'),
  counter('capacityStallsWaiterBound', 'capacity_stalls_waiter_bound_total', 'capacity stalls where every waiter slot was in flight'),
  counter('capacityStallsSqBound', 'capacity_stalls_sq_bound_total', 'capacity stalls where the submission queue was full'),
  nanoseconds('stallNsTotal', 'total', 'stall_seconds_total', 'time spent waiting in capacity stalls (ns)'),
  nanoseconds('stallNsMax', 'max', 'stall_max_seconds', 'longest single capacity stall (ns)'),
  counter('sleeps', 'sleeps_total', 'times the loop blocked waiting for a completion or a wake'),
  counter('skippedSleeps', 'skipped_sleeps_total', 'times the arm recheck saw new work and ran on'),
  counter('spinWakes', 'spin_wakes_total', 'times an idle spin (idle_spin) found work before sleeping'),
  counter('wakeCqes', 'wake_cqes_total', 'wake CQEs from the eventfd poll (user_data UINT64_MAX-1)'),
  counter('wakeRearms', 'wake_rearms_total', 'multishot wake polls installed (first one and re-arms)'),
  counter('enterCalls', 'enter_calls_total', 'io_uring_enter calls made by the loop'),
  counter('sqesSubmitted', 'sqes_submitted_total', 'SQEs handed to the kernel by those calls'),
  counter('transientEnterErrors', 'transient_enter_errors_total', 'io_uring_enter calls that returned EINTR, EAGAIN or EBUSY'),
  counter('eventfdRings', 'eventfd_rings_total', 'eventfd writes that woke a sleeping loop'),
  counter('backpressureWaits', 'backpressure_waits_total', 'times a submitter blocked on a full queue'),
  nanoseconds('backpressureNs', 'total', 'backpressure_seconds_total', 'time submitters spent blocked on a full queue (ns)'),
  {
    name: 'pendingOperations',
    help: 'ops submitted to the ring whose CQE had not been handled when the counters were read',
    kind: 'gauge',
    unit: 'count',
    metric: 'pending_operations',
  },
]

/** The counters the raw ring keeps too (BenchResult::counters in native/core/harness/bench.h). */
const RAW_RING_COUNTERS = ['opsCompleted', 'timeoutsFired', 'timeoutCqes', 'enterCalls', 'sqesSubmitted']

/** Of a raw ring's counters, those it keeps: the loop's others would read as 0. */
export function rawRingCounters(counters: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counters).filter(([name]) => RAW_RING_COUNTERS.includes(name)))
}
