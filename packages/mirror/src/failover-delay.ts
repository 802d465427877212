import { setTimeout as sleepFor } from "node:timers/promises";
import { AbortError, SwitchyardError } from "@switchyard/core";

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

/**
 * Waits `ms`, rejecting as soon as `signal` aborts: with the signal's reason when it is a Switchyard
 * error (the client's whole-call timeout), otherwise with an `AbortError`.
 */
export async function abortableSleep(
  ms: number,
  signal: AbortSignal | undefined,
  where: { method: string; url: string },
): Promise<void> {
  if (signal?.aborted) throw abortReason(signal, where);
  if (ms <= 0) return;
  try {
    await sleepFor(ms, undefined, signal === undefined ? undefined : { signal });
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal, where);
    throw error;
  }
}

function abortReason(signal: AbortSignal, where: { method: string; url: string }): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof SwitchyardError) return reason;
  return new AbortError("the call was aborted while waiting to try the next mirror", {
    ...where,
    cause: reason,
  });
}
