// What stops the process early, and what must not outlive it: one registry for every command.
//
// SIGINT, SIGTERM and SIGHUP (Ctrl-C; `timeout`, `docker stop` and a CI cancel; a closed
// terminal) all interrupt, and the innermost handler wins: a measuring session stops its run and
// reports what it measured; before (or outside) that, the command says so in one line and exits.
// Either way the exit status is 128 + the signal's number (130, 143, 129). A second signal exits
// at once.
//
// Child processes and temporary paths are registered here by whatever spawns or creates them.
// However the process exits (normally, on an error, on a second signal), the 'exit' hook kills
// every child still running and removes every path still registered; it runs synchronously, so
// it also runs on process.exit().

import type {ChildProcess} from 'node:child_process'
import {rmSync} from 'node:fs'
import {constants} from 'node:os'

import {ExitCode} from './errors.js'

const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const
type InterruptSignal = (typeof INTERRUPT_SIGNALS)[number]

const handlers: Array<() => void> = []
const children = new Set<ChildProcess>()
const tempPaths = new Set<string>()
/** How many handlers were ever made current: none means nothing began to run yet. */
let handlerCount = 0
let installed = false
let received: InterruptSignal | undefined

function statusOf(signal: InterruptSignal): number {
  return 128 + constants.signals[signal]
}

function onSignal(signal: InterruptSignal): void {
  if (received) process.exit(statusOf(signal))
  received = signal
  const handler = handlers.at(-1)
  if (handler) {
    handler()
  } else {
    // No one to stop: before a run began, or after it ended (while its report is written).
    process.stderr.write(handlerCount === 0 ? `${interruptedBeforeMeasuring()}\n` : `Interrupted by ${signal}.\n`)
    process.exit(statusOf(signal))
  }
}

function endChildrenAndRemoveTempPaths(): void {
  // SIGKILL: the process is going, there is no one left to read what a child would print.
  for (const child of children) child.kill('SIGKILL')
  children.clear()
  for (const leftover of tempPaths) {
    try {
      removeTempPath(leftover)
    } catch {
      // Nothing more can be done on the way out; the others are still removed.
    }
  }
}

/** Installs the process's signal handling and exit hook (idempotent). */
export function installInterruptHandling(): void {
  if (installed) return
  installed = true
  for (const signal of INTERRUPT_SIGNALS) process.on(signal, onSignal)
  process.on('exit', endChildrenAndRemoveTempPaths)
}

/** Makes `handler` the one an interrupting signal calls until the returned function is called. */
export function onInterrupt(handler: () => void): () => void {
  installInterruptHandling()
  handlers.push(handler)
  handlerCount++
  return () => {
    const at = handlers.lastIndexOf(handler)
    if (at >= 0) handlers.splice(at, 1)
  }
}

/** The exit status of an interrupted run: 128 + the number of the signal that interrupted it. */
export function interruptedStatus(): number {
  return received ? statusOf(received) : ExitCode.interrupted
}

/** The one line an interrupt that came before any measurement ends with. */
export function interruptedBeforeMeasuring(): string {
  return `Interrupted by ${received} before anything was measured.`
}

/** Kills `child` if it is still running when the process exits; returns it. */
export function trackChild<Child extends ChildProcess>(child: Child): Child {
  installInterruptHandling()
  children.add(child)
  const forget = (): void => void children.delete(child)
  child.once('exit', forget)
  child.once('error', forget)
  return child
}

/** Removes `file` (a file or a directory with its contents) when the process exits, unless removeTempPath() did first. */
export function registerTempPath(file: string): void {
  installInterruptHandling()
  tempPaths.add(file)
}

/** Removes a registered temporary path now (it may already be gone). */
export function removeTempPath(file: string): void {
  rmSync(file, {recursive: true, force: true})
  tempPaths.delete(file)
}
