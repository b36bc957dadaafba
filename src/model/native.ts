// What the native core reports and documents keep as it came (src/native/addon.ts returns it).

/** Loop counters by report name (see native/core/counters.h), plus the pendingOperations gauge. */
export type NativeCounters = Record<string, number>

export interface NativeProgress {
  elapsedNs: number
  measuring: boolean
  opsEnded: number
  bytesEnded: number
  counters: NativeCounters
}

export interface NativeError {
  call: string
  errno: number
  /** errno name, e.g. "EINVAL"; empty when the cause is not an errno */
  code: string
  detail: string
  message: string
}

export interface NativeHistogram {
  count: number
  minNs: number
  maxNs: number
  /** Non-empty histogram buckets as [lowest value, count, ...] in HdrHistogram's layout. */
  buckets: Float64Array
}

export interface NativeRing {
  sqEntries: number
  cqEntries: number
  setupFlags: number
  setupFlagNames: string
  features: number
  /** With --wake msg-ring: how submitters sent the wake (REGISTER_SEND_MSG_RING on Linux 6.13+). */
  msgRingSend?: string
  /** With --fixed-files / --fixed-buffers: how many files and buffers the ring registered. */
  registeredFiles?: number
  registeredBuffers?: number
}

/** A system call's outcome in the raw probe: errno and its name are null when ok. */
export interface RawOutcome {
  ok: boolean
  errno: number | null
  error: string | null
}

/** One io_uring_setup on a real ring (schemas/raw-probe.schema.json `$defs.setupTrial`). */
export interface RawSetupTrial extends RawOutcome {
  flags: number
  /** e.g. 'SINGLE_ISSUER|DEFER_TASKRUN', or 'none' */
  flagNames: string
  entries: number
  cqEntries: number | null
  granted: {sqEntries: number; cqEntries: number} | null
}

export interface RawNumberedName {
  op: number
  name: string
}

export interface RawBehaviourTest {
  ringFlags: number
  ringFlagNames: string
  ring: RawOutcome
  events: Array<{what: string; result: number; resultName: string | null; flags: number; more: boolean}>
  works: boolean
  detail: string
  elapsedUs: number
}

export type RawLimit = number | 'unlimited'

/**
 * The raw kernel probe, rawProbeVersion 1: facts from real tests on one kernel, as the addon and
 * the static iouring-probe print them. schemas/raw-probe.schema.json describes every field.
 */
export interface RawProbe {
  rawProbeVersion: 1
  elapsedUs: number
  build: {headerOpLast: number; namedSetupFlags: number; namedFeatures: number; namedOpcodes: number; namedRegisterOps: number}
  kernel: {sysname: string; release: string; version: string; machine: string; versionSignature: string | null}
  environment: {
    ioUringDisabled: number | null
    ioUringGroup: number | null
    seccompMode: number | null
    seccompFilters: number | null
    noNewPrivs: boolean | null
    capEff: string | null
    capSysAdmin: boolean | null
    capSysNice: boolean | null
    capIpcLock: boolean | null
    uid: number
    euid: number
    gid: number
    egid: number
    groups: number[]
    memlock: {soft: RawLimit; hard: RawLimit}
  }
  setup: RawSetupTrial
  features: {mask: number; names: string[]} | null
  query: RawOutcome & {
    nrRequestOpcodes?: number
    nrRegisterOpcodes?: number
    featureFlags?: number
    featureNames?: string[]
    ringSetupFlags?: number
    ringSetupFlagNames?: string[]
    enterFlags?: number
    sqeFlags?: number
  }
  setupTrials: RawSetupTrial[]
  opcodes: (RawOutcome & {lastOp: number; opsLen: number; supported: RawNumberedName[]}) | null
  registerOps: {
    byQuery: number | null
    byRestrictions: number | null
    restrictions: RawOutcome | null
    elapsedUs: number
    known: RawNumberedName[]
  }
  behaviour: {
    multishotPoll: RawBehaviourTest | null
    multishotPollSingleIssuer: RawBehaviourTest | null
    extArgWait: RawBehaviourTest | null
    linkTimeout: RawBehaviourTest | null
    iopollPollAdd: RawBehaviourTest | null
  }
  errors: string[]
}

export interface NativeDrillMode {
  shutdownTimeoutNs: number | null
  rounds: number
  submitted: number
  completed: number
  timedOut: number
  abandoned: number
  /** From the last handle dropped to the loop's exit (ring torn down). */
  shutdownLatency: NativeHistogram
}

/** One op of the seed's liveness scenario, as it ended. */
export interface NativeLivenessOp {
  /** read(fd1), read(fd2), write(fd1), write(fd2), in submission order */
  name: string
  end: 'completed' | 'abandoned'
  /** Bytes moved, or -errno (-ETIMEDOUT from the op timeout). */
  result: number
  /** errno name of a negative result, e.g. "ETIMEDOUT"; empty otherwise */
  resultName: string
  endedAfterNs: number
}

/** What the capacity watchdog saw: every waiter in flight, ops queued, no completion for `stalledNs`. */
export interface NativeStallReport {
  inFlight: number
  queued: number
  stalledNs: number
  /** "capacity stall: all waiters in flight, N ops queued, no completion for T" */
  message: string
}

export interface NativeLivenessHalf {
  opTimeouts: boolean
  opTimeoutNs: number
  ops: NativeLivenessOp[]
  /** Without timeouts each report was followed by the watchdog's rescue (it wrote to the peers). */
  stalls: NativeStallReport[]
  /** An op still had not ended well past its time and was abandoned (never, unless the loop is broken). */
  gaveUp: boolean
  elapsedNs: number
  counters: NativeCounters
  error: string | null
}

export interface NativeLivenessResult {
  withoutTimeouts: NativeLivenessHalf
  withTimeouts: NativeLivenessHalf
}
