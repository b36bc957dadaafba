// What `advise` takes from the command line and gives back to it: the workload's flags as the
// user wrote them (the default configuration, and the base every candidate's flags are written
// on), and --save-profile's profile of the advised configuration.

import {accessSync, constants, existsSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import type {Interfaces} from '@oclif/core'
import {stringify} from 'yaml'

import {EnvironmentError} from '../errors.js'
import type {AdviceDocument} from '../model/advice.js'
import {loadProfile} from '../profiles/load.js'
import {type Setting, SETTINGS} from '../settings/table.js'
import {FINAL_TRIALS, SWITCHES} from './advise.js'

const ROWS = SETTINGS as readonly Setting[]
/** Set by advise itself, not part of the workload: each trial's phases. */
const PHASES = new Set(['duration', 'warmup'])

/** The workload flags as written, in their order: `--flag value`, or `--flag` for a switch. */
export function givenFlags(raw: Interfaces.ParserOutput['raw']): string[] {
  const workload = new Set(ROWS.map((row) => row.flag))
  return raw.flatMap((token) =>
    token.type === 'flag' && workload.has(token.flag) && !PHASES.has(token.flag)
      ? SWITCHES.has(token.flag)
        ? [`--${token.flag}`]
        : [`--${token.flag}`, token.input]
      : [],
  )
}

/** Refuses a --save-profile path that cannot be written, before the search spends its budget. */
export function checkWritable(file: string): void {
  try {
    accessSync(existsSync(file) ? file : path.dirname(path.resolve(file)), constants.W_OK)
  } catch (error) {
    throw new EnvironmentError(`--save-profile: cannot write ${file}: ${(error as Error).message}`)
  }
}

/**
 * Writes the advised configuration as a profile entry (the workload's flags as given, its op
 * always, with the advised knobs), with enough trials for the gate, and checks that it loads as
 * run and the gate will load it.
 */
export function saveProfile(file: string, document: AdviceDocument, given: string[]): void {
  const settings: Record<string, unknown> = {op: document.workload.op}
  const set = (flag: string, text: string): void => {
    const row = ROWS.find((entry) => entry.flag === flag)!
    if (row.type !== 'bool') settings[row.key] = row.type === 'int' || row.type === 'number' ? Number(text) : text
    else if (text === 'on') settings[row.key] = true
    else delete settings[row.key]
  }
  for (let i = 0; i < given.length; i++) {
    const flag = given[i].slice(2)
    set(flag, SWITCHES.has(flag) ? 'on' : given[++i])
  }
  for (const [flag, value] of Object.entries(document.recommended)) set(flag, value)
  const profile = {
    description: `Advised by iouring-bench advise (objective ${document.objective}) on ${document.host.hostname}, kernel ${document.kernel.release}, ${document.createdAt}: ${document.recommendation}`,
    trials: FINAL_TRIALS,
    defaults: {duration: '1s', warmup: '100ms'},
    workloads: [{name: `${document.workload.op}-advised`, ...settings}],
  }
  try {
    writeFileSync(file, stringify(profile, {lineWidth: 0}))
  } catch (error) {
    throw new EnvironmentError(`--save-profile: cannot write ${file}: ${(error as Error).message}`)
  }
  // A profile run refuses would be a bug here: loadProfile's error then surfaces as an internal one.
  loadProfile(file)
}
