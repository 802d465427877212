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

/** What an HTTP cache plugin did for this call (hit, stale, revalidated, miss); set by the cache. */
export const cacheStatusKey: ContextKey<CacheStatus> = contextKey<CacheStatus>("switchyard:cache-status");
