import { resolve } from "node:path";
import type { CacheMode, StateStore } from "@switchyard/core";
import { CACHE_MODES, InvalidOptionsError } from "@switchyard/core";
import type { CacheStore } from "./cache-store.ts";
import { diskStore } from "./disk-store.ts";

/** A clock in epoch milliseconds. */
export type Clock = () => number;

/** Options of {@link cache}. One of `dir` or `store` is required. */
export interface CacheOptions {
  /** A directory for the default disk store (`diskStore({ dir })`); ignored when `store` is given. */
  readonly dir?: string;
  /** Where responses are kept. @default diskStore({ dir }) */
  readonly store?: CacheStore;
  /**
   * `false`: a private cache, for one user (a CLI, a desktop tool): responses marked `private` and
   * responses to credentialed requests are stored. `true`: a shared cache (a proxy, a CI runner
   * serving several users): `private` is not stored, `s-maxage` applies, and a response to a request
   * that carried credentials is stored only with `public`, `s-maxage` or `must-revalidate` (RFC 9111 §3.5).
   * @default false
   */
  readonly shared?: boolean;
  /** The mode of calls that give none (fetch's `RequestCache` values). @default "default" */
  readonly mode?: CacheMode;
  /**
   * Fraction of a response's age since `Last-Modified` taken as its lifetime when the server gave
   * none (RFC 9111 §4.2.2 heuristic freshness). @default 0.1 (the RFC's example, and browsers')
   */
  readonly heuristic?: number;
  /** Lowest lifetime in milliseconds of an `immutable` response without `max-age`. @default 86400000 (1 day) */
  readonly immutableMinTtl?: number;
  /**
   * Bytes a filling response may run ahead of a slow caller; past that the download (and the write)
   * waits for the caller. Bounds memory per fill. @default 16777216 (16 MiB)
   */
  readonly maxLag?: number;
  /** Serve stale within `stale-while-revalidate` at once and revalidate in the background. @default true */
  readonly staleWhileRevalidate?: boolean;
  /** Serve stale within `stale-if-error` when the network fails or answers 5xx. @default true */
  readonly staleIfError?: boolean;
  /**
   * Join concurrent misses and revalidations for one key into one request. Across processes too,
   * for misses: through `stateStore`'s leases when one is given (any host), else through lock files
   * in `<dir>/locks` when the default disk store is used (one machine); see `coalesceWaitMs`.
   * @default true
   */
  readonly coalesce?: boolean;
  /**
   * Longest time a miss waits for another process's fill of the same key before it sends its own
   * request; also how long a claim outlives a process that died holding it. Long enough for a
   * repodata-sized download; a stuck holder costs a caller at most this.
   * @default 10000
   */
  readonly coalesceWaitMs?: number;
  /**
   * Shares entry metadata (never bodies) through a state store, keys `cache:v1:<sha256>`. With a
   * disk store on a shared directory, processes on several hosts see each other's entries.
   * @default undefined (the store's own index)
   */
  readonly stateStore?: StateStore;
  /**
   * Response header that reports what the cache did (`hit`, `stale`, `revalidated`, `miss`), also
   * through `client.fetch`; `false` adds none (the context's `cacheStatusKey` is always set).
   * @default "x-switchyard-cache"
   */
  readonly statusHeader?: string | false;
  /** The clock, in epoch milliseconds (tests pass a fake one). @default Date.now */
  readonly now?: Clock;
}

/** The options with their defaults applied and checked. */
export interface ResolvedCacheOptions {
  readonly store: CacheStore;
  readonly shared: boolean;
  readonly mode: CacheMode;
  readonly heuristic: number;
  readonly immutableMinTtl: number;
  readonly maxLag: number;
  readonly staleWhileRevalidate: boolean;
  readonly staleIfError: boolean;
  readonly coalesce: boolean;
  readonly coalesceWaitMs: number;
  /** The default disk store's directory (lock files for cross-process coalescing), when `dir` made the store. */
  readonly dir: string | undefined;
  readonly stateStore: StateStore | undefined;
  readonly statusHeader: string | undefined;
  readonly now: Clock;
}

