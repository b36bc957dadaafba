import {Flags} from '@oclif/core'

import {MeasureCommand} from '../base-command.js'
import {runSession} from '../bench/session.js'
import {type FieldLabels, parseMix, toWorkloadSpec} from '../bench/spec.js'
import {durationFlag, durationOrNoneFlag, integerFlag, listFlag, numberFlag, refuseBoth, sizeFlag} from '../flags.js'
import type {ResultDocument} from '../model/result.js'
import {ARRIVALS, BASELINES, MIX_KINDS, OPS, TRANSPORTS} from '../model/workload.js'

const LABELS: FieldLabels = {
  op: '--op',
  timer: '--timer',
  ringSize: '--ring-size',
  opTimeout: '--op-timeout',
  shutdownTimeout: '--shutdown-timeout',
  submitters: '--submitters',
  depth: '--depth',
  duration: '--duration',
  ops: '--ops',
  warmup: '--warmup',
  vs: '--vs',
  blockSize: '--block-size',
  random: '--random',
  direct: '--direct',
  fileSize: '--file-size',
  file: '--file',
  fsyncEvery: '--fsync-every',
  writevBuffers: '--writev-buffers',
  transport: '--transport',
  messageSize: '--message-size',
  connections: '--connections',
  mix: '--mix',
  rate: '--rate',
  arrivals: '--arrivals',
  submitBatch: '--submit-batch',
}

const FILE_GROUP = 'FILE'
const SOCKET_GROUP = 'SOCKET'
const OPEN_LOOP_GROUP = 'OPEN LOOP'

export default class Bench extends MeasureCommand {
  static override summary = 'Run one workload from flags, through the loop and side by side with baselines.'

  static override description = `Each op goes submitter thread -> bounded MPSC -> loop thread -> SQE -> kernel -> CQE -> loop thread -> back to its submitter, which records the latency. Baselines run the same op, size, depth and file in the same run, and every figure gets its ratio: raw (a minimal single-thread liburing loop), fio (its io_uring engine, file workloads) and node-fs (Node's fs.promises FileHandle, file workloads).

File workloads lay out their own file in the temporary directory ($TMPDIR, else /tmp), say where, and remove it afterwards; every block holds self-describing data, so reads are checked as they complete and writes are read back after the run. --file reads your file or device instead (never writes to it).

Closed loop by default (each submitter keeps --depth ops outstanding). With --rate the loop is open: ops fall due on a schedule whatever is in flight (up to --depth per submitter, 256 by default), latency runs from each op's due time (response time) and from its issue (service time), so a system that falls behind shows it.`

  // Each example runs as printed (test/commands/help.test.ts runs them all), so they are short.
  static override examples = [
    {
      description: 'Peak NOP rate with 256 ops in flight, next to the raw ring:',
      command: '<%= config.bin %> <%= command.id %> --op nop --depth 256 --duration 200ms',
    },
    {
      description: '4 KiB random reads of a 64 MiB file at depth 32, next to the raw ring, fio and Node:',
      command:
        '<%= config.bin %> <%= command.id %> --op file-read --block-size 4k --random --depth 32 --file-size 64m --duration 200ms --vs raw,fio,node-fs',
    },
    {
      description: 'Vectored writes with an fsync every 64, read back after the run:',
      command:
        '<%= config.bin %> <%= command.id %> --op file-write --random --depth 16 --writev-buffers 4 --fsync-every 64 --file-size 64m --duration 200ms',
    },
    {
      description: 'Messages over TCP loopback, 8 connections:',
      command: '<%= config.bin %> <%= command.id %> --op socket --transport tcp --connections 8 --message-size 1k --duration 200ms',
    },
    {
      description: 'A mix, reported per kind:',
      command: '<%= config.bin %> <%= command.id %> --op mix --mix file-read=3,socket=1,nop=1 --depth 16 --file-size 64m --duration 200ms',
    },
    {
      description: 'Open loop at 50 k ops/s with Poisson arrivals:',
      command:
        '<%= config.bin %> <%= command.id %> --op file-read --random --rate 50000 --arrivals poisson --file-size 64m --duration 200ms',
    },
    {
      description: 'Timer accuracy of 1 ms timeouts, 8 at a time:',
      command: '<%= config.bin %> <%= command.id %> --op timer --timer 1ms --depth 8 --duration 200ms',
    },
    {
      description: 'The result as JSON, kept to render again (see report):',
      command: '<%= config.bin %> <%= command.id %> --op nop --ops 100000 --json > result.json',
    },
  ]

