// --push URL: a result's metrics, its Prometheus text exposition (prometheus.ts), sent to a
// Prometheus Pushgateway in one PUT to URL/metrics/job/iouring-bench/instance/<hostname>, the
// group's key: a PUT replaces every metric of its group, so each host's last result is the one
// the gateway keeps (https://github.com/prometheus/pushgateway#api). The hostname is the one the
// result was measured on, so `report saved.json --push` files it under the host that ran it.
// Loaded only when a command pushes. A push that fails is an EnvironmentError naming the URL and
// the cause; the caller has already printed and saved the result.

import {EnvironmentError, oneLine, shown} from '../errors.js'
import type {ResultDocument} from '../model/result.js'
import {renderPrometheus} from './prometheus.js'

const PUSH_JOB = 'iouring-bench'
const TIMEOUT_MS = 10_000

/**
 * One label value as a path segment of the grouping key: URI-encoded, or base64url with the
 * `@base64` suffix on its name where URI encoding cannot carry it (a `/`, or an empty value).
 */
function groupingPair(name: string, value: string): string {
  if (value !== '' && !value.includes('/')) return `${name}/${encodeURIComponent(value)}`
  return `${name}@base64/${value === '' ? '=' : Buffer.from(value).toString('base64url')}`
}

/** Where the result goes: the gateway's URL (a path prefix kept) with the grouping key, without credentials. */
function pushTarget(gateway: string, hostname: string): URL {
  const url = new URL(gateway)
  url.username = ''
  url.password = ''
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/metrics/${groupingPair('job', PUSH_JOB)}/${groupingPair('instance', hostname)}`
  return url
}

/** fetch refuses a URL with credentials: they go in a Basic Authorization header instead. */
function authorization(gateway: string): Record<string, string> {
  const {username, password} = new URL(gateway)
  if (!username && !password) return {}
  const credentials = `${decodeURIComponent(username)}:${decodeURIComponent(password)}`
  return {authorization: `Basic ${Buffer.from(credentials).toString('base64')}`}
}

/** Why a request got no answer: the system's error code (ECONNREFUSED, ENOTFOUND) where there is one. */
function causeOf(error: unknown): string {
  const cause = (error as {cause?: unknown}).cause as (Error & {code?: string; errors?: Array<{code?: string}>}) | undefined
  const code = cause?.code ?? cause?.errors?.find((each) => each.code)?.code
  return shown(code ?? cause?.message ?? (error as Error).message ?? String(error))
}

/** PUTs the result's metrics to the gateway; throws an EnvironmentError when it is not accepted. */
export async function pushResult(document: ResultDocument, gateway: string): Promise<void> {
  const target = pushTarget(gateway, document.host.hostname)
  const where = oneLine(target.href)
  const signal = AbortSignal.timeout(TIMEOUT_MS)
  let response: Response
  try {
    response = await fetch(target, {
      method: 'PUT',
      headers: {'content-type': 'text/plain; version=0.0.4; charset=utf-8', ...authorization(gateway)},
      body: renderPrometheus(document),
      signal,
    })
  } catch (error) {
    if (signal.aborted) throw new EnvironmentError(`--push: ${where} did not answer within ${TIMEOUT_MS / 1000} s`)
    throw new EnvironmentError(`--push: ${where} could not be reached (${causeOf(error)})`)
  }
  if (response.ok) {
    await response.body?.cancel()
    return
  }
  // The gateway says why in the body (an inconsistent metric, a bad grouping key): its first line.
  const reason = await response.text().then(
    (text) => text.trim().split('\n')[0] ?? '',
    () => '',
  )
  const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`
  throw new EnvironmentError(`--push: ${where} answered ${oneLine(status)}${reason ? `: ${shown(reason)}` : ''}`)
}
