import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../../base-command.js'
import {shown, UsageError} from '../../../errors.js'
import {addToHistory} from '../../../gate/history.js'
import {DOCUMENT_TITLES} from '../../../report/formats.js'
import {loadDocument} from '../../../report/load.js'

export default class ReportHistoryAdd extends BaseCommand {
  static override summary = "Add a saved result to a history that 'gate --history' judges."

  static override description =
    'A folder gets a copy of the result, named by when it was made (and its label), so the files sort in time; a JSON-lines file (.jsonl) gets one line. A path that does not exist yet is made: a .jsonl file, or else a folder. Only a whole result is added: not a probe or other document, not an interrupted run.'

  static override args = {
    result: Args.string({description: 'a result saved by run or bench (--json, --output FILE.json, --save-baseline)', required: true}),
  }

  static override flags = {
    to: Flags.string({description: 'the history: a folder, or a JSON-lines file (.jsonl)', helpValue: 'PATH', required: true}),
  }

  static override examples = [
    {description: 'Add a result to a folder of results:', command: '<%= config.bin %> <%= command.id %> run-1.json --to kept'},
    {
      description: 'Or append it to a JSON-lines file, one result a line:',
      command: '<%= config.bin %> <%= command.id %> run-1.json --to results.jsonl',
    },
  ]

  async run(): Promise<{added: string; to: string}> {
    const {args, flags} = await this.parse(ReportHistoryAdd)
    const loaded = loadDocument(args.result)
    if (loaded.kind !== 'result') {
      throw new UsageError(
        `report history add: ${shown(args.result)} is ${DOCUMENT_TITLES[loaded.kind]}; a history holds results of run or bench`,
      )
    }
    if (loaded.document.interrupted) {
      throw new UsageError(`report history add: ${shown(args.result)} is an interrupted run: its figures are partial, so it is not added`)
    }
    const added = addToHistory(flags.to, loaded.document)
    if (!this.jsonEnabled()) process.stderr.write(`added ${args.result} to ${added}\n`)
    return {added: args.result, to: added}
  }
}