  static override flags = {
    op: Flags.string({description: `operation to run: ${OPS.join(', ')}`, default: 'nop'}),
    timer: durationFlag({description: 'length of each timer op (--op timer)', default: 1_000_000}),
    'ring-size': integerFlag({
      description:
        'loop capacity (waiters and queue), rounded up to a power of two; at most 32768 (16384 with --op-timeout) [default: room for submitters x depth, at least 128]',
    }),
    // DURATION|none as in shutdown-drill; none is also what leaving them out means.
    'op-timeout': durationOrNoneFlag({description: 'link every op to a timeout of this length (reports -ETIMEDOUT), or none'}),
    'shutdown-timeout': durationOrNoneFlag({description: 'abandon ops still in flight this long after the submitters are gone, or none'}),
    'single-issuer': Flags.boolean({description: 'create the ring with SINGLE_ISSUER|DEFER_TASKRUN (Linux 6.1+)'}),
    'io-poll': Flags.boolean({description: 'create the ring with IOPOLL'}),
    'submit-batch': integerFlag({
      description:
        'the loop submits staged ops after at most N, so ops that complete inline come back sooner [default: all that are queued]',
    }),
    spin: durationFlag({
      description:
        'poll this long for work before sleeping, in the loop and its submitters (a cross-CPU wake costs tens of µs on VMs; spinning costs CPU) [default: 0, sleep at once]',
    }),
    submitters: integerFlag({description: 'submitter threads', default: 1}),
    depth: integerFlag({description: 'ops each submitter keeps outstanding (open loop: at most in flight) [default: 1; 256 with --rate]'}),
    duration: durationFlag({description: 'length of the measured phase', default: 2_000_000_000}),
    ops: integerFlag({description: 'run this many measured ops instead of a duration'}),
    warmup: durationFlag({description: 'warm-up before measuring (not recorded)', default: 200_000_000}),
    vs: listFlag({
      description: `baselines to run the same ops through: ${BASELINES.join(', ')} (fio and node-fs: file workloads), or none`,
      default: ['raw'],
      defaultHelp: async () => 'raw',
    }),
    'block-size': sizeFlag({description: 'bytes per file op [default: 4k]', helpGroup: FILE_GROUP}),
    random: Flags.boolean({description: 'random block offsets (default: sequential)', helpGroup: FILE_GROUP}),
    direct: Flags.boolean({description: 'O_DIRECT: bypass the page cache (block size a multiple of 512)', helpGroup: FILE_GROUP}),
    'file-size': sizeFlag({
      description: 'size of the file the tool lays out, or how much of --file to use [default: 1g]',
      helpGroup: FILE_GROUP,
    }),
    file: Flags.string({description: 'read this existing file or block device instead (read only; never written)', helpGroup: FILE_GROUP}),
    'fsync-every': integerFlag({description: 'an fsync after every N writes of each submitter', helpGroup: FILE_GROUP}),
    'writev-buffers': integerFlag({description: 'write each block with writev from K buffers', helpGroup: FILE_GROUP}),
    transport: Flags.string({description: `socket transport: ${TRANSPORTS.join(', ')} [default: unix]`, helpGroup: SOCKET_GROUP}),
    'message-size': sizeFlag({description: 'bytes per message, at most 64k [default: 4k]', helpGroup: SOCKET_GROUP}),
    connections: integerFlag({
      description: 'connections per submitter; each carries one message at a time, so this is the socket depth',
      helpGroup: SOCKET_GROUP,
    }),
    mix: Flags.string({
      description: `kinds and weights for --op mix, e.g. file-read=3,socket=1 (kinds: ${MIX_KINDS.join(', ')})`,
      helpValue: 'KIND=WEIGHT,...',
    }),
    rate: numberFlag({description: 'open loop: ops due per second, in total', helpGroup: OPEN_LOOP_GROUP}),
    arrivals: Flags.string({description: `open loop arrivals: ${ARRIVALS.join(', ')} [default: uniform]`, helpGroup: OPEN_LOOP_GROUP}),
  }

  async run(): Promise<ResultDocument> {
    const {flags, raw} = await this.parse(Bench)
    refuseBoth(raw, 'ops', 'duration', 'give a number of measured ops or a duration, not both')
    this.planOutput(flags, 'result')
    const spec = toWorkloadSpec(
      {
        name: flags.op,
        op: flags.op,
        timerNs: flags.timer,
        ringSize: flags['ring-size'],
        ioPoll: flags['io-poll'] ?? false,
        singleIssuer: flags['single-issuer'] ?? false,
        opTimeoutNs: flags['op-timeout'] ?? undefined,
        shutdownTimeoutNs: flags['shutdown-timeout'] ?? undefined,
        idleSpinNs: flags.spin,
        submitBatch: flags['submit-batch'],
        submitters: flags.submitters,
        depth: flags.depth,
        durationNs: flags.duration,
        ops: flags.ops,
        warmupNs: flags.warmup,
        rate: flags.rate,
        arrivals: flags.arrivals,
        mix: flags.mix === undefined ? undefined : parseMix(flags.mix, LABELS.mix),
        file: flags.file,
        fileSizeBytes: flags['file-size'],
        blockSize: flags['block-size'],
        random: flags.random,
        direct: flags.direct,
        fsyncEvery: flags['fsync-every'],
        writevBuffers: flags['writev-buffers'],
        transport: flags.transport,
        messageSize: flags['message-size'],
        connections: flags.connections,
        vs: flags.vs.includes('none') ? [] : flags.vs,
      },
      LABELS,
    )
    const outcome = await runSession([spec], {toolVersion: this.config.version, progress: !this.jsonEnabled()})
    return this.report(outcome)
  }
}
