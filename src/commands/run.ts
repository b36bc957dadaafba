import path from 'node:path'

import {Args, Flags} from '@oclif/core'

import {MeasureCommand} from '../base-command.js'
import {runSession} from '../bench/session.js'
import {CheckFailedError} from '../errors.js'
import {checkWritable} from '../files.js'
import {integerFlag} from '../flags.js'
import {checkGateTrials, checkSameHost, checkTrials, compare} from '../gate/gate.js'
import {hostInfo, kernelInfo} from '../host.js'
import type {GateConfig} from '../model/gate.js'
import type {ResultDocument} from '../model/result.js'
import {loadProfiles} from '../profiles/load.js'
import {readResult} from '../report/load.js'
import {writeRequested} from '../report/output.js'
import {workloadFlag} from '../settings/flags.js'
import {withPhases} from '../settings/workload.js'

export default class Run extends MeasureCommand {
  static override summary = 'Run profiles of workloads (the default profile when none is named) and print the full report.'

  static override description = `A profile is a YAML file of workloads (see bench-profiles/ and schemas/profile.schema.json). Name a shipped profile or give a path. Every workload runs through the loop and side by side with its baselines; with several trials, the trials of all workloads are interleaved (A B A B ...).

With --baseline FILE this is a regression gate: the same trials run again and each metric named by the profile's gate is judged against the baseline's trials (exact Mann-Whitney U test plus the profile's minimum effect); exit status 1 if one is worse.`

  static override args = {
    profiles: Args.string({description: 'profile names (shipped in bench-profiles/) or paths to YAML files', default: 'default'}),
  }

  static override strict = false

  static override flags = {
    trials: integerFlag({description: "runs of each workload, interleaved [default: the profile's trials]"}),
    // Each workload's profile holds its phases: these replace them, so they have no default of their own.
    duration: workloadFlag('duration', {
      description:
        "measure every workload this long, instead of its profile's duration or op count (a quicker look) [default: the profile's]",
      default: undefined,
    }),
    warmup: workloadFlag('warmup', {
      description: "warm every workload up this long, instead of its profile's warm-up [default: the profile's]",
      default: undefined,
    }),
    'save-baseline': Flags.string({description: 'write this run to FILE as a baseline for later --baseline runs', helpValue: 'FILE'}),
    baseline: Flags.string({description: 'compare with a baseline written by --save-baseline; exit 1 on a regression', helpValue: 'FILE'}),
    'allow-host-change': Flags.boolean({description: 'accept a baseline measured on another host or kernel'}),
  }

  // Each example runs as printed (test/commands/help.test.ts runs them all), so they are short.
  static override examples = [
    {
      description: 'The quick tour (the default profile, about 25 s as shipped), each workload measured for 100 ms after a 20 ms warm-up:',
      command: '<%= config.bin %> <%= command.id %> --duration 100ms --warmup 20ms',
    },
    {
      description:
        "Try the regression gate: record a baseline of the gate set (in CI leave out --duration and --warmup: the profile's 300 ms trials are steadier)...",
      command: '<%= config.bin %> <%= command.id %> ci --duration 100ms --warmup 20ms --save-baseline baseline.json',
    },
    {
      description: '...then gate a later build on it (exit status 1 when a metric got worse), keeping its result:',
      command: '<%= config.bin %> <%= command.id %> ci --duration 100ms --warmup 20ms --baseline baseline.json --output now.json',
    },
  ]

  async run(): Promise<ResultDocument> {
    const {argv, flags} = await this.parse(Run)
    this.planOutput(flags, 'result')
    const profiles = loadProfiles(argv.length > 0 ? (argv as string[]) : ['default'])
    const trials = flags.trials ?? Math.max(...profiles.map((profile) => profile.trials))
    const gateFor = new Map<string, GateConfig>(
      profiles.flatMap((profile) => profile.workloads.map((workload) => [workload.name, profile.gate] as const)),
    )

    const alpha = Math.min(...profiles.map((profile) => profile.gate.alpha))
    if (flags['save-baseline'] !== undefined || flags.baseline !== undefined) {
      // A baseline or a gate with too few trials could never find a regression: refuse before measuring.
      const most = profiles.find((profile) => profile.trials === trials)
      checkGateTrials(trials, alpha, flags.trials === undefined ? `${path.relative(process.cwd(), most!.file)}: trials` : '--trials')
    }
    if (flags['save-baseline'] !== undefined) checkWritable(flags['save-baseline'], '--save-baseline')
    const baseline = flags.baseline === undefined ? undefined : readResult(flags.baseline, '--baseline')
    if (baseline) {
      // Refuse before measuring anything: another host, or too few trials to judge.
      checkSameHost(baseline, {host: hostInfo(), kernel: kernelInfo()}, flags['allow-host-change'])
      const baselineTrials = Math.min(...baseline.workloads.map((workload) => workload.trials.length))
      checkTrials(baselineTrials, trials, alpha)
    }

    const phases = {durationNs: flags.duration, warmupNs: flags.warmup}
    const workloads = profiles.flatMap((profile) => profile.workloads).map((workload) => withPhases(workload, phases, '--duration'))
    const outcome = this.label(
      await runSession(workloads, {toolVersion: this.config.version, progress: !this.jsonEnabled(), trials}),
      flags,
    )
    const {document} = outcome
    if (flags['save-baseline'] && !document.interrupted) {
      const saved = writeRequested(flags['save-baseline'], JSON.stringify(document, null, 2) + '\n', '--save-baseline')
      if (saved && !this.jsonEnabled()) process.stderr.write(`baseline written to ${flags['save-baseline']}\n`)
    }
    // The verdicts are part of the document, so every form (terminal, Markdown, JUnit) shows them.
    if (baseline && !document.interrupted && !outcome.failure) {
      document.gate = compare(baseline, document, (name) => gateFor.get(name)!)
    }
    const regressed = document.gate && !document.gate.passed
    // The report shows the gate's verdicts; the status says it failed.
    return this.report(
      outcome,
      regressed ? {status: 'failed', error: new CheckFailedError('the regression gate found a regression'), quiet: true} : {status: 'ok'},
    )
  }
}
