// An unknown command (`iouring-bench benhc`). On a terminal, @oclif/plugin-not-found asks "Did you
// mean bench?" and runs it on yes. Where no one can answer (CI, a pipe, no stdin) it would print
// two lines without the suggestion and exit 127; here that is one line naming the nearest
// command, and exit status 2 as for any bad usage.

import {type Hook, toConfiguredId} from '@oclif/core'
import askDidYouMean from '@oclif/plugin-not-found'
import levenshtein from 'fast-levenshtein'

import {ExitCode, shown} from '../errors.js'

const hook: Hook.CommandNotFound = async function (options) {
  const {config, id} = options
  if (process.stdin.isTTY) {
    try {
      return await askDidYouMean.call(this, options)
    } catch (error) {
      // The answer was no: the plugin's own line, with the usage status.
      const exit = (error as {oclif?: {exit?: number}}).oclif?.exit
      if (exit !== 127) throw error
      this.error((error as Error).message, {exit: ExitCode.usage})
    }
  }
  const visible = config.commands.filter((command) => !command.hidden)
  const names = visible.flatMap((command) => [command.id, ...command.aliases])
  // The start of a name (`stress`) means that name, however far it is by edits.
  const started = names.filter((name) => name.startsWith(id))
  const [nearest] = (started.length > 0 ? started : names)
    .map((name) => ({name, distance: levenshtein.get(id, name)}))
    .sort((a, b) => a.distance - b.distance)
  const suggestion = nearest ? `did you mean ${toConfiguredId(nearest.name, config)}? ` : ''
  process.stderr.write(
    `Error: '${shown(toConfiguredId(id, config))}' is not an ${config.bin} command; ${suggestion}(${config.bin} --help lists them)\n`,
  )
  this.exit(ExitCode.usage)
}

export default hook
