// What a result says about the code it measured: a label and a commit, which a history of results
// names at a change point ("worse from run-16.json, commit 3f2a…"). CI usually knows the commit:
// GitHub Actions sets GITHUB_SHA, taken when --commit is not given.

import {Flags} from '@oclif/core'

import {invalidValue} from '../errors.js'
import type {ResultDocument} from '../model/result.js'

/** One line of printable text, at most 200 characters: it is shown in tables and messages. */
const labelText = Flags.custom<string>({
  async parse(input, _context, options) {
    if (input.trim() === '' || input.length > 200 || /[\u0000-\u001f\u007f]/.test(input)) {
      throw invalidValue(`--${options.name}`, input, 'use one line of 1 to 200 printable characters')
    }
    return input
  },
})

export function labelFlags() {
  return {
    label: labelText({
      description: 'name this run in its result (a build, a branch, a change): a history of results shows it',
      helpValue: 'TEXT',
    }),
    commit: labelText({
      description: 'the commit of the code measured, which a history names at a change point [default: $GITHUB_SHA when set]',
      helpValue: 'SHA',
    }),
  }
}

/** Sets the result's label and commit from the flags (the commit from GITHUB_SHA when not given). */
export function labelResult(document: ResultDocument, flags: {label?: string; commit?: string}): void {
  const commit = flags.commit ?? (process.env.GITHUB_SHA || undefined)
  if (flags.label !== undefined) document.label = flags.label
  if (commit !== undefined) document.commit = commit
}
