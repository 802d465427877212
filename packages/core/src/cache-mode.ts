import { InvalidRequestError } from "./errors.ts";

/**
 * How one call uses an HTTP cache: fetch's `RequestCache` values, with fetch's meaning.
 *
 * - `default`: use a fresh stored response; revalidate a stale one; store what may be stored.
 * - `no-store`: neither read nor write the cache.
 * - `reload`: go to the network unconditionally, then store the answer.
 * - `no-cache`: always revalidate a stored response (conditional request), then store.
 * - `force-cache`: use any stored response, fresh or stale; go to the network only without one.
 * - `only-if-cached`: use any stored response; without one, fail (fetch answers 504) and send nothing.
 *
 * Without a cache plugin in the chain, every mode behaves as `no-store`.
 */
export type CacheMode = "default" | "no-store" | "reload" | "no-cache" | "force-cache" | "only-if-cached";

/** Every cache mode. */
export const CACHE_MODES: readonly CacheMode[] = Object.freeze([
  "default",
  "no-store",
  "reload",
  "no-cache",
  "force-cache",
  "only-if-cached",
]);

/**
 * What a cache did for a call, readable from `response.context.get(cacheStatusKey)`:
 * `hit` (fresh, from the cache), `stale` (served stale: stale-while-revalidate, stale-if-error,
 * `force-cache`), `revalidated` (a conditional request answered 304 and the stored body was served),
 * `miss` (from the network). Calls the cache passes through untouched carry none.
 */
export type CacheStatus = "hit" | "stale" | "revalidated" | "miss";

/** Checks a cache mode given by a caller; throws InvalidRequestError naming the allowed values. */
export function checkCacheMode(value: unknown): CacheMode {
  if (typeof value === "string" && (CACHE_MODES as readonly string[]).includes(value))
    return value as CacheMode;
  throw new InvalidRequestError(`cache must be one of ${CACHE_MODES.join(", ")}, got ${String(value)}`);
}
