// The live status line of a run, like t/io_uring's per-second line: which workload and system,
// the phase, ops/s, bytes/s and SQEs per io_uring_enter (ops per submit call). Only on a TTY, never
// with --json, and only once the run has lasted a second (a shorter one would only flicker);
// elsewhere it is a no-op.

import {createLogUpdate} from 'log-update'

import type {ProgressEvent} from '../model/progress.js'
import {formatCount, formatDuration, formatSize} from '../units.js'

interface ProgressDisplay {
  /** `stage` labels where the run is, e.g. "trial 2/5". */
  update(event: ProgressEvent, stage?: string): void
  done(): void
}

const SILENT: ProgressDisplay = {update() {}, done() {}}

/**
 * log-update on `stream`, as if it were 80×24 where the terminal says 0×0 (a pty under `script`,
 * some CI runners): log-update would wrap at 0 columns and keep 0 rows, so nothing would show.
 */
export function statusLine(stream: NodeJS.WriteStream): ReturnType<typeof createLogUpdate> {
  const sized = {
    write: (text: string) => stream.write(text),
    get columns() {
      return stream.columns || 80
    },
    get rows() {
      return stream.rows || 24
    },
  }
  return createLogUpdate(sized as unknown as NodeJS.WriteStream, {showCursor: false})
}

const SHOW_AFTER_MS = 1000

export function progressDisplay(
  enabled: boolean,
  stream: NodeJS.WriteStream = process.stderr,
  clock: () => number = Date.now,
): ProgressDisplay {
  if (!enabled || !stream.isTTY) return SILENT
  // Created at the first draw: log-update hides the cursor, which a short run must not touch.
  let write: ReturnType<typeof createLogUpdate> | undefined
  const started = clock()
  let previous: {key: string; elapsedNs: number; opsEnded: number; bytesEnded: number} | undefined
  return {
    update({workload, system, progress}, stage) {
      const key = `${workload.name}/${system}`
      const same = previous?.key === key
      const per = (now: number, before: number): number =>
        same && progress.elapsedNs > previous!.elapsedNs ? ((now - before) * 1e9) / (progress.elapsedNs - previous!.elapsedNs) : 0
      const rate = per(progress.opsEnded, previous?.opsEnded ?? 0)
      const bytes = per(progress.bytesEnded, previous?.bytesEnded ?? 0)
      previous = {key, elapsedNs: progress.elapsedNs, opsEnded: progress.opsEnded, bytesEnded: progress.bytesEnded}
      if (clock() - started < SHOW_AFTER_MS) return
      const {enterCalls, sqesSubmitted} = progress.counters
      const total = workload.drive.ops > 0 ? '' : ` / ${formatDuration(workload.drive.durationNs + workload.drive.warmupNs)}`
      write ??= statusLine(stream)
      write(
        `${stage ? `${stage} · ` : ''}${workload.name} [${system}] ${progress.measuring ? 'measuring' : 'warming up'} ` +
          `${formatDuration(progress.elapsedNs)}${total} · ${formatCount(rate)} ops/s · ` +
          (bytes > 0 ? `${formatSize(bytes)}/s · ` : '') +
          `${enterCalls > 0 ? (sqesSubmitted / enterCalls).toFixed(1) : '-'} SQEs/enter`,
      )
    },
    done() {
      write?.clear()
      write?.done()
    },
  }
}
