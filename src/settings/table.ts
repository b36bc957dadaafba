// Every workload and loop setting, once, as data. The bench and run flags, the profile schema
// (scripts/gen/profile-schema.mjs), the labels of error messages, the plain range checks and the
// fields of the native request all come from these rows; see CONTRIBUTING.md for adding one.

import {
  ADAPTIVE_MAX_SPIN_NS,
  DEFAULT_RECV_BUFFERS,
  MAX_FIXED_BUFFERS,
  MAX_MESSAGE_SIZE,
  MAX_RECV_BUFFERS,
  MAX_RING_ENTRIES,
} from '../bench/spec.js'
import {
  ARRIVALS,
  BASELINES,
  DEFAULT_WAIT,
  DEFAULT_WAKE,
  DESIGNS,
  MIX_KINDS,
  OPS,
  TRANSPORTS,
  WAKE_MECHANISMS,
  type WorkloadSpec,
} from '../model/workload.js'
import {durationInput, sizeInput} from '../units.js'

/**
 * How a setting is written and what it becomes: enum (one of `values`), int, number, duration
 * (ns), size (bytes), bool, list (of `values`), path (a file), mix (kind=weight pairs), wait (a
 * wait strategy: sleep, spin=DUR or adaptive[=MAX]).
 */
export type SettingType = 'enum' | 'int' | 'number' | 'duration' | 'size' | 'bool' | 'list' | 'path' | 'mix' | 'wait'

export type HelpGroup = 'FILE' | 'SOCKET' | 'OPEN LOOP'

/** Kernel features as the probe names them in src/probe/kernel-table.json: a setup flag, feature, opcode or register op. */
export type KernelNeeds = string | readonly string[]

interface SettingBase {
  /** The name in a profile, in error labels and in WorkloadInput. */
  key: string
  /** The flag of bench (and of any command taking workload flags), without its dashes. */
  flag: string
  type: SettingType
  /** Of the converted value: durations are ns and sizes bytes, whatever unit the user wrote. */
  unit?: 'ns' | 'bytes' | 'ops' | 'ops/s' | 'threads' | 'entries'
  /** Applied when the setting is not given (conditional ones, in a help group, only where they apply). */
  default?: number | boolean | string | readonly string[]
  /** The default in words, when it depends on other settings. */
  defaultHelp?: string
  /** Inclusive range of a number; `above` makes the minimum exclusive. */
  min?: number
  max?: number
  above?: boolean
  /** Why the maximum is what it is, added to a range refusal. */
  maxWhy?: string
  /** The allowed values of an enum or a list, the kinds of a mix. */
  values?: readonly string[]
  /** A duration that may also be `none` (the flag only: a profile leaves it out, as it leaves out baselines). */
  orNone?: boolean
  help: string
  helpValue?: string
  group?: HelpGroup
  /** The ops it applies to; absent: every op. */
  ops?: readonly string[]
}

/** A setting the native side reads: its field in the request and its value in a workload. */
interface NativeSetting extends SettingBase {
  /** Its field in the native request (native/addon/convert.cc), as `group.name`. */
  native: string
  /** Its value in a checked workload; undefined is sent as null, which keeps the native default. */
  fromSpec: (spec: WorkloadSpec) => unknown
  /**
   * What it needs of the kernel beyond the loop's baseline, checked against the probe before a
   * run (src/settings/needs.ts): for the setting whenever it is on, or, for an enum, per value
   * (`{'futex-op': 'FUTEX_WAIT'}`; a value not named needs nothing more).
   */
  needs?: KernelNeeds | {readonly [value: string]: KernelNeeds}
}

/** A setting of the TS side only. */
interface TsSetting extends SettingBase {
  native?: undefined
  fromSpec?: undefined
  needs?: undefined
}

export type Setting = NativeSetting | TsSetting

const FILE_OPS = ['file-read', 'file-write', 'mix'] as const
const SOCKET_OPS = ['socket', 'mix'] as const

