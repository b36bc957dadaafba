import {Args} from '@oclif/core'

import {MeasureCommand} from '../base-command.js'
import {runSession} from '../bench/session.js'
import {loadProfiles} from '../profiles/load.js'
import type {ResultDocument} from '../report/result.js'

export default class Run extends MeasureCommand {
  static override summary = 'Run profiles of workloads (the default profile when none is named) and print the full report.'

  static override description = `A profile is a YAML file of workloads (see bench-profiles/ and schemas/profile.schema.json). Name a shipped profile or give a path. Every workload runs through the loop and side by side with its baselines.`

  static override args = {
    profiles: Args.string({description: 'profile names (shipped in bench-profiles/) or paths to YAML files', default: 'default'}),
  }

  static override strict = false

  static override examples = [
    {description: 'The quick tour on this machine:', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Your own profile, as JSON:', command: '<%= config.bin %> <%= command.id %> ./my-profile.yaml --json'},
  ]

  async run(): Promise<ResultDocument> {
    const {argv, flags} = await this.parse(Run)
    const plan = this.outputPlan(flags)
    const names = argv.length > 0 ? (argv as string[]) : ['default']
    const outcome = await runSession(loadProfiles(names), {toolVersion: this.config.version, progress: !this.jsonEnabled()})
    return this.report(outcome, plan)
  }
}
