import {Flags} from '@oclif/core'

import {MeasureCommand} from '../base-command.js'
import {runSession} from '../bench/session.js'
import {BASELINES, checkWorkload, defaultRingSize, type FieldLabels, OPS, type WorkloadSpec} from '../bench/spec.js'
import {durationFlag, integerFlag, listFlag} from '../flags.js'
import type {ResultDocument} from '../report/result.js'

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
}

export default class Bench extends MeasureCommand {
  static override summary = 'Run one workload from flags, through the loop and side by side with baselines.'

  static override description = `Each op goes submitter thread -> bounded MPSC -> loop thread -> SQE -> kernel -> CQE -> loop thread -> back to its submitter, which records the latency. With --vs raw the same ops also run through a minimal single-thread liburing loop, and every figure gets its ratio to it.`

  static override examples = [
    {description: 'Peak NOP rate with 256 ops in flight, next to the raw ring:', command: '<%= config.bin %> <%= command.id %> --op nop --depth 256'},
    {description: 'Timer accuracy of 1 ms timeouts, 8 at a time:', command: '<%= config.bin %> <%= command.id %> --op timer --timer 1ms --depth 8'},
    {description: 'What linked op timeouts cost per op:', command: '<%= config.bin %> <%= command.id %> --op nop --depth 32 --op-timeout 1s'},
    {description: 'Machine-readable result:', command: '<%= config.bin %> <%= command.id %> --op nop --ops 100000 --json'},
  ]

  static override flags = {
    op: Flags.string({description: `operation to run: ${OPS.join(', ')}`, default: 'nop'}),
    timer: durationFlag({description: 'length of each timer op (--op timer)', default: 1_000_000, defaultHelp: async () => '1ms'}),
    'ring-size': integerFlag({description: 'loop capacity (waiters and queue), rounded up to a power of two; at most 32768 (16384 with --op-timeout) [default: room for submitters x depth, at least 128]'}),
    'op-timeout': durationFlag({description: 'link every op to a timeout of this length (reports -ETIMEDOUT)'}),
    'shutdown-timeout': durationFlag({description: 'abandon ops still in flight this long after the submitters are gone'}),
    'single-issuer': Flags.boolean({description: 'create the ring with SINGLE_ISSUER|DEFER_TASKRUN (Linux 6.1+)'}),
    'io-poll': Flags.boolean({description: 'create the ring with IOPOLL'}),
    submitters: integerFlag({description: 'submitter threads', default: 1}),
    depth: integerFlag({description: 'ops each submitter keeps outstanding', default: 1}),
    duration: durationFlag({description: 'length of the measured phase', default: 2_000_000_000, defaultHelp: async () => '2s', exclusive: ['ops']}),
    ops: integerFlag({description: 'run this many measured ops instead of a duration', exclusive: ['duration']}),
    warmup: durationFlag({description: 'warm-up before measuring (not recorded)', default: 200_000_000, defaultHelp: async () => '200ms'}),
    vs: listFlag({description: `baselines to run the same ops through: ${BASELINES.join(', ')}, or none`, default: ['raw'], defaultHelp: async () => 'raw'}),
  }

  async run(): Promise<ResultDocument> {
    const {flags} = await this.parse(Bench)
    const plan = this.outputPlan(flags)
    const drive = {
      submitters: flags.submitters,
      depth: flags.depth,
      durationNs: flags.ops ? 0 : flags.duration,
      ops: flags.ops ?? 0,
      warmupNs: flags.warmup,
    }
    const timed = flags['op-timeout'] !== undefined
    const spec = checkWorkload(
      {
        name: flags.op,
        op: flags.op as WorkloadSpec['op'],
        timerNs: flags.timer,
        loop: {
          ringSize: flags['ring-size'] ?? defaultRingSize(drive, timed),
          ioPoll: flags['io-poll'] ?? false,
          singleIssuer: flags['single-issuer'] ?? false,
          opTimeoutNs: flags['op-timeout'],
          shutdownTimeoutNs: flags['shutdown-timeout'],
        },
        drive,
        vs: flags.vs.includes('none') ? [] : (flags.vs as WorkloadSpec['vs']),
      },
      LABELS,
    )
    const outcome = await runSession([spec], {toolVersion: this.config.version, progress: !this.jsonEnabled()})
    return this.report(outcome, plan)
  }
}