/** In the order profiles list their fields (and the schema its properties). */
export const SETTINGS = [
  {
    key: 'op',
    flag: 'op',
    type: 'enum',
    values: OPS,
    default: 'nop',
    help: 'operation to run',
    native: 'workload.op',
    // The native side has no op 'mix': it runs the workload's mix when one is set.
    fromSpec: (spec) => (spec.op === 'mix' ? 'nop' : spec.op),
  },
  {
    key: 'timer',
    flag: 'timer',
    type: 'duration',
    unit: 'ns',
    default: 1_000_000,
    help: 'length of each timer op (--op timer)',
    ops: ['timer', 'mix'],
    native: 'workload.timerNs',
    fromSpec: (spec) => spec.timerNs,
  },
  {
    key: 'ringSize',
    flag: 'ring-size',
    type: 'int',
    unit: 'entries',
    min: 1,
    max: MAX_RING_ENTRIES,
    maxWhy: `the kernel maximum is ${MAX_RING_ENTRIES} entries`,
    help: `loop capacity (waiters and queue), rounded up to a power of two; at most ${MAX_RING_ENTRIES} (${MAX_RING_ENTRIES / 2} with --op-timeout)`,
    defaultHelp: 'room for submitters x depth, at least 128',
    native: 'loop.size',
    fromSpec: (spec) => spec.loop.ringSize,
  },
  {
    key: 'opTimeout',
    flag: 'op-timeout',
    type: 'duration',
    unit: 'ns',
    orNone: true,
    help: 'link every op to a timeout of this length (reports -ETIMEDOUT)',
    needs: 'LINK_TIMEOUT',
    native: 'loop.opTimeoutNs',
    fromSpec: (spec) => spec.loop.opTimeoutNs,
  },
  {
    key: 'shutdownTimeout',
    flag: 'shutdown-timeout',
    type: 'duration',
    unit: 'ns',
    orNone: true,
    help: 'abandon ops still in flight this long after the submitters are gone',
    native: 'loop.shutdownTimeoutNs',
    fromSpec: (spec) => spec.loop.shutdownTimeoutNs,
  },
  {
    key: 'wait',
    flag: 'wait',
    type: 'wait',
    help:
      'how the loop and its submitters wait for work: sleep (block at once), spin=DUR (spin up to DUR, then block), ' +
      `adaptive (spin up to a budget learned from what spins found, at most ${ADAPTIVE_MAX_SPIN_NS / 1000}µs; adaptive=MAX sets the most); ` +
      'no spin while nothing is in flight (a cross-CPU wake costs tens of µs on VMs; spinning costs CPU)',
    helpValue: 'sleep|spin=DUR|adaptive',
    defaultHelp: DEFAULT_WAIT,
    native: 'loop.wait',
    fromSpec: (spec) => spec.loop.wait,
  },
  {
    key: 'spin',
    flag: 'spin',
    type: 'duration',
    unit: 'ns',
    help: 'shorthand for --wait spin=DUR (0: sleep)',
  },
  {
    key: 'wake',
    flag: 'wake',
    type: 'enum',
    values: WAKE_MECHANISMS,
    defaultHelp: `${DEFAULT_WAKE}; none in the same-thread design`,
    help: 'how submitters wake a sleeping loop: eventfd (write + multishot poll), futex (park on a futex word when idle, eventfd while ops are in flight), msg-ring (a CQE posted with IORING_OP_MSG_RING, Linux 5.18), futex-op (an IORING_OP_FUTEX_WAIT the loop keeps armed, Linux 6.7) or busy-poll (never sleep: costs a core)',
    needs: {'msg-ring': 'MSG_RING', 'futex-op': 'FUTEX_WAIT'},
    native: 'loop.wake',
    fromSpec: (spec) => spec.loop.wake,
  },
  {
    key: 'singleIssuer',
    flag: 'single-issuer',
    type: 'bool',
    help: 'create the ring with SINGLE_ISSUER: only the thread that made it submits (Linux 6.0+)',
    needs: 'SINGLE_ISSUER',
    native: 'loop.singleIssuer',
    fromSpec: (spec) => spec.loop.singleIssuer,
  },
  {
    key: 'deferTaskrun',
    flag: 'defer-taskrun',
    type: 'bool',
    help: 'create the ring with SINGLE_ISSUER|DEFER_TASKRUN: completion work runs only when the issuer enters to get events (Linux 6.1+)',
    needs: ['SINGLE_ISSUER', 'DEFER_TASKRUN'],
    native: 'loop.deferTaskrun',
    fromSpec: (spec) => spec.loop.deferTaskrun ?? false,
  },
  {
    key: 'coopTaskrun',
    flag: 'coop-taskrun',
    type: 'bool',
    help: 'create the ring with COOP_TASKRUN: completion work waits for the next kernel entry instead of interrupting the thread (Linux 5.19+)',
    needs: 'COOP_TASKRUN',
    native: 'loop.coopTaskrun',
    fromSpec: (spec) => spec.loop.coopTaskrun ?? false,
  },
  {
    key: 'taskrunFlag',
    flag: 'taskrun-flag',
    type: 'bool',
    help: 'COOP_TASKRUN plus TASKRUN_FLAG: the kernel flags the SQ ring when completion work waits (Linux 5.19+)',
    needs: ['COOP_TASKRUN', 'TASKRUN_FLAG'],
    native: 'loop.taskrunFlag',
    fromSpec: (spec) => spec.loop.taskrunFlag ?? false,
  },
  {
    key: 'sqpoll',
    flag: 'sqpoll',
    type: 'bool',
    help: "create the ring with SQPOLL: a kernel thread (iou-sqp) takes the SQEs, so submitting needs no enter while it is awake; its CPU is counted in the process's",
    needs: 'SQPOLL',
    native: 'loop.sqpoll',
    fromSpec: (spec) => spec.loop.sqpoll ?? false,
  },
  {
    key: 'sqpollIdle',
    flag: 'sqpoll-idle',
    type: 'duration',
    unit: 'ns',
    min: 1e6,
    max: 60e9,
    help: "with --sqpoll: how long the SQ thread polls without work before it sleeps (whole ms; the kernel's default 1s)",
    native: 'loop.sqThreadIdleNs',
    fromSpec: (spec) => spec.loop.sqpollIdleNs,
  },
  {
    key: 'sqpollCpu',
    flag: 'sqpoll-cpu',
    type: 'int',
    min: 0,
    help: 'with --sqpoll: pin the SQ thread to this CPU (SQ_AFF)',
    needs: 'SQ_AFF',
    native: 'loop.sqThreadCpu',
    fromSpec: (spec) => spec.loop.sqpollCpu,
  },
  {
    key: 'cqSize',
    flag: 'cq-size',
    type: 'int',
    unit: 'entries',
    min: 1,
    max: 2 * MAX_RING_ENTRIES,
    maxWhy: `the kernel allows twice the ${MAX_RING_ENTRIES} SQ entries`,
    help: "CQ entries (CQSIZE), at least the ring's SQ entries",
    defaultHelp: "the kernel's: twice the SQ entries",
    needs: 'CQSIZE',
    native: 'loop.cqEntries',
    fromSpec: (spec) => spec.loop.cqSize,
  },
  {
    key: 'submitAll',
    flag: 'submit-all',
    type: 'bool',
    help: 'create the ring with SUBMIT_ALL: a submit goes on past an SQE that fails at once (Linux 5.18+)',
    needs: 'SUBMIT_ALL',
    native: 'loop.submitAll',
    fromSpec: (spec) => spec.loop.submitAll ?? false,
  },
  {
    key: 'noSqarray',
    flag: 'no-sqarray',
    type: 'bool',
    help: 'create the ring with NO_SQARRAY: the SQ tail indexes the SQEs directly, with no index array between (Linux 6.6+)',
    needs: 'NO_SQARRAY',
    native: 'loop.noSqarray',
    fromSpec: (spec) => spec.loop.noSqarray ?? false,
  },
  {
    key: 'ringFd',
    flag: 'ring-fd',
    type: 'bool',
    help: "register the ring's own fd (REGISTER_RING_FDS) and enter through its index: no fd lookup per enter (Linux 5.18+)",
    needs: 'REGISTER_RING_FDS',
    native: 'loop.registerRingFd',
    fromSpec: (spec) => spec.loop.ringFd ?? false,
  },
  {
    key: 'ioPoll',
    flag: 'io-poll',
    type: 'bool',
    help: 'create the ring with IOPOLL',
    needs: 'IOPOLL',
    native: 'loop.ioPoll',
    fromSpec: (spec) => spec.loop.ioPoll,
  },
  {
    key: 'submitters',
    flag: 'submitters',
    type: 'int',
    unit: 'threads',
    default: 1,
    min: 1,
    max: 256,
    help: 'submitter threads',
    native: 'drive.submitters',
    fromSpec: (spec) => spec.drive.submitters,
  },
  {
    key: 'design',
    flag: 'design',
    type: 'enum',
    values: DESIGNS,
    default: 'cross-thread',
    help: "cross-thread: submitter threads hand ops to the loop thread (queue + wake); same-thread: each submitter drives a loop of its own on that loop's thread, no hand-off (N submitters: N loops, a thread-per-core runtime)",
    native: 'drive.design',
    fromSpec: (spec) => spec.drive.design,
  },
  {
    key: 'depth',
    flag: 'depth',
    type: 'int',
    unit: 'ops',
    min: 1,
    max: 32768,
    help: 'ops each submitter keeps outstanding (open loop: at most in flight)',
    defaultHelp: '1; 256 with --rate',
    native: 'drive.depth',
    fromSpec: (spec) => spec.drive.depth,
  },
  {
    key: 'duration',
    flag: 'duration',
    type: 'duration',
    unit: 'ns',
    default: 2_000_000_000,
    help: 'length of the measured phase',
    native: 'drive.durationNs',
    fromSpec: (spec) => spec.drive.durationNs,
  },
  {
    key: 'ops',
    flag: 'ops',
    type: 'int',
    unit: 'ops',
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
    help: 'run this many measured ops instead of a duration',
    native: 'drive.ops',
    fromSpec: (spec) => spec.drive.ops,
  },
  {
    key: 'warmup',
    flag: 'warmup',
    type: 'duration',
    unit: 'ns',
    default: 200_000_000,
    help: 'warm-up before measuring (not recorded)',
    native: 'drive.warmupNs',
    fromSpec: (spec) => spec.drive.warmupNs,
  },
  {
    key: 'idle',
    flag: 'idle',
    type: 'duration',
    unit: 'ns',
    help: "after the measured phase, keep the loop up this long with nothing to do and report the process's CPU over it, as a share of one core",
    defaultHelp: '0, not measured',
    native: 'drive.idleNs',
    fromSpec: (spec) => spec.drive.idleNs,
  },
  {
    key: 'vs',
    flag: 'vs',
    type: 'list',
    values: BASELINES,
    default: ['raw'],
    help: `baselines to run the same ops through: ${BASELINES.join(', ')} (fio, node-fs and node-fs-uring: file workloads; node-fs-uring is node-fs with libuv's io_uring asked for, UV_USE_IO_URING=1)`,
  },
  {
    key: 'blockSize',
    flag: 'block-size',
    type: 'size',
    unit: 'bytes',
    default: 4096,
    min: 1,
    max: 64 * 1024 ** 2,
    help: 'bytes per file op',
    group: 'FILE',
    ops: FILE_OPS,
    native: 'file.blockSize',
    fromSpec: (spec) => spec.file?.blockSize,
  },
  {
    key: 'random',
    flag: 'random',
    type: 'bool',
    help: 'random block offsets (default: sequential)',
    group: 'FILE',
    ops: FILE_OPS,
    native: 'file.random',
    fromSpec: (spec) => spec.file?.random,
  },
  {
    key: 'direct',
    flag: 'direct',
    type: 'bool',
    help: 'O_DIRECT: bypass the page cache (block size a multiple of 512)',
    group: 'FILE',
    ops: FILE_OPS,
    native: 'file.direct',
    fromSpec: (spec) => spec.file?.direct,
  },
  {
    key: 'fileSize',
    flag: 'file-size',
    type: 'size',
    unit: 'bytes',
    default: 1024 ** 3,
    help: 'size of the file the tool lays out, or how much of --file to use',
    group: 'FILE',
    ops: FILE_OPS,
    native: 'file.sizeBytes',
    fromSpec: (spec) => spec.file?.sizeBytes,
  },
  {
    key: 'file',
    flag: 'file',
    type: 'path',
    help: 'read this existing file or block device instead (read only; never written)',
    group: 'FILE',
    ops: FILE_OPS,
    native: 'file.path',
    fromSpec: (spec) => spec.file?.path,
  },
  {
    key: 'fsyncEvery',
    flag: 'fsync-every',
    type: 'int',
    unit: 'ops',
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    help: 'an fsync after every N writes of each submitter',
    group: 'FILE',
    ops: ['file-write', 'mix'],
    native: 'file.fsyncEvery',
    fromSpec: (spec) => spec.file?.fsyncEvery,
  },
  {
    key: 'writevBuffers',
    flag: 'writev-buffers',
    type: 'int',
    min: 1,
    max: 1024,
    help: 'write each block with writev from K buffers',
    group: 'FILE',
    ops: ['file-write', 'mix'],
    native: 'file.writevBuffers',
    fromSpec: (spec) => spec.file?.writevBuffers,
  },
  {
    key: 'fixedFiles',
    flag: 'fixed-files',
    type: 'bool',
    help: "register the file in the ring's file table (a sparse table and an update; REGISTER_FILES before 5.19) and name it by index (IOSQE_FIXED_FILE): no fd lookup per op",
    group: 'FILE',
    ops: FILE_OPS,
    needs: 'REGISTER_FILES',
    native: 'file.fixedFiles',
    fromSpec: (spec) => spec.file?.fixedFiles,
  },
  {
    key: 'fixedBuffers',
    flag: 'fixed-buffers',
    type: 'bool',
    help: `read into and write from a buffer per in-flight op registered with the ring (REGISTER_BUFFERS; READ_FIXED, WRITE_FIXED): no page mapping per op; at most ${MAX_FIXED_BUFFERS} ops in flight`,
    group: 'FILE',
    ops: FILE_OPS,
    needs: ['REGISTER_BUFFERS', 'READ_FIXED', 'WRITE_FIXED'],
    native: 'file.fixedBuffers',
    fromSpec: (spec) => spec.file?.fixedBuffers,
  },
  {
    key: 'transport',
    flag: 'transport',
    type: 'enum',
    values: TRANSPORTS,
    default: 'unix',
    help: 'socket transport',
    group: 'SOCKET',
    ops: SOCKET_OPS,
    native: 'socket.transport',
    fromSpec: (spec) => spec.socket?.transport,
  },
  {
    key: 'messageSize',
    flag: 'message-size',
    type: 'size',
    unit: 'bytes',
    default: 4096,
    min: 1,
    max: MAX_MESSAGE_SIZE,
    maxWhy: 'a connection sends a message, then receives it, so it must fit in the socket buffer',
    help: 'bytes per message, at most 64k',
    group: 'SOCKET',
    ops: SOCKET_OPS,
    native: 'socket.messageSize',
    fromSpec: (spec) => spec.socket?.messageSize,
  },
  {
    key: 'sendZc',
    flag: 'send-zc',
    type: 'bool',
    help: 'send with SEND_ZC (TCP only): each send ends when both its CQEs arrived, its result and the notification that the kernel is done with the buffer',
    group: 'SOCKET',
    ops: SOCKET_OPS,
    needs: 'SEND_ZC',
    native: 'socket.sendZc',
    fromSpec: (spec) => spec.socket?.sendZc,
  },
  {
    key: 'multishotRecv',
    flag: 'multishot-recv',
    type: 'bool',
    help: 'receive through one multishot RECV per connection (Linux 6.0), armed for the whole run, taking buffers from a provided buffer ring of its own (REGISTER_PBUF_RING); a ring that runs dry ends it with ENOBUFS, counted, and it is armed again',
    group: 'SOCKET',
    ops: ['socket'],
    // What the probe can see: the buffer ring (5.19). Multishot RECV itself (6.0) has no probe
    // bit; on 5.19 the run stops with the kernel's EINVAL, naming 6.0.
    needs: 'REGISTER_PBUF_RING',
    // The switch is sent as the ring's buffer count (0: off), which --recv-buffers only sizes.
    native: 'socket.recvBuffers',
    fromSpec: (spec) => spec.socket?.multishotRecv?.buffers,
  },
  {
    key: 'recvBuffers',
    flag: 'recv-buffers',
    type: 'int',
    min: 1,
    max: MAX_RECV_BUFFERS,
    defaultHelp: `${DEFAULT_RECV_BUFFERS}`,
    help: 'buffers in the buffer ring of each connection with --multishot-recv, a power of two',
    group: 'SOCKET',
    ops: ['socket'],
  },
  {
    key: 'recvBufferSize',
    flag: 'recv-buffer-size',
    type: 'size',
    unit: 'bytes',
    min: 1,
    max: MAX_MESSAGE_SIZE,
    defaultHelp: 'the message size',
    help: 'bytes per buffer of --multishot-recv; smaller than a message, a message comes in several',
    group: 'SOCKET',
    ops: ['socket'],
    native: 'socket.recvBufferSize',
    fromSpec: (spec) => spec.socket?.multishotRecv?.bufferSize,
  },
  {
    key: 'connections',
    flag: 'connections',
    type: 'int',
    min: 1,
    max: 32768,
    help: 'connections per submitter; each carries one message at a time, so this is the socket depth',
    group: 'SOCKET',
    ops: SOCKET_OPS,
  },
  {
    key: 'mix',
    flag: 'mix',
    type: 'mix',
    values: MIX_KINDS,
    help: 'kinds and weights for --op mix, e.g. file-read=3,socket=1',
    helpValue: 'KIND=WEIGHT,...',
    ops: ['mix'],
    native: 'workload.mix',
    fromSpec: (spec) => (spec.op === 'mix' ? spec.mix : undefined),
  },
  {
    key: 'rate',
    flag: 'rate',
    type: 'number',
    unit: 'ops/s',
    min: 0,
    above: true,
    max: 100_000_000,
    help: 'open loop: ops due per second, in total',
    group: 'OPEN LOOP',
    native: 'drive.rate',
    fromSpec: (spec) => spec.drive.rate,
  },
  {
    key: 'arrivals',
    flag: 'arrivals',
    type: 'enum',
    values: ARRIVALS,
    default: 'uniform',
    help: 'open loop arrivals',
    group: 'OPEN LOOP',
    native: 'drive.arrivals',
    fromSpec: (spec) => spec.drive.arrivals,
  },
  {
    key: 'submitBatch',
    flag: 'submit-batch',
    type: 'int',
    min: 1,
    max: MAX_RING_ENTRIES,
    help: 'the loop submits staged ops after at most N, so ops that complete inline come back sooner',
    defaultHelp: 'all that are queued',
    native: 'loop.submitBatch',
    fromSpec: (spec) => spec.loop.submitBatch,
  },
] as const satisfies readonly Setting[]

