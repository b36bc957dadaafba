// Ctrl-C, handled the same way by every command: the innermost handler wins. A measuring
// session stops its run and reports what it measured; before (or outside) that, the command
// says it was interrupted and exits 130. A second Ctrl-C always exits at once.

const handlers: Array<() => void> = []
let installed = false
let interruptedOnce = false

function onSigint(): void {
  if (interruptedOnce) process.exit(130)
  interruptedOnce = true
  const handler = handlers.at(-1)
  if (handler) {
    handler()
  } else {
    process.stderr.write('Interrupted before anything was measured.\n')
    process.exit(130)
  }
}

/** Installs the process's SIGINT handling (idempotent). */
export function installInterruptHandling(): void {
  if (installed) return
  installed = true
  process.on('SIGINT', onSigint)
}

/** Makes `handler` the one Ctrl-C calls until the returned function is called. */
export function onInterrupt(handler: () => void): () => void {
  installInterruptHandling()
  handlers.push(handler)
  return () => {
    const at = handlers.lastIndexOf(handler)
    if (at >= 0) handlers.splice(at, 1)
  }
}
