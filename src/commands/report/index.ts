import {Args} from '@oclif/core'

import {ReportingCommand} from '../../base-command.js'
import {fleetDocument} from '../../report/fleet.js'
import {FORMAT_NAMES, type ReportDocument} from '../../report/formats.js'
import {loadDocument} from '../../report/load.js'

export default class Report extends ReportingCommand {
  static override summary = 'Render a saved result again, in any form.'

  static override description = `Reads a document saved with --json (or --output FILE.json): a result of bench or run, a fleet view saved by 'report merge', a probe, a shutdown drill, a stress-timeouts run, an advise run or a history verdict (gate --history), and renders it as: ${FORMAT_NAMES.join(', ')} (each where it applies to the document). Nothing is measured again. Give - to read standard input.`

  static override args = {
    file: Args.string({description: 'a saved document (JSON), or - for standard input', required: true}),
  }

  static override examples = [
    {description: 'The terminal report of a saved run:', command: '<%= config.bin %> <%= command.id %> result.json'},
    {
      description: 'An HTML report with charts per workload (latency percentiles, throughput, over time):',
      command: '<%= config.bin %> <%= command.id %> result.json --output report.html',
    },
    {
      description: "HdrHistogram's percentile distribution, one .hgrm per workload and system:",
      command: '<%= config.bin %> <%= command.id %> result.json --format hgrm --output latency.hgrm',
    },
    {
      description: "For node_exporter's textfile collector (write it into the collector's directory):",
      command: '<%= config.bin %> <%= command.id %> result.json --format prometheus --output iouring_bench.prom',
    },
  ]

  async run(): Promise<ReportDocument> {
    const {args, flags} = await this.parse(Report)
    this.planOutput(flags)
    const loaded = loadDocument(args.file)
    // A probe shows as a fleet of one host.
    const document = loaded.kind === 'probe' ? fleetDocument([loaded.host], this.config.version) : loaded.document
    return this.finish(document, {status: 'ok'})
  }
}
