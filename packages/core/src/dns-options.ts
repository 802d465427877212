import type { LookupFunction } from "node:net";
import type { Dispatcher } from "undici";
import { interceptors } from "undici";
import { InvalidOptionsError } from "./errors.ts";

/** `dnsCache` settings: undici's `dns` interceptor in front of the client's pool. */
export interface DnsCacheOptions {
  /**
   * Longest a resolved address is reused, in milliseconds; a record's own TTL is used when shorter
   * (only lookups that report one: `dns.lookup` does not, so its records live `maxTTL`).
   * @default 10000 (undici's)
   */
  readonly maxTTL?: number;
  /** Most host names kept. @default Infinity (undici's) */
  readonly maxItems?: number;
}

interface Record4or6 {
  readonly address: string;
  readonly family: number;
  readonly ttl?: number;
}

// The interceptor asks `(origin, options, callback(error, records))`; core's `lookup` option has
// dns.lookup's shape. Adapting it keeps one resolver (and a guard in it, e.g. @switchyard/ssrf)
// for both the cache and the pool.
function adaptLookup(lookup: LookupFunction) {
  return (
    origin: URL,
    _options: unknown,
    callback: (error: Error | null, records?: Record4or6[]) => void,
  ): void => {
    lookup(origin.hostname, { all: true }, ((error: Error | null, addresses: Record4or6[]) => {
      if (error) callback(error);
      else callback(null, addresses);
    }) as never);
  };
}

/** Wraps `dispatcher` with undici's DNS cache as `options` say (core-internal). */
export function withDnsCache(
  dispatcher: Dispatcher,
  options: boolean | DnsCacheOptions | undefined,
  lookup: LookupFunction | undefined,
): Dispatcher {
  if (options === undefined || options === false) return dispatcher;
  if (options !== true && (typeof options !== "object" || options === null)) {
    throw new InvalidOptionsError("dnsCache must be a boolean or { maxTTL, maxItems }");
  }
  const settings = options === true ? {} : options;
  for (const name of ["maxTTL", "maxItems"] as const) {
    const value = settings[name];
    if (value !== undefined && (typeof value !== "number" || !(value >= 0))) {
      throw new InvalidOptionsError(`dnsCache.${name} must be a number >= 0, got ${String(value)}`);
    }
  }
  return dispatcher.compose(
    interceptors.dns({
      ...(settings.maxTTL === undefined ? {} : { maxTTL: settings.maxTTL }),
      ...(settings.maxItems === undefined ? {} : { maxItems: settings.maxItems }),
      ...(lookup === undefined ? {} : { lookup: adaptLookup(lookup) as never }),
    }),
  );
}
