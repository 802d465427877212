import type { CacheStatus } from "./cache-mode.ts";
import type { ContextKey } from "./context.ts";
import { contextKey } from "./context.ts";
import type { Credential } from "./credentials.ts";

/**
 * Epoch milliseconds before which the next attempt of this call must not be sent. Set by
 * `@switchyard/retry-after` from a server's `Retry-After`; `@switchyard/retry` waits the longer of
 * its own backoff and this hint, never the sum.
 */
export const notBeforeKey: ContextKey<number> = contextKey<number>("switchyard:not-before");

/** 1-based number of the attempt in flight (set by retry; absent means the first attempt). */
export const attemptKey: ContextKey<number> = contextKey<number>("switchyard:attempt");

/** Which mirror, registry or bucket answered the call. URLs here are already redacted. */
export interface ServedBy {
  readonly kind: "mirror" | "registry" | "bucket" | "origin";
  readonly url: string;
}

/** Set by the plugin that routed or resolved the request (mirror, oci, s3, gcs). */
export const servedByKey: ContextKey<ServedBy> = contextKey<ServedBy>("switchyard:served-by");

/** Credentials passed for this call only; they win over every store. */
export const credentialKey: ContextKey<Credential> = contextKey<Credential>("switchyard:credential");

/**
 * What a retry budget offers to other plugins that send extra attempts: the shape of
 * `@switchyard/retry`'s `RetryBudget`. `@switchyard/hedge` spends it for each hedged attempt, so a
 * partial outage that empties the budget also stops the hedges (no double load).
 */
export interface AttemptBudget {
  /**
   * Takes the cost of one extra attempt; returns what was taken, or `undefined` (taking nothing)
   * when the budget cannot pay for it.
   */
  acquire(afterTimeout: boolean): number | undefined;
}

/**
 * The retry budget in force for this call. Set by `@switchyard/retry` when the call starts (when it
 * has a budget); read by plugins that send extra attempts (`@switchyard/hedge`).
 */
export const attemptBudgetKey: ContextKey<AttemptBudget> =
  contextKey<AttemptBudget>("switchyard:attempt-budget");

/**
 * The stable code of the error a circuit breaker fails fast with (`@switchyard/breaker`'s
 * `CircuitOpenError`). The error is transient and means "nothing was sent, no connection was paid
 * for": `@switchyard/mirror` counts it as a failed mirror and tries the next one at once, without
 * its failover delay. Any breaker, official or not, cooperates with mirror by failing with a
 * transient `SwitchyardError` of this code.
 */
export const CIRCUIT_OPEN_CODE = "SWITCHYARD_ERR_CIRCUIT_OPEN";

/** What an HTTP cache plugin did for this call (hit, stale, revalidated, miss); set by the cache. */
export const cacheStatusKey: ContextKey<CacheStatus> = contextKey<CacheStatus>("switchyard:cache-status");
