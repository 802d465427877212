import { AbortError, SwitchyardError } from "@switchyard/core";

/** Waits `ms` milliseconds; an abort rejects at once and clears the timer. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The reason a signal aborted, as a Switchyard error (core's whole-call TimeoutError passes as is). */
export function abortReason(signal: AbortSignal, where: { method: string; url: string }): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof SwitchyardError) return reason;
  return new AbortError("the call was aborted during a retry backoff", {
    ...where,
    cause: reason,
  });
}

/**
 * The default {@link Sleep}: a `setTimeout` that an abort cancels. The timer keeps the process
 * alive on purpose: a request waiting for its turn is work in progress.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (!(ms > 0)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