const DEFAULT_MAX_LAG = 16 * 1024 * 1024;

function bool(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean")
    throw new InvalidOptionsError(`cache ${name} must be a boolean, got ${String(value)}`);
  return value;
}

/** Applies defaults and checks every option; throws InvalidOptionsError naming the bad one. */
export function resolveCacheOptions(options: CacheOptions): ResolvedCacheOptions {
  if (typeof options !== "object" || options === null)
    throw new InvalidOptionsError("cache needs an options object: cache({ dir }) or cache({ store })");
  const { dir, store } = options;
  if (store === undefined && dir === undefined)
    throw new InvalidOptionsError(
      "cache needs dir (the disk store's directory) or store (e.g. memoryStore())",
    );
  if (store !== undefined) {
    const s = store as Partial<CacheStore>;
    for (const m of ["get", "writer", "read", "update", "delete", "close"] as const)
      if (typeof s[m] !== "function") throw new InvalidOptionsError(`cache store needs a ${m}() method`);
  }
  const mode = options.mode ?? "default";
  if (!(CACHE_MODES as readonly string[]).includes(mode))
    throw new InvalidOptionsError(`cache mode must be one of ${CACHE_MODES.join(", ")}, got ${String(mode)}`);
  const heuristic = options.heuristic ?? 0.1;
  if (!Number.isFinite(heuristic) || heuristic < 0 || heuristic > 1)
    throw new InvalidOptionsError(`cache heuristic must be a number from 0 to 1, got ${String(heuristic)}`);
  const immutableMinTtl = options.immutableMinTtl ?? 86_400_000;
  if (!Number.isFinite(immutableMinTtl) || immutableMinTtl < 0)
    throw new InvalidOptionsError(
      `cache immutableMinTtl must be milliseconds >= 0, got ${String(immutableMinTtl)}`,
    );
  const maxLag = options.maxLag ?? DEFAULT_MAX_LAG;
  if (!Number.isSafeInteger(maxLag) || maxLag < 1)
    throw new InvalidOptionsError(
      `cache maxLag must be an integer number of bytes >= 1, got ${String(maxLag)}`,
    );
  const header = options.statusHeader ?? "x-switchyard-cache";
  if (header !== false && (typeof header !== "string" || !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(header)))
    throw new InvalidOptionsError(`cache statusHeader must be a header name or false, got ${String(header)}`);
  const now = options.now ?? Date.now;
  if (typeof now !== "function")
    throw new InvalidOptionsError("cache now must be a function returning epoch milliseconds");
  const state = options.stateStore;
  if (state !== undefined && (typeof state !== "object" || state === null || typeof state.get !== "function"))
    throw new InvalidOptionsError("cache stateStore must implement the StateStore contract");
  const coalesceWaitMs = options.coalesceWaitMs ?? 10_000;
  if (!Number.isFinite(coalesceWaitMs) || coalesceWaitMs < 1 || coalesceWaitMs > 2_147_483_647)
    throw new InvalidOptionsError(
      `cache coalesceWaitMs must be a positive number of milliseconds, got ${String(coalesceWaitMs)}`,
    );
  return {
    store: store ?? diskStore({ dir: dir as string }),
    dir: store === undefined ? resolve(dir as string) : undefined,
    coalesceWaitMs: Math.ceil(coalesceWaitMs),
    shared: bool("shared", options.shared, false),
    mode,
    heuristic,
    immutableMinTtl,
    maxLag,
    staleWhileRevalidate: bool("staleWhileRevalidate", options.staleWhileRevalidate, true),
    staleIfError: bool("staleIfError", options.staleIfError, true),
    coalesce: bool("coalesce", options.coalesce, true),
    stateStore: state,
    statusHeader: header === false ? undefined : header.toLowerCase(),
    now,
  };
}
