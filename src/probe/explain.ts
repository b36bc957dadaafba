// Turns a native failure into a sentence a user can act on: what was refused, the likely cause,
// and what to do. Causes are inferred from the errno and the flags asked for; probe-kernel
// confirms them with real tests.

import type {NativeError} from '../native/addon.js'

const PROBE_HINT = "run 'iouring-bench probe-kernel' to see what this kernel supports"

export function explainNativeError(error: NativeError): string {
  if (error.code === 'EMFILE' || error.code === 'ENFILE') {
    return `${error.call} failed (${error.message}): the process ran out of file descriptors; raise RLIMIT_NOFILE (ulimit -n) or open fewer connections`
  }
  if (error.call === 'io_uring_setup') {
    const refused = `the kernel refused the ring (${error.message})`
    switch (error.code) {
      case 'EINVAL':
        if (error.detail.includes('SINGLE_ISSUER') || error.detail.includes('DEFER_TASKRUN')) {
          return `${refused}: SINGLE_ISSUER needs Linux 6.0 and DEFER_TASKRUN 6.1; drop --single-issuer, or ${PROBE_HINT}`
        }
        return `${refused}: a setup flag or the ring size is not supported here; ${PROBE_HINT}`
      case 'EPERM':
        return `${refused}: io_uring is not permitted for this process (kernel.io_uring_disabled, io_uring_group or a seccomp filter such as a container's default profile); ${PROBE_HINT}`
      case 'ENOSYS':
        return `${refused}: this kernel was built without io_uring`
      case 'ENOMEM':
        return `${refused}: before Linux 5.12 ring memory counts against RLIMIT_MEMLOCK; raise it (ulimit -l) or use a smaller ring`
      default:
        return `${refused}; ${PROBE_HINT}`
    }
  }
  if (error.code === 'ENOMEM') {
    return `the loop could not start (${error.message}): out of memory; use a smaller ring or free memory`
  }
  return `the loop stopped: ${error.message}`
}
