// The file a file workload runs on: the tool's own (laid out in the temporary directory with
// self-describing data, removed afterwards, also on a signal or an error: it is registered in
// src/interrupt.ts) or the user's (--file, read only). Checks O_DIRECT before anything runs,
// and says how much of the file is in the page cache, so a hot and a cold run are never confused.

import {randomBytes} from 'node:crypto'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {EnvironmentError, UsageError} from '../errors.js'
import {registerTempPath, removeTempPath} from '../interrupt.js'
import type {FileWorkloadSpec, WorkloadSpec} from '../model/workload.js'
import {layOutTestFile, type NativeFileError, pageCacheResidency, probeDirectRead, testFileInfo} from '../native/addon.js'
import {formatSize} from '../units.js'

export interface TestFile {
  path: string
  /** Bytes the ops use, from offset 0: whole blocks. */
  sizeBytes: number
  /** Laid out by the tool (and removed by it), as opposed to the user's --file. */
  createdByTool: boolean
  filesystem: string
  /** Share of the used bytes in the page cache just before the run (0..1). */
  residentShare: number
}

/**
 * Lays out the tool's file or opens the user's; the caller calls releaseTestFile() when done.
 * Aborting `signal` during the layout stops it, removes the file and rejects.
 */
export async function openTestFile(spec: WorkloadSpec, signal?: AbortSignal): Promise<TestFile> {
  const file = spec.file!
  const testFile = file.path === undefined ? await layOut(spec, file, signal) : userFile(file)
  try {
    if (file.direct) checkDirect(testFile, file)
    testFile.residentShare = pageCacheResidency(testFile.path, testFile.sizeBytes)
  } catch (error) {
    releaseTestFile(testFile)
    throw error
  }
  return testFile
}

export function releaseTestFile(file: TestFile): void {
  if (file.createdByTool) removeTempPath(file.path)
}

async function layOut(spec: WorkloadSpec, file: FileWorkloadSpec, signal?: AbortSignal): Promise<TestFile> {
  const sizeBytes = Math.floor(file.sizeBytes / file.blockSize) * file.blockSize
  const where = path.join(tmpdir(), `iouring-bench-${process.pid}-${randomBytes(4).toString('hex')}.dat`)
  registerTempPath(where)
  try {
    await layOutTestFile(where, sizeBytes, spec.seed ?? 1, signal)
  } catch (error) {
    removeTempPath(where)
    if (signal?.aborted) throw error
    const cause = error as NativeFileError
    throw new EnvironmentError(
      `could not lay out the ${formatSize(sizeBytes)} test file: ${cause.message}` +
        (cause.code === 'ENOSPC' ? '; free some space or use a smaller --file-size' : '') +
        (cause.code === 'EACCES' || cause.code === 'EROFS' ? '; point TMPDIR at a writable directory' : ''),
    )
  }
  return {path: where, sizeBytes, createdByTool: true, filesystem: testFileInfo(where).filesystem, residentShare: 0}
}

function userFile(file: FileWorkloadSpec): TestFile {
  let info
  try {
    info = testFileInfo(file.path!)
  } catch (error) {
    const cause = error as NativeFileError
    if (cause.syscall === 'a regular file or block device') {
      throw new UsageError(`--file: '${file.path}' is not allowed; give a regular file or a block device`)
    }
    throw new EnvironmentError(`--file: cannot read ${file.path}: ${cause.message}`)
  }
  const usable = file.sizeBytes > 0 ? Math.min(file.sizeBytes, info.sizeBytes) : info.sizeBytes
  const sizeBytes = Math.floor(usable / file.blockSize) * file.blockSize
  if (sizeBytes === 0) {
    throw new UsageError(
      `--file: '${file.path}' is not allowed; it holds ${formatSize(info.sizeBytes)}, less than one block of ${formatSize(file.blockSize)}`,
    )
  }
  return {path: file.path!, sizeBytes, createdByTool: false, filesystem: info.filesystem, residentShare: 0}
}

function checkDirect(testFile: TestFile, file: FileWorkloadSpec): void {
  const refused = probeDirectRead(testFile.path, file.blockSize)
  if (refused) {
    throw new EnvironmentError(
      `--direct: the ${testFile.filesystem} file system refused O_DIRECT for ${testFile.path}: ` +
        refused.message.replace(` ${testFile.path}`, '') +
        (testFile.createdByTool ? '; point TMPDIR at a file system that supports it, or drop --direct' : '; drop --direct'),
    )
  }
}
