import type { CacheMode, Context, HttpRequest, HttpResponse, Middleware, Next } from "@switchyard/core";
import { HttpHeaders } from "@switchyard/core";
import { CacheFlow } from "./cache-flow.ts";
import { credentialIdentity, entryKey } from "./cache-key.ts";
import type { CacheOptions, ResolvedCacheOptions } from "./cache-options.ts";
import { resolveCacheOptions } from "./cache-options.ts";
import type { CacheStore } from "./cache-store.ts";
import { EntryIndex, STATE_WAIT_MS } from "./entry-index.ts";
import { lockFileFlights, stateStoreFlights } from "./fleet-flights.ts";
import { policyClass } from "./policy.ts";

/** The cache middleware, with its store and a way to wait for background work. */
export interface CacheMiddleware extends Middleware {
  readonly name: "cache";
  readonly stage: "cache";
  /** The store responses are kept in. */
  readonly store: CacheStore;
  /** Resolves when background revalidations and fills in flight have finished (for tests and shutdown). */
  idle(): Promise<void>;
  /** Waits for background work, then closes the store and stops listening to the state store. */
  close(): Promise<void>;
}

// Request headers with which the caller takes over validation or asks for part of a body: the
// cache passes such calls through untouched and stores nothing from them.
const PASS_THROUGH_HEADERS = [
  "range",
  "if-none-match",
  "if-modified-since",
  "if-match",
  "if-unmodified-since",
  "if-range",
];
const SAFE_UNCACHED = new Set(["HEAD", "OPTIONS", "TRACE"]);

function requestMode(request: HttpRequest, fallback: CacheMode): CacheMode {
  const mode = request.options.cache ?? fallback;
  if (mode !== "default") return mode;
  const cc = request.headers.get("cache-control");
  if (cc === undefined) return mode;
  // RFC 9111 §5.2.1: the request's own directives, where they mean a mode.
  if (/(?:^|,)\s*no-store\b/i.test(cc)) return "no-store";
  if (/(?:^|,)\s*only-if-cached\b/i.test(cc)) return "only-if-cached";
  return mode;
}

/**
 * An RFC 9111 HTTP cache (rules from `http-cache-semantics`) in the outermost `cache` stage: a hit
 * is served without running retry, mirror, auth or signing; a miss or a revalidation runs the whole
 * inner chain once. Bodies stream to the store while the caller reads them and stream back from it
 * on a hit, checked against their sha256. Per call, `cache` on the request (or `client.fetch`'s
 * `init.cache`) picks one of fetch's modes.
 *
 * @example
 * const client = createClient({ middleware: [retry(), cache({ dir: ".cache/http" })] });
 * const res = await client.request("https://conda.example/channel/noarch/repodata.json");
 * res.context.get(cacheStatusKey); // "miss", then "hit" or "revalidated" on later calls
 * await client.request(url, { cache: "no-cache" }); // always revalidate this time
 */
export function cache(options: CacheOptions): CacheMiddleware {
  const resolved: ResolvedCacheOptions = resolveCacheOptions(options);
  const Policy = policyClass(resolved.now);
  const index = new EntryIndex(resolved.store, resolved.stateStore, (meta) => Policy.fromObject(meta.policy));
  const fleet = !resolved.coalesce
    ? undefined
    : resolved.stateStore !== undefined
      ? stateStoreFlights(resolved.stateStore, resolved.coalesceWaitMs, STATE_WAIT_MS)
      : resolved.dir !== undefined
        ? lockFileFlights(resolved.dir, resolved.coalesceWaitMs)
        : undefined;
  const flow = new CacheFlow(resolved, index, Policy, fleet);

  const handle = (request: HttpRequest, next: Next, context: Context): Promise<HttpResponse> => {
    const method = request.method;
    if (method !== "GET") {
      if (SAFE_UNCACHED.has(method)) return next(request);
      return flow.unsafe(request, next);
    }
    const mode = requestMode(request, resolved.mode);
    if (mode === "no-store" || request.body !== undefined) return next(request);
    const headers = request.headers;
    if (headers !== HttpHeaders.EMPTY)
      for (const name of PASS_THROUGH_HEADERS) if (headers.has(name)) return next(request);
    const key = entryKey(request.url);
    const known = index.remembered(key);
    // The last answer for this key could not be stored: straight to the network, no look-up.
    if (EntryIndex.isAbsent(known) && mode === "default")
      return flow.fetchUncached(request, next, context, key);
    return flow.get(request, next, context, mode, key, credentialIdentity(request, context));
  };

  return {
    name: "cache",
    stage: "cache",
    store: resolved.store,
    handle,
    idle: () => flow.idle(),
    async close() {
      await flow.idle();
      fleet?.close();
      index.close();
      await resolved.store.close();
    },
  };
}
