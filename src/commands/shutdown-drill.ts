import {ReportingCommand, type Verdict} from '../base-command.js'
import {
  checkDrillOptions,
  DEFAULT_OP_TIMEOUT_NS,
  DEFAULT_SHUTDOWN_TIMEOUT_NS,
  DRILL_OPS,
  type DrillLabels,
  runDrill,
} from '../drill/shutdown-drill.js'
import {CheckFailedError, EnvironmentError} from '../errors.js'
import {durationFlag, integerFlag, listFlag, outputFlags} from '../flags.js'
import type {DrillDocument} from '../model/drill.js'
import type {NativeOp} from '../native/addon.js'
import {workloadFlag} from '../settings/flags.js'
import {flagLabels} from '../settings/table.js'
import {formatDuration} from '../units.js'

// The settings' labels come from the table; the drill's own flags (its --mix is a list of kinds) are named here.
const LABELS: DrillLabels = {...flagLabels(), rounds: '--rounds', seed: '--seed', ops: '--mix', roundDeadline: '--round-deadline'}

export default class ShutdownDrill extends ReportingCommand {
  static override summary = 'Drop every submitter of the loop at random moments, many times; check that every op ends exactly once.'

  static override description = `Each round starts a loop and --submitters requester threads running a random mix of the --mix kinds closed loop. Each requester drops its handle at a random moment (after a random number of ops, then a random pause), so the last drop lands while ops are queued, in flight or about to complete. Rounds alternate between no shutdown timeout (the loop waits for every op) and a ${formatDuration(DEFAULT_SHUTDOWN_TIMEOUT_NS)} one (it abandons what is left), unless --shutdown-timeout picks one.

Reported: shutdown latency (last handle dropped to the loop's exit, ring torn down) per mode, and how ops ended: completed, timed out (their op timeout) or abandoned. Checked, one PASS/FAIL line each: no requester hangs (a round not over by --round-deadline is a FAIL, never a hang); every op ends exactly once and the counts add up; no descriptor leaks (/proc/self/fd before and after); abandoned ops' memory stays with the loop until its ring is torn down. Exit status 1 when a check fails; --seed replays a drill.

A round with neither an op timeout nor a shutdown timeout leaves stall out of its mix (nothing could end it), unless stall is all --mix has: that drill shows the hang.`

  // Each example runs as printed (test/commands/help.test.ts runs them all), so they are short.
  static override examples = [
    {
      description: 'A short drill: 20 rounds in both shutdown modes (100 without --rounds):',
      command: '<%= config.bin %> <%= command.id %> --rounds 20',
    },
    {
      description: 'Only with a 5 ms shutdown timeout, on a loop of size 2:',
      command: '<%= config.bin %> <%= command.id %> --shutdown-timeout 5ms --ring-size 2 --rounds 20',
    },
    {
      description: 'Replay a drill (the seed and rounds it printed):',
      command: '<%= config.bin %> <%= command.id %> --seed 1234 --rounds 20',
    },
    {
      description: 'For a CI test report: one JUnit test case per check:',
      command: '<%= config.bin %> <%= command.id %> --rounds 20 --format junit --output drill.xml',
    },
  ]

  static override baseFlags = outputFlags('shutdown-drill')

  static override flags = {
    rounds: integerFlag({description: 'rounds to run', default: 100}),
    seed: integerFlag({description: 'seed of every random choice (default: from the clock; printed, so a drill replays)'}),
    // A drill tries the loop's shutdown with and without a timeout, so rounds alternate unless one is given.
    'shutdown-timeout': workloadFlag('shutdownTimeout', {
      description: `the loop's shutdown timeout in every round, or none (default: rounds alternate between none and ${formatDuration(DEFAULT_SHUTDOWN_TIMEOUT_NS)})`,
    }),
    'op-timeout': workloadFlag('opTimeout', {description: "every op's timeout, or none", default: DEFAULT_OP_TIMEOUT_NS}),
    'ring-size': workloadFlag('ringSize', {description: 'the loop size (rounded up to a power of two)', default: 16}),
    submitters: workloadFlag('submitters', {description: 'requester threads per round, each with its own handle', default: 4}),
    // --ops was this flag's name; bench's --ops is a count, so the list of kinds is --mix, as in bench and stress-timeouts.
    mix: listFlag({
      description: `kinds of op, mixed with random weights per round (${DRILL_OPS.join(', ')})`,
      default: [...DRILL_OPS],
      defaultHelp: async () => DRILL_OPS.join(','),
      helpValue: 'KIND,...',
      aliases: ['ops'],
      deprecateAliases: true,
    }),
    'round-deadline': durationFlag({description: 'a round not over this long after it began is a hang (FAIL)', default: 10e9}),
  }

  async run(): Promise<DrillDocument> {
    const {flags} = await this.parse(ShutdownDrill)
    this.planOutput(flags, 'shutdown-drill')
    const options = checkDrillOptions(
      {
        rounds: flags.rounds,
        seed: flags.seed ?? Date.now() % 1_000_000_000,
        ringSize: flags['ring-size'],
        submitters: flags.submitters,
        shutdownTimeoutsNs: flags['shutdown-timeout'] === undefined ? [null, DEFAULT_SHUTDOWN_TIMEOUT_NS] : [flags['shutdown-timeout']],
        opTimeoutNs: flags['op-timeout'],
        ops: flags.mix as NativeOp[],
        roundDeadlineNs: flags['round-deadline'],
      },
      LABELS,
    )
    const document = await runDrill(options, {toolVersion: this.config.version, progress: !this.jsonEnabled()})
    return this.finish(document, drillVerdict(document))
  }
}

function drillVerdict(document: DrillDocument): Verdict {
  if (document.error) return {status: 'failed', error: new EnvironmentError(`shutdown-drill: ${document.error}`)}
  if (document.interrupted) return {status: 'interrupted'}
  if (document.passed) return {status: 'ok'}
  const failed = document.checks.filter((check) => check.status === 'fail').length
  const message = `shutdown-drill: ${failed} of ${document.checks.length} checks failed (seed ${document.config.seed})`
  return {status: 'failed', error: new CheckFailedError(message)}
}
