// Runs the built CLI as a user would: a child process, its output and exit status.
import {execFile} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export interface CliResult {
  status: number
  stdout: string
  stderr: string
}

export function runCli(args: string[], options: {env?: NodeJS.ProcessEnv; timeoutMs?: number} = {}): Promise<CliResult> {
  // A GitHub Actions runner's job summary is not the tests' to write to, unless a test says so.
  const {GITHUB_STEP_SUMMARY, ...inherited} = process.env
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {env: {...inherited, NO_COLOR: '1', ...options.env}, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 << 20},
      (error, stdout, stderr) => {
        const status = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({status, stdout, stderr})
      },
    )
  })
}

/** The non-empty lines of a stream. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '')
}
