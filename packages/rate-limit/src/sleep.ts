/** An abort-aware wait: resolves after `ms`, rejects when `signal` aborts (core's `sleep` fits). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;
