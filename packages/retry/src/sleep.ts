import { abortReason as coreAbortReason, sleep as coreSleep } from "@switchyard/core";

/** Waits `ms` milliseconds; an abort rejects at once and clears the timer. Injectable for tests. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** The default {@link Sleep}: core's abort-aware wait. */
export const sleep: Sleep = (ms, signal) => coreSleep(ms, signal);

/** The reason a signal aborted, as a Switchyard error (core's whole-call TimeoutError passes as is). */
export function abortReason(signal: AbortSignal, where: { method: string; url: string }): Error {
  return coreAbortReason(signal, where, "during a retry backoff");
}
