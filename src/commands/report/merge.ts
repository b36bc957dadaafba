import {Args} from '@oclif/core'

import {ReportingCommand} from '../../base-command.js'
import {shown, UsageError} from '../../errors.js'
import {fleetDocument} from '../../report/fleet.js'
import {DOCUMENT_TITLES, type ReportDocument} from '../../report/formats.js'
import {type LoadedDocument, loadDocument} from '../../report/load.js'
import {mergeResults} from '../../report/merge.js'

export default class ReportMerge extends ReportingCommand {
  static override summary = 'Combine results, or probes from many hosts, into one report.'

  static override description = `Results (from bench or run) merge without loss: latency histograms are added and the percentiles computed from the sum, never averaged; ops, outcomes, CPU time and counters add up; workloads of the same name must have the same spec. The merged result lists its sources and renders in every form 'report' has.

Probes (probe-kernel --json, or raw iouring-probe output) and saved fleet views are tabulated by kernel and by verdict, with the reasons: the fleet view.`

  static override args = {
    files: Args.string({description: 'results, or probes, to combine', required: true}),
  }

  static override strict = false

  static override examples = [
    {
      description: "Add up repeated runs and look at the tail of all of them (here a gate's baseline and the run gated on it):",
      command: '<%= config.bin %> <%= command.id %> baseline.json now.json --output all.json',
    },
    {
      description: 'Which kernels in the fleet can run the loop, and why the others cannot:',
      command: '<%= config.bin %> <%= command.id %> *.probe.json',
    },
  ]

  async run(): Promise<ReportDocument> {
    const {argv, flags} = await this.parse(ReportMerge)
    this.planOutput(flags)
    const inputs = (argv as string[]).map(loadDocument)
    const document = this.combine(inputs)
    return this.finish(document, {status: 'ok'})
  }

  private combine(inputs: LoadedDocument[]): ReportDocument {
    const results = inputs.flatMap((input) => (input.kind === 'result' ? [{file: input.file, document: input.document}] : []))
    if (results.length === inputs.length) return mergeResults(results, this.config.version)
    const odd = inputs.find((input) => input.kind === 'result')
    if (odd) {
      const other = inputs.find((input) => input.kind !== 'result')!
      throw new UsageError(
        `report merge: ${shown(odd.file)} is a result and ${shown(other.file)} is not; merge results with results, probes with probes`,
      )
    }
    const unmergeable = inputs.find(
      (input) => input.kind === 'shutdown-drill' || input.kind === 'stress-timeouts' || input.kind === 'advice' || input.kind === 'history',
    )
    if (unmergeable)
      throw new UsageError(
        `report merge: ${shown(unmergeable.file)} is ${DOCUMENT_TITLES[unmergeable.kind]}; merge takes results or probes (render it with 'report FILE')`,
      )
    const hosts = inputs.flatMap((input) => (input.kind === 'probe' ? [input.host] : input.kind === 'fleet' ? input.document.hosts : []))
    return fleetDocument(hosts, this.config.version)
  }
}
