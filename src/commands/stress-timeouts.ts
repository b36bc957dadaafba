import {Flags} from '@oclif/core'

import {ReportingCommand} from '../base-command.js'
import {parseMix} from '../bench/spec.js'
import {CheckFailedError} from '../errors.js'
import {durationFlag, outputFlags} from '../flags.js'
import type {StressDocument} from '../model/stress.js'
import {workloadFlag} from '../settings/flags.js'
import {flagLabels} from '../settings/table.js'
import {checkStressOptions, DEFAULT_SLACK_NS, NORMAL_KINDS, runStressTimeouts, type StressLabels} from '../stress/timeouts.js'
import {formatDuration} from '../units.js'

// The settings' labels come from the table; the stress's own flags are named here.
const LABELS: StressLabels = {...flagLabels(), slack: '--slack', watchdog: '--watchdog', skipLiveness: '--skip-liveness'}

export default class StressTimeouts extends ReportingCommand {
  static override summary = "Op timeouts under load, and the seed's liveness scenario stalling without them and recovering with them."

  static override description = `Stress: stalls (a RECV nobody answers, ended only by its op timeout) mixed with normal ops (nop, timer, socket), more ops outstanding than the loop holds, so stalls fill the waiters and normal ops get a slot only when a timeout frees one. Checks: every stalled op comes back -ETIMEDOUT within the op timeout plus --slack (lateness runs from the deadline, when the loop handed the op to the kernel plus the timeout, to when the loop handled the -ETIMEDOUT and passed it to the requester); no op is lost (submitted = completed + timed out + abandoned, from the loop's counts, and every requester saw its end); normal ops end normally; and they keep completing in every window while stalls hold the waiters. The same normal ops then run without stalls, for the throughput ratio.

The default slack, ${formatDuration(DEFAULT_SLACK_NS)}, comes from measurement on a 2-vCPU VM while other builds ran (load average about 5; over 18 runs of the default stress, lateness p50 52-690 µs, p99 1.9-23 ms, max 4.1-53 ms): the tail is the loop thread waiting for a CPU. A quiet machine can use a few ms.

Liveness (the seed's caveat): a loop of size 2 gets read(fd1), read(fd2), write(fd1), write(fd2). Without op timeouts the reads fill both waiters and the writes that would satisfy them stay queued: a watchdog thread reading the loop's counters reports "capacity stall: all waiters in flight, N ops queued, no completion for T", then writes to the peers itself so the reads complete. With op timeouts the reads time out and the writes proceed on their own.

Exit status 1 when a check fails.`

  // Each example runs as printed (test/commands/help.test.ts runs them all), so they are short.
  static override examples = [
    {
      description: 'The stress (500 ms with stalls, then 500 ms without) and the liveness scenario:',
      command: '<%= config.bin %> <%= command.id %> --duration 500ms',
    },
    {
      description: 'A tighter timeout, mostly stalls:',
      command: '<%= config.bin %> <%= command.id %> --op-timeout 2ms --mix stall=1,nop=1 --duration 500ms',
    },
    {description: 'Machine-readable, stress only:', command: '<%= config.bin %> <%= command.id %> --skip-liveness --duration 500ms --json'},
  ]

  static override baseFlags = outputFlags('stress-timeouts')

  // The stress is one mix workload of its own: where a setting means something else here, or
  // needs another default to fill the loop with stalls, the flag says so.
  static override flags = {
    // Stalls end only by their timeout, so there is always one.
    'op-timeout': workloadFlag('opTimeout', {description: 'the op timeout every op is linked to', default: 10_000_000, orNone: false}),
    slack: durationFlag({description: 'how late past its deadline a -ETIMEDOUT may come', default: DEFAULT_SLACK_NS}),
    mix: workloadFlag('mix', {
      description: `stall plus normal kinds (${NORMAL_KINDS.join(', ')}) with weights`,
      default: 'stall=1,nop=3,timer=3,socket=3',
    }),
    timer: workloadFlag('timer', {description: 'length of each normal timer op (shorter than --op-timeout)'}),
    'ring-size': workloadFlag('ringSize', {
      description: 'loop capacity (waiters and queue), rounded up to a power of two; keep it below submitters × depth so stalls fill it',
      default: 32,
    }),
    submitters: workloadFlag('submitters', {default: 2}),
    depth: workloadFlag('depth', {description: 'ops each submitter keeps outstanding', default: 64}),
    duration: workloadFlag('duration', {description: 'length of the stress run (and of the run without stalls)'}),
    watchdog: durationFlag({
      description: 'liveness: how long a capacity stall lasts before the watchdog reports it (longer than --op-timeout)',
      default: 200_000_000,
    }),
    'skip-liveness': Flags.boolean({description: 'run the stress only, not the liveness scenario'}),
  }

  async run(): Promise<StressDocument> {
    const {flags} = await this.parse(StressTimeouts)
    this.planOutput(flags, 'stress-timeouts')
    const options = {
      opTimeoutNs: flags['op-timeout'],
      slackNs: flags.slack,
      mix: parseMix(flags.mix, LABELS.mix),
      timerNs: flags.timer,
      ringSize: flags['ring-size'],
      submitters: flags.submitters,
      depth: flags.depth,
      durationNs: flags.duration,
      watchdogNs: flags.watchdog,
      liveness: !flags['skip-liveness'],
    }
    const spec = checkStressOptions(options, LABELS)
    const document = await runStressTimeouts(options, spec, {toolVersion: this.config.version, progress: !this.jsonEnabled()})
    if (document.interrupted) return this.finish(document, {status: 'interrupted'})
    const failed = document.checks.filter((check) => !check.passed)
    if (failed.length === 0) return this.finish(document, {status: 'ok'})
    const message = `${failed.length} of ${document.checks.length} checks failed: ${failed.map((check) => check.name).join('; ')}`
    return this.finish(document, {status: 'failed', error: new CheckFailedError(message)})
  }
}
