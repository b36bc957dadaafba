// The process limits a run can be too big for, and the one message for each: which limit, what
// it is, about what the run needs and the ulimit line that gives it. Node has no getrlimit, so
// they are read from /proc/self/limits. This module imports nothing heavy: bin/run.js uses it
// before oclif loads.

import {readFileSync} from 'node:fs'

import {EnvironmentError} from './errors.js'
import {formatSize} from './units.js'

const LIMITS = {
  RLIMIT_NOFILE: {row: 'Max open files', ulimit: '-n', unitBytes: 0},
  RLIMIT_AS: {row: 'Max address space', ulimit: '-v', unitBytes: 1024},
  RLIMIT_MEMLOCK: {row: 'Max locked memory', ulimit: '-l', unitBytes: 1024},
} as const

type LimitName = keyof typeof LIMITS

/** Soft and hard limit; Infinity for unlimited. Sizes in bytes. */
export interface Limit {
  soft: number
  hard: number
}

/** The limit as this process has it, or null where /proc cannot be read. */
export function readLimit(name: LimitName, table = readProcFile('/proc/self/limits')): Limit | null {
  const row = table?.split('\n').find((line) => line.startsWith(LIMITS[name].row))
  const [soft, hard] = row?.slice(LIMITS[name].row.length).trim().split(/\s+/) ?? []
  if (soft === undefined || hard === undefined) return null
  const value = (text: string): number => (text === 'unlimited' ? Infinity : Number(text))
  return {soft: value(soft), hard: value(hard)}
}

function readProcFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return null
  }
}

/**
 * "RLIMIT_NOFILE is 24, this run needs about 148: ulimit -n 148": the one message for a limit
 * too low for what was asked. `what` names the need ("this run", "a ring of 32768 entries"),
 * `why` (optional) says what makes it up.
 */
export function limitTooLow(name: LimitName, limit: Limit, needed: number, what: string, why?: string): EnvironmentError {
  const {ulimit, unitBytes} = LIMITS[name]
  const shown = (value: number): string => (unitBytes ? formatSize(value) : String(value))
  const setting = unitBytes ? Math.ceil(needed / unitBytes / 1000) * 1000 : needed
  const hard = needed > limit.hard ? ` (the hard limit is ${shown(limit.hard)} too; raising that needs root)` : ''
  return new EnvironmentError(
    `${name} is ${shown(limit.soft)}, ${what} needs about ${shown(needed)}${why ? ` (${why})` : ''}: ulimit ${ulimit} ${setting}${hard}`,
  )
}

/**
 * Descriptors the CLI needs just to start: Node loads a command's modules many at a time, each
 * an open file. Measured at 38 for the largest command (run with a report file); the test
 * test/commands/limits.test.ts runs bench and run at exactly this many.
 */
export const DESCRIPTORS_TO_START = 48

export const MIB = 1024 ** 2

/**
 * Address space Node and V8 map as the CLI starts, unconstrained (measured: 730-760 MiB with
 * Node 20 on x64). V8 sizes its reservations by RLIMIT_AS, so under a limit the process's own
 * VmSize says little about what it needs.
 */
export const NODE_ADDRESS_SPACE = 768 * MIB

/**
 * Below this RLIMIT_AS, Node itself fails at random points of the smallest run (V8's "Fatal
 * process out of memory", std::bad_alloc in its threads) before anything can explain it:
 * measured failing at 1000 MiB for bench, shutdown-drill and stress-timeouts, and passing at
 * 1074 MiB.
 */
const ADDRESS_SPACE_TO_START = 1152 * MIB

/**
 * A limit the CLI cannot even start under, checked before oclif loads anything. Node raises the
 * soft RLIMIT_NOFILE to the hard one as it starts, so only a low hard limit is left here.
 */
export function startLimitError(): EnvironmentError | null {
  const table = readProcFile('/proc/self/limits')
  const files = readLimit('RLIMIT_NOFILE', table)
  if (files && files.soft < DESCRIPTORS_TO_START)
    return limitTooLow('RLIMIT_NOFILE', files, DESCRIPTORS_TO_START, 'iouring-bench', 'to load its modules')
  const space = readLimit('RLIMIT_AS', table)
  if (space && space.soft < ADDRESS_SPACE_TO_START)
    return limitTooLow('RLIMIT_AS', space, ADDRESS_SPACE_TO_START, 'iouring-bench', 'Node and V8 to start and run')
  return null
}