type Row = (typeof SETTINGS)[number]
export type SettingKey = Row['key']

export const SETTING = Object.fromEntries(SETTINGS.map((row) => [row.key, row])) as {[K in SettingKey]: Extract<Row, {key: K}> & Setting}

/** Where each setting came from, in the user's terms: a flag (`--depth`) or a profile place (`file:3: workloads[0].depth`). */
export type FieldLabels = Record<SettingKey, string>

export function flagLabels(): FieldLabels {
  return Object.fromEntries(SETTINGS.map((row) => [row.key, `--${row.flag}`])) as FieldLabels
}

export function profileLabels(at: (key: SettingKey) => string): FieldLabels {
  return Object.fromEntries(SETTINGS.map((row) => [row.key, at(row.key)])) as FieldLabels
}

/** The keys of the settings in a help group. */
export function settingsIn(group: HelpGroup): SettingKey[] {
  return SETTINGS.filter((row: Setting) => row.group === group).map((row) => row.key)
}

/** Native request fields that are no setting's: the request's frame, and what the run resolves. */
const NATIVE_RUN_FIELDS = ['system', 'progressIntervalMs', 'workload.seed', 'workload.file', 'workload.socket', 'file.verify'] as const

/** Every field of the native bench request, as `group.name` (top-level ones bare). */
export function nativeRequestFields(): string[] {
  const fromSettings = SETTINGS.flatMap((row: Setting) => (row.native ? [row.native] : []))
  return [...fromSettings, ...NATIVE_RUN_FIELDS]
}

