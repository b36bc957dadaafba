// Watching a running CLI from the outside through /proc, so a test can act at a known point of its
// run (a phase has begun, a handler is installed, a child exists) instead of after a guessed delay.
import {spawn} from 'node:child_process'
import {readdirSync, readFileSync, readlinkSync} from 'node:fs'
import {constants} from 'node:os'

import {BIN} from './cli.ts'

export interface Exit {
  status: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface WatchedRun {
  pid: number
  exited: Promise<Exit>
  /** Set once the process has exited. */
  exit?: Exit
}

export function startCli(args: string[], env: NodeJS.ProcessEnv): WatchedRun {
  const {GITHUB_STEP_SUMMARY, ...inherited} = process.env
  const child = spawn(process.execPath, [BIN, ...args], {env: {...inherited, NO_COLOR: '1', ...env}})
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk))
  const run: WatchedRun = {
    pid: child.pid!,
    exited: new Promise((resolve) => {
      child.on('close', (status, signal) => {
        run.exit = {status, signal, stdout, stderr}
        resolve(run.exit)
      })
    }),
  }
  return run
}

/** Long enough for any phase on a loaded machine; past it a test fails instead of hanging. */
const WAIT_LIMIT_MS = 60_000

/** Polls `probe` until it returns a value; fails, naming `what`, if the run ends first or it never comes. */
export async function waitFor<T>(run: WatchedRun, what: string, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + WAIT_LIMIT_MS
  for (;;) {
    const found = probe()
    if (found !== undefined && found !== false) return found
    if (run.exit) throw new Error(`the run ended before ${what}: status ${run.exit.status}, stderr: ${run.exit.stderr}`)
    if (Date.now() > deadline) {
      process.kill(run.pid, 'SIGKILL')
      throw new Error(`${what}: not seen within ${WAIT_LIMIT_MS / 1000} s; the run was killed`)
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

/** Whether every thread of `pid` is stopped (SIGSTOP has taken effect, not just been sent). */
export function isStopped(pid: number): boolean {
  const tasks = readdirSyncSafe(`/proc/${pid}/task`)
  return tasks.length > 0 && tasks.every((task) => /^State:\s+T/m.test(read(`/proc/${pid}/task/${task}/status`) ?? ''))
}

function readdirSyncSafe(folder: string): string[] {
  try {
    return readdirSync(folder)
  } catch {
    return []
  }
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

/** The direct children of a process (of all its threads). */
export function childrenOf(pid: number): number[] {
  let tasks: string[]
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return []
  }
  return tasks.flatMap((task) => (read(`/proc/${pid}/task/${task}/children`) ?? '').split(' ').filter(Boolean).map(Number))
}

export function commandName(pid: number): string | undefined {
  return read(`/proc/${pid}/comm`)?.trim()
}

/** Running (not a zombie, not gone). */
export function isAlive(pid: number): boolean {
  const stat = read(`/proc/${pid}/stat`)
  // The state follows the command name, which is in parentheses and may hold anything.
  return stat !== undefined && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
}

/** Processes (other than zombies) whose environment holds `entry`, e.g. a run's own TMPDIR=... */
export function processesWithEnvironment(entry: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => pid !== process.pid && (read(`/proc/${pid}/environ`) ?? '').split('\0').includes(entry) && isAlive(pid))
}

function fdTargets(pid: number): Array<{fd: string; target: string}> {
  let fds: string[]
  try {
    fds = readdirSync(`/proc/${pid}/fd`)
  } catch {
    return []
  }
  return fds.flatMap((fd) => {
    try {
      return [{fd, target: readlinkSync(`/proc/${pid}/fd/${fd}`)}]
    } catch {
      return []
    }
  })
}

/** Whether the process has a file open whose path starts with `prefix`. */
export function hasOpen(pid: number, prefix: string): boolean {
  return fdTargets(pid).some(({target}) => target.startsWith(prefix))
}

/**
 * The completions so far of the process's io_uring rings of `entries` submission entries (from
 * /proc/PID/fdinfo: SqMask and CqTail), or undefined when it has none (or the kernel did not say).
 */
export function ringCompletions(pid: number, entries?: number): number | undefined {
  for (const {fd, target} of fdTargets(pid)) {
    if (!target.includes('io_uring')) continue
    const info = read(`/proc/${pid}/fdinfo/${fd}`) ?? ''
    const mask = /SqMask:\s*0x([0-9a-f]+)/.exec(info)
    const tail = /CqTail:\s*(\d+)/.exec(info)
    if (mask && tail && (entries === undefined || Number.parseInt(mask[1], 16) + 1 === entries)) return Number(tail[1])
  }
  return undefined
}

/** Read syscalls the process made so far (/proc/PID/io syscr, all its threads). */
export function readCalls(pid: number): number | undefined {
  const match = /syscr:\s*(\d+)/.exec(read(`/proc/${pid}/io`) ?? '')
  return match ? Number(match[1]) : undefined
}

function signalMask(pid: number, field: 'SigCgt' | 'ShdPnd' | 'SigPnd'): bigint {
  const match = new RegExp(`${field}:\\s*([0-9a-f]+)`).exec(read(`/proc/${pid}/status`) ?? '')
  return match ? BigInt(`0x${match[1]}`) : 0n
}

const bit = (signal: NodeJS.Signals): bigint => 1n << BigInt(constants.signals[signal] - 1)

/** Whether the process has a handler installed for every one of `signals`. */
export function catches(pid: number, signals: NodeJS.Signals[]): boolean {
  const caught = signalMask(pid, 'SigCgt')
  return signals.every((signal) => (caught & bit(signal)) !== 0n)
}

/** Whether `signal` was sent to the process and is waiting (e.g. the process is stopped). */
export function isPending(pid: number, signal: NodeJS.Signals): boolean {
  return ((signalMask(pid, 'ShdPnd') | signalMask(pid, 'SigPnd')) & bit(signal)) !== 0n
}
