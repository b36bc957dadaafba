import {Flags} from '@oclif/core'

import {MeasureCommand} from '../base-command.js'
import {COMPARE_TRIALS, COMPARE_WARMUP_NS, runComparison} from '../bench/compare.js'
import {runSession} from '../bench/session.js'
import {invalidValue} from '../errors.js'
import {integerFlag, refuseBoth} from '../flags.js'
import {DEFAULT_GATE} from '../gate/gate.js'
import type {ResultDocument} from '../model/result.js'
import {inputFromFlags, workloadFlags} from '../settings/flags.js'
import {flagLabels} from '../settings/table.js'
import {toWorkloadSpec} from '../settings/workload.js'
import {durationInput} from '../units.js'

const LABELS = flagLabels()

export default class Bench extends MeasureCommand {
  static override summary = 'Run one workload from flags, through the loop and side by side with baselines.'

  static override description = `Each op goes submitter thread -> bounded MPSC -> loop thread -> SQE -> kernel -> CQE -> loop thread -> back to its submitter, which records the latency. Baselines run the same op, size, depth and file in the same run, and every figure gets its ratio: raw (a minimal single-thread liburing loop, with the same ring knobs), fio (its io_uring engine given the equivalent options, file workloads), node-fs (Node's fs.promises FileHandle, file workloads, in a Node process of its own) and node-fs-uring (the same with libuv's io_uring asked for, UV_USE_IO_URING=1).

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
      description:
        "The loop's bookkeeping alone, driven on the loop's own thread with no hand-off (vs raw: the bookkeeping tax; vs the default design: the hand-off tax):",
      command: '<%= config.bin %> <%= command.id %> --design same-thread --op nop --depth 32 --duration 200ms',
    },
    {
      description: 'Timer accuracy of 1 ms timeouts, 8 at a time:',
      command: '<%= config.bin %> <%= command.id %> --op timer --timer 1ms --depth 8 --duration 200ms',
    },
    {
      description:
        'Price two ring knobs on this kernel: their four combinations, trials interleaved, each divided by the first with its interval (use 5 trials of 1s to judge):',
      command:
        '<%= config.bin %> <%= command.id %> --op nop --depth 32 --compare defer-taskrun=off,on --compare ring-fd=off,on --trials 2 --duration 100ms',
    },
    {
      description: 'SQPOLL with a 10 ms idle against the loop as given, each next to the raw ring with the same knobs:',
      command: "<%= config.bin %> <%= command.id %> --config 'sqpoll=on sqpoll-idle=10ms' --vs raw --depth 32 --trials 2 --duration 100ms",
    },
    {
      description: 'The result as JSON, kept to render again (see report):',
      command: '<%= config.bin %> <%= command.id %> --op nop --ops 100000 --json > result.json',
    },
  ]

  static override flags = {
    ...workloadFlags(),
    compare: Flags.string({
      multiple: true,
      helpValue: 'KNOB=A,B',
      description: `price configurations side by side: each value of the knob (any workload flag, booleans on/off) in turn; several --compare multiply out. Trials interleave (A B C A B C ...); each configuration is divided by the first (the flags as given unless listed), with a ${Math.round(DEFAULT_GATE.confidence * 100)}% interval and ~ where the trials cannot tell them apart. Without --vs only the loop runs; --warmup is ${durationInput(COMPARE_WARMUP_NS)} unless given`,
    }),
    config: Flags.string({
      multiple: true,
      helpValue: "'KNOB=V KNOB=V'",
      description:
        'one whole configuration to compare, knob=value pairs separated by spaces; repeat for more (after the --compare product)',
    }),
    trials: integerFlag({
      description: `runs of the workload (of each configuration), interleaved [default: ${COMPARE_TRIALS} with --compare or --config, more from 8 configurations on so that a difference can be significant among them, else 1]`,
    }),
  }

  async run(): Promise<ResultDocument> {
    const {flags, raw} = await this.parse(Bench)
    refuseBoth(raw, 'ops', 'duration', 'give a number of measured ops or a duration, not both')
    if (flags.trials !== undefined && flags.trials < 1) throw invalidValue('--trials', flags.trials, 'run at least 1 trial')
    this.planOutput(flags, 'result')
    const session = {toolVersion: this.config.version, progress: !this.jsonEnabled(), trials: flags.trials}
    if (flags.compare || flags.config) {
      const explicit = (flag: string): boolean => raw.some((token) => token.type === 'flag' && token.flag === flag)
      const given = {axes: flags.compare ?? [], wholes: flags.config ?? []}
      return this.report(this.label(await runComparison(given, flags, explicit, Bench.flags, LABELS, session), flags))
    }
    const settings = flags as Record<string, unknown>
    const spec = toWorkloadSpec(inputFromFlags(settings.op as string, settings, LABELS), LABELS)
    return this.report(this.label(await runSession([spec], session), flags))
  }
}
