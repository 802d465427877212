import { abortReason, sleep } from "@switchyard/core";

/** Milliseconds before the first failover; doubled for each further one. */
export const FAILOVER_DELAY_BASE_MS = 50;
/** The longest wait between two attempts of one request. */
export const FAILOVER_DELAY_CAP_MS = 2000;

/**
 * The default wait before failover number `failover` (1 = before the second attempt of a request):
 * 50 ms, 100 ms, 200 ms... capped at 2 s. Mirrors are distinct servers, so the wait is short; it
 * exists so that a burst of requests against a dying pool is not a tight loop.
 */
export function defaultFailoverDelay(failover: number): number {
  if (!(failover >= 1)) return 0;
  return Math.min(FAILOVER_DELAY_CAP_MS, FAILOVER_DELAY_BASE_MS * 2 ** (failover - 1));
}

/** Waits `ms`; an abort rejects at once (core's whole-call timeout as is, else an AbortError). */
export function abortableSleep(
  ms: number,
  signal: AbortSignal | undefined,
  where: { method: string; url: string },
): Promise<void> {
  if (signal?.aborted)
    return Promise.reject(abortReason(signal, where, "while waiting to try the next mirror"));
  return sleep(ms, signal, where).catch((error: unknown) => {
    throw signal?.aborted ? abortReason(signal, where, "while waiting to try the next mirror") : error;
  });
}
