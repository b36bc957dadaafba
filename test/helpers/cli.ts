// Runs the built CLI as a user would: a child process, its output and how it ended.
import {execFile} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

/**
 * How a child ended. A crash (a signal) or a hang (the timeout) has no exit status, so no test
 * that expects an exit status, 1 included, passes for it.
 */
export interface CliResult {
  /** The exit status; null when a signal ended the child or it ran past its timeout. */
  status: number | null
  /** The signal that ended the child, if one did. */
  signal: NodeJS.Signals | null
  /** Killed at the timeout: whatever it exited with then is not its answer. */
  timedOut: boolean
  stdout: string
  stderr: string
}

interface ProcessOptions {
  env: NodeJS.ProcessEnv
  cwd?: string
  timeoutMs: number
  /** Written to the child's stdin (which is otherwise left open and empty). */
  input?: string
}

interface CliOptions {
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
  /** Written to the CLI's stdin (which is otherwise left open and empty). */
  input?: string
  /** Runs `wrapper... node bin/run.js args`, e.g. under seccomp-exec. */
  wrapper?: string[]
}

/** Runs `file args` to its end; rejects only when it could not run (not found, output too large). */
export function runProcess(file: string, args: string[], options: ProcessOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {env: options.env, cwd: options.cwd, timeout: options.timeoutMs, maxBuffer: 64 << 20},
      (error, stdout, stderr) => {
        if (!error) return resolve({status: 0, signal: null, timedOut: false, stdout, stderr})
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- an Error; @types/node's Omit<> type hides that
        if (typeof error.code === 'string') return reject(error)
        // killed is set only by execFile's own kill, here the timeout's (a CLI that handles
        // SIGTERM then exits with a status of its own choosing, which must not count).
        const timedOut = Boolean(error.killed)
        resolve({status: timedOut ? null : (error.code ?? null), signal: error.signal ?? null, timedOut, stdout, stderr})
      },
    )
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  // A GitHub Actions runner's job summary is not the tests' to write to, unless a test says so.
  const {GITHUB_STEP_SUMMARY, ...inherited} = process.env
  const command = options.wrapper ? [...options.wrapper, process.execPath, BIN, ...args] : [process.execPath, BIN, ...args]
  return runProcess(command[0], command.slice(1), {
    env: {...inherited, NO_COLOR: '1', ...options.env},
    timeoutMs: options.timeoutMs ?? 120_000,
    input: options.input,
  })
}

/** The non-empty lines of a stream. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '')
}
