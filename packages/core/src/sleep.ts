import { AbortError, SwitchyardError } from "./errors.ts";

/**
 * Waits `ms` milliseconds. An abort rejects at once with {@link abortReason} and clears the timer,
 * so no timer outlives the call. The timer keeps the process alive on purpose: a request waiting
 * for its turn is work in progress.
 */
export function sleep(
  ms: number,
  signal?: AbortSignal,
  where?: { method: string; url: string },
): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal, where));
  if (!(ms > 0)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!, where));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Why a signal aborted, as a Switchyard error: core's own reasons (the whole-call
 * `TimeoutError("request")`) pass through; anything else becomes an `AbortError` with the reason as
 * its cause. `where.url` must already be redacted; `during` says what was going on ("during a
 * retry backoff").
 */
export function abortReason(
  signal: AbortSignal,
  where?: { method: string; url: string },
  during?: string,
): SwitchyardError {
  const reason: unknown = signal.reason;
  if (reason instanceof SwitchyardError) return reason;
  return new AbortError(during ? `the call was aborted ${during}` : "the call was aborted", {
    ...where,
    cause: reason,
  });
}
