import {Flags} from '@oclif/core'

import {ReportingCommand} from '../base-command.js'
import {CheckFailedError} from '../errors.js'
import {outputFlags} from '../flags.js'
import {judgeHistory} from '../gate/history.js'
import type {HistoryDocument} from '../model/history.js'

export default class Gate extends ReportingCommand {
  static override summary = 'Gate on a history of saved results: where each metric changed level, per testbed; exit 1 on a regression.'

  static override description = `Where 'run --baseline' compares one run with one baseline, this reads a series: every result saved by run or bench in a folder (what CI keeps as artifacts), or in a JSON-lines file ('report history add' appends to either). Each workload's results form one series per testbed — CPU, vCPUs, kernel, the ring's setup flags and size, iouring-bench and Node versions — so a kernel upgrade starts a new series and is shown as one, not judged as a regression. A change of the workload's other settings (wait, wake, depth) is what is measured: it stays in the series and is noted where it happened.

Each metric of a series (ops/s, throughput ÷ raw ring, p50, p99, p99.9, CPU per op, and the counts that do not depend on the clock: enters per op, SQEs per enter, wakes and context switches per op, and where the CPU gives them instructions and cycles per op) is cut at its change points by E-Divisive means (Matteson & James 2014, as in MongoDB's CI and Apache Otava): a split's permutation test, Holm-adjusted over every metric and series tested, below alpha 0.05, and a move of the level by at least the metric's minimum effect. A change for the worse in the newest series of a workload fails the gate (exit status 1), naming the first result after it and its commit; an older testbed's changes, and with --since those before a given result, are shown without failing it. A file that is not a usable result is skipped with one line naming it; the rest of the series is still judged.`

  static override flags = {
    history: Flags.string({
      description: 'a folder of saved results (.json) or a JSON-lines file of them, oldest to newest by their createdAt',
      helpValue: 'PATH',
      required: true,
    }),
    since: Flags.string({
      description:
        'changes before this result (its commit or the start of it, its label, or a date such as 2026-12-01) are shown but do not fail the gate: a change once accepted',
      helpValue: 'REF',
    }),
  }

  static override baseFlags = outputFlags('history')

  static override examples = [
    {
      description: 'Save each run with its commit (--commit, or $GITHUB_SHA in GitHub Actions) and a label...',
      command: '<%= config.bin %> bench --op nop --duration 100ms --warmup 20ms --commit 3f2a9c1 --label nightly --output run-1.json',
    },
    {
      description: '...add it to the history (a folder, or a .jsonl file)...',
      command: '<%= config.bin %> report history add run-1.json --to history',
    },
    {
      description:
        '...and gate on the whole history: exit status 1 on a change for the worse, the verdicts as JUnit for the test view of a CI system:',
      command: '<%= config.bin %> <%= command.id %> --history history --output history.xml',
    },
  ]

  async run(): Promise<HistoryDocument> {
    const {flags} = await this.parse(Gate)
    this.planOutput(flags, 'history')
    const document = judgeHistory(flags.history, {since: flags.since, toolVersion: this.config.version})
    return this.finish(
      document,
      document.passed
        ? {status: 'ok'}
        : {status: 'failed', error: new CheckFailedError('the history gate found a regression'), quiet: true},
      {stepSummary: true},
    )
  }
}
