import { InvalidRequestError } from "./errors.ts";

/**
 * What `client.fetch` rejects with, as Node's fetch does: the signal's reason when the caller's
 * signal aborted (a `TimeoutError` DOMException for `AbortSignal.timeout()`, the value given to
 * `abort(reason)`, an `AbortError` DOMException otherwise); a `TypeError` for a request that could
 * not be built; `TypeError("fetch failed")` for everything else. The Switchyard error is the
 * `cause` in both TypeError cases.
 */
export function fetchFailure(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  if (error instanceof TypeError) return error;
  if (error instanceof InvalidRequestError) return new TypeError(error.message, { cause: error });
  return new TypeError("fetch failed", { cause: error });
}

/**
 * What a fetch response body errors with when its source fails: the signal's reason after an
 * abort, else `TypeError("terminated")` with the Switchyard error as the cause, as Node's fetch.
 */
export function bodyFailure(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  return new TypeError("terminated", { cause: error });
}
