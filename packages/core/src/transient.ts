import { AbortError, ConnectError, isSwitchyardError, TimeoutError } from "./errors.ts";

/**
 * Statuses that say "the same request may succeed later": 408 Request Timeout, 429 Too Many
 * Requests, 500, 502, 503, 504. Other 4xx are the caller's mistake; 501 Not Implemented, 505 HTTP
 * Version Not Supported and the rarer 5xx will not change on a second try. `@switchyard/retry`'s
 * default `statuses`; `@switchyard/mirror` uses it to say whether a failed pool may recover.
 */
export const TRANSIENT_STATUSES: readonly number[] = Object.freeze([408, 429, 500, 502, 503, 504]);

const TRANSIENT_STATUS_SET: ReadonlySet<number> = new Set(TRANSIENT_STATUSES);

/**
 * The one rule for whether a status is transient: it is in `statuses` (a retry policy's own list),
 * by default {@link TRANSIENT_STATUSES}.
 */
export function isTransientStatus(
  status: number,
  statuses: ReadonlySet<number> = TRANSIENT_STATUS_SET,
): boolean {
  return statuses.has(status);
}

/**
 * The one rule for whether an error is transient (another try of the same request may succeed):
 * a Switchyard error its thrower marked `transient`. Core marks connection refused or reset,
 * sockets closed early and connect / headers / body timeouts; never the caller's abort nor the
 * whole-call timeout. A plugin's own error is transient only when the plugin says so. Every plugin
 * that asks "transient?" (retry, mirror, breaker) asks this function.
 */
export function isTransientError(error: unknown): boolean {
  return isSwitchyardError(error) && error.transient;
}

/**
 * Whether an error of one attempt counts against the server it was sent to (a mirror failing
 * over, a breaker counting): a transient error ({@link isTransientError}), or any connect error (a
 * TLS handshake the server fails is its fault even though retrying it will not help). Never the
 * caller's abort nor the whole-call timeout: those say nothing about the server.
 */
export function isServerFailure(error: unknown): boolean {
  if (!isSwitchyardError(error)) return false;
  if (error instanceof AbortError) return false;
  if (error instanceof TimeoutError && error.phase === "request") return false;
  return isTransientError(error) || error instanceof ConnectError;
}
