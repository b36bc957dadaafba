// Runs the built CLI as a user would: a child process, its output and exit status.
import {execFile} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export interface CliResult {
  status: number
  stdout: string
  stderr: string
}

export interface CliOptions {
  env?: NodeJS.ProcessEnv
  timeoutMs?: number
  /** Written to the CLI's stdin (which is otherwise left open and empty). */
  input?: string
  /** Runs `wrapper... node bin/run.js args`, e.g. under seccomp-exec. */
  wrapper?: string[]
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  // A GitHub Actions runner's job summary is not the tests' to write to, unless a test says so.
  const {GITHUB_STEP_SUMMARY, ...inherited} = process.env
  const command = options.wrapper ? [...options.wrapper, process.execPath, BIN, ...args] : [process.execPath, BIN, ...args]
  return new Promise((resolve) => {
    const child = execFile(
      command[0],
      command.slice(1),
      {env: {...inherited, NO_COLOR: '1', ...options.env}, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 << 20},
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({status, stdout, stderr})
      },
    )
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}

/** The non-empty lines of a stream. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '')
}