/** A value the request sends as null when it is undefined. */
type NullWhenUnset<V> = undefined extends V ? Exclude<V, undefined> | null : V

type NativeRow = Extract<Row, {native: string}>
type GroupOf<Field> = Field extends `${infer G}.${string}` ? G : never
type NativeGroupName = GroupOf<NativeRow['native']>

/** The native settings by request group, each field typed by its row's value in a workload (null where that may be unset). */
export type NativeSettings = {
  [G in NativeGroupName]: {
    [R in NativeRow as R['native'] extends `${G}.${infer N}` ? N : never]: NullWhenUnset<ReturnType<R['fromSpec']>>
  }
}

/** Each native setting's value in `spec` by request group (`loop`, `workload`, `file`...), null where unset. */
export function nativeSettings(spec: WorkloadSpec): NativeSettings {
  const groups: Record<string, Record<string, unknown>> = {}
  for (const row of SETTINGS as readonly Setting[]) {
    if (!row.native) continue
    const [group, name] = row.native.split('.') as [string, string]
    groups[group] = {...groups[group], [name]: row.fromSpec(spec) ?? null}
  }
  return groups as NativeSettings
}

/** A default as a user writes it. */
export function defaultText(row: Setting): string | undefined {
  if (row.defaultHelp !== undefined) return row.defaultHelp
  if (row.default === undefined) return undefined
  if (row.type === 'size') return sizeInput(row.default as number)
  if (row.type === 'duration') return durationInput(row.default as number)
  return Array.isArray(row.default) ? row.default.join(',') : String(row.default)
}
