import {Flags} from '@oclif/core'

import {advise, checkBounds, FINAL_TRIALS, minimumBudgetNs} from '../advise/advise.js'
import {checkWritable, givenFlags, saveProfile} from '../advise/profile.js'
import {ReportingCommand} from '../base-command.js'
import {EnvironmentError, invalidValue, UsageError} from '../errors.js'
import {durationFlag} from '../flags.js'
import {DEFAULT_GATE, minimumTrials} from '../gate/gate.js'
import {interruptedBeforeMeasuring} from '../interrupt.js'
import {type AdviceDocument, type Objective, OBJECTIVES} from '../model/advice.js'
import {workloadFlag, workloadFlags} from '../settings/flags.js'
import {flagLabels} from '../settings/table.js'
import {durationInput} from '../units.js'

const LABELS = flagLabels()
const FINAL_CHECK_MIN = minimumTrials(DEFAULT_GATE.alpha)
const DEFAULT_BUDGET_NS = 60e9
const DEFAULT_TRIAL_NS = 200e6
const DEFAULT_WARMUP_NS = 50e6

/** Workload flags advise does not take: it races the loop alone, on timed trials. */
const NOT_TAKEN: Record<string, string> = {
  vs: 'advise races configurations of the loop; put the advised flags next to a baseline with bench --vs',
  ops: 'advise runs timed trials; give --duration for their length',
}

export default class Advise extends ReportingCommand {
  static override summary = 'Find the best way to drive io_uring for one workload on this kernel and box, within a time budget.'

  static override description = `Races configurations of the loop (wake mechanism, wait strategy, design, ring setup flags, registrations, submit batch: every value the probe says this kernel has) in short interleaved trials: successive halving, and a configuration significantly worse than the leader (exact Mann-Whitney U) is dropped at once. The leader then runs against the default (the workload's flags as given) in a final interleaved A/B of ${FINAL_TRIALS} longer trials each. Prints the recommendation with its price, the ranked configurations as the exact flags to reproduce them, and what was skipped and why. Ctrl-C ends with the best answer so far, marked partial (exit 130).`

  static override examples = [
    {
      description: 'The best configuration for batched NOPs, within 10 s:',
      command: '<%= config.bin %> <%= command.id %> --op nop --depth 32 --budget 5s',
    },
    {
      description: 'Lowest p99 for 4 KiB random reads at depth 32, the winner saved as a profile for run and the gate:',
      command:
        '<%= config.bin %> <%= command.id %> --op file-read --block-size 4k --random --depth 32 --file-size 64m --objective p99 --budget 5s --save-profile advised.yaml',
    },
    {
      description: 'The highest throughput whose p99 stays under 50 µs and CPU per op under 2 µs:',
      command:
        '<%= config.bin %> <%= command.id %> --op nop --depth 32 --objective balanced --max-p99 50us --max-cpu-per-op 2us --budget 5s',
    },
  ]

  static override flags = {
    ...workloadFlags(),
    objective: Flags.string({
      options: [...OBJECTIVES],
      default: 'throughput',
      description:
        'what to maximise: throughput (ops/s), p99 (lowest), cpu (ops per CPU-second), balanced (the best throughput within --max-p99 and --max-cpu-per-op, by default the default configuration’s own +10 %)',
    }),
    budget: durationFlag({default: DEFAULT_BUDGET_NS, description: 'time for the whole search, the final check included'}),
    duration: workloadFlag('duration', {
      default: DEFAULT_TRIAL_NS,
      description: 'measured phase of each search trial (the final check’s are twice as long)',
    }),
    warmup: workloadFlag('warmup', {default: DEFAULT_WARMUP_NS, description: 'warm-up of each trial'}),
    'max-p99': durationFlag({description: 'balanced: the highest p99 allowed'}),
    'max-cpu-per-op': durationFlag({description: 'balanced: the most CPU per op allowed (every thread of the process)'}),
    'save-profile': Flags.string({
      description: 'write the advised configuration to FILE as a profile that run, bench and the gate take',
      helpValue: 'FILE',
    }),
  }

  async run(): Promise<AdviceDocument> {
    const {flags, raw} = await this.parse(Advise)
    for (const [flag, why] of Object.entries(NOT_TAKEN)) {
      if (raw.some((token) => token.type === 'flag' && token.flag === flag)) throw new UsageError(`--${flag}: not taken by advise; ${why}`)
    }
    const budgetGiven = raw.find((token) => token.type === 'flag' && token.flag === 'budget')?.input ?? durationInput(flags.budget)
    if (flags.budget <= 0) throw invalidValue('--budget', budgetGiven, 'give a time above 0, e.g. 60s')
    if (flags.budget < minimumBudgetNs(flags.duration, flags.warmup))
      throw invalidValue(
        '--budget',
        budgetGiven,
        `give at least ${durationInput(minimumBudgetNs(flags.duration, flags.warmup))}, the time of a trial of the default, one round of two and a final check of ${FINAL_CHECK_MIN} trials each (with --duration ${durationInput(flags.duration)} and --warmup ${durationInput(flags.warmup)})`,
      )
    const objective = flags.objective as Objective
    const bounds = {p99Ns: flags['max-p99'], cpuNsPerOp: flags['max-cpu-per-op']}
    checkBounds(objective, bounds)
    this.planOutput(flags, 'advice')
    const given = givenFlags(raw)
    if (flags['save-profile']) checkWritable(flags['save-profile'])
    const outcome = await advise({
      flags: {...flags, vs: ['none'], duration: undefined, warmup: undefined},
      given,
      flagInput: Advise.flags,
      labels: LABELS,
      objective,
      bounds,
      budgetNs: flags.budget,
      trialNs: flags.duration,
      warmupNs: flags.warmup,
      toolVersion: this.config.version,
      progress: !this.jsonEnabled(),
    })
    const {document} = outcome
    const measured = document.candidates.some((candidate) => candidate.trials.length > 0)
    if (flags['save-profile'] && measured && !outcome.unmet && !outcome.interrupted) saveProfile(flags['save-profile'], document, given)
    if (outcome.interrupted) {
      return this.finish(
        document,
        {status: 'interrupted', message: measured ? undefined : interruptedBeforeMeasuring()},
        {printReport: measured},
      )
    }
    if (!measured) {
      const failed = document.candidates.find((candidate) => candidate.reason)?.reason ?? 'no configuration measured anything'
      return this.finish(document, {status: 'failed', error: new EnvironmentError(failed)}, {printReport: false})
    }
    if (outcome.unmet) {
      const error = new UsageError(
        `--max-p99 / --max-cpu-per-op: no configuration met the bounds (p99 ≤ ${durationInput(document.bounds!.p99Ns)}, CPU/op ≤ ${durationInput(document.bounds!.cpuNsPerOp)}); closest: ${outcome.unmet}`,
      )
      return this.finish(document, {status: 'failed', error})
    }
    return this.finish(document, {status: 'ok'})
  }
}
