import { createHash } from "node:crypto";
import type { HttpHeaders, HttpRequest, HttpResponse } from "@switchyard/core";
import { isSecretHeader } from "@switchyard/core";
import CachePolicy from "http-cache-semantics";

import type { Clock } from "./cache-options.ts";

/** What http-cache-semantics takes: header records with lower-case names. */
export type PolicyHeaders = Record<string, string | string[] | undefined>;

/** The RFC 9111 rules, from http-cache-semantics, with the cache's clock. */
export type Policy = CachePolicy;

/** A CachePolicy class whose idea of "now" is `now` (the library reads it through `now()`). */
export function policyClass(now: Clock): typeof CachePolicy {
  return class ClockedPolicy extends CachePolicy {
    now(): number {
      return now();
    }
  };
}

const hashValue = (value: string): string =>
  `sha256:${createHash("sha256").update(value).digest("hex").slice(0, 32)}`;

/**
 * The request as the policy sees it. `url` is the entry's hashed key (no URL, so no secret in a
 * query string, reaches the stored policy); secret headers (Authorization, Cookie, API keys) are
 * replaced by a hash of their value, so `Vary` on them still tells users apart and the RFC's
 * Authorization rule still applies, while no secret is stored. `credentialed` marks a request that
 * carried credentials when it went out (auth adds them inside the cache).
 */
export function policyRequest(request: HttpRequest, key: string, credentialed = false): CachePolicy.Request {
  const headers: PolicyHeaders = { host: "switchyard-cache" };
  for (const [name, value] of request.headers) {
    headers[name] = isSecretHeader(name) ? hashValue(value) : value;
  }
  if (credentialed && headers.authorization === undefined) headers.authorization = "credentialed";
  return { url: key, method: request.method, headers };
}

/** The response's headers as a record, without Set-Cookie (a cache must not replay cookies). */
export function policyHeaders(headers: HttpHeaders): PolicyHeaders {
  const out: PolicyHeaders = {};
  for (const [name, value] of headers) if (name !== "set-cookie") out[name] = value;
  return out;
}

/** The response as the policy sees it, after the scheme's rules (see {@link schemeCacheControl}). */
export function policyResponse(response: HttpResponse, url: string): CachePolicy.Response {
  const headers = policyHeaders(response.headers);
  const cc = schemeCacheControl(
    url,
    response.status,
    headers["cache-control"] as string | undefined,
    headers,
  );
  if (cc !== undefined) headers["cache-control"] = cc;
  return { status: response.status, headers };
}

// RFC 9111 §1.2.2: a delta-seconds past 2^31 is taken as 2^31.
const FOREVER = "max-age=2147483648, immutable";
const DIGEST_URL = /@sha(?:256|512):[0-9a-f]{64,128}$/;

/**
 * The Cache-Control the cache applies for the URL the caller asked for, or undefined to keep the
 * server's: an `oci://` blob or manifest addressed by digest never changes, so it is cached
 * forever; an `oci://` tag can move, so it is always revalidated; an `s3://`/`gs://` object without
 * an explicit lifetime is revalidated with its ETag on each use instead of a heuristic lifetime.
 */
export function schemeCacheControl(
  url: string,
  status: number,
  cacheControl: string | undefined,
  headers: PolicyHeaders,
): string | undefined {
  const colon = url.indexOf(":");
  const scheme = url.slice(0, colon);
  if (scheme === "oci") {
    if (status === 200 && DIGEST_URL.test(url.split("?")[0]!)) {
      // Content addressed: it cannot change. The server still decides whether it may be kept, and by whom.
      if (cacheControl !== undefined && /(?:^|,)\s*no-store\b/i.test(cacheControl)) return undefined;
      return cacheControl !== undefined && /(?:^|,)\s*private\b/i.test(cacheControl)
        ? `${FOREVER}, private`
        : FOREVER;
    }
    return cacheControl ? `${cacheControl}, no-cache` : "no-cache";
  }
  if (scheme === "s3" || scheme === "gs" || scheme === "gcs") {
    const explicit =
      headers.expires !== undefined || /(?:^|,)\s*(?:s-)?max-age\s*=/i.test(cacheControl ?? "");
    if (!explicit) return cacheControl ? `${cacheControl}, no-cache` : "no-cache";
  }
  return undefined;
}

/** Seconds of `stale-if-error` a Cache-Control allows (RFC 5861), 0 without one or when revalidation is required. */
export function staleIfErrorSeconds(cacheControl: string | undefined, shared: boolean): number {
  if (cacheControl === undefined) return 0;
  const cc = cacheControl.toLowerCase();
  // RFC 9111 §4.2.4 / §5.2.2: must-revalidate (and proxy-revalidate in a shared cache) forbid stale use.
  if (/(?:^|,)\s*(?:must-revalidate|no-cache)\b/.test(cc)) return 0;
  if (shared && /(?:^|,)\s*proxy-revalidate\b/.test(cc)) return 0;
  const m = /(?:^|,)\s*stale-if-error\s*=\s*"?(\d+)"?/.exec(cc);
  return m === null ? 0 : Math.min(Number(m[1]), 2 ** 31);
}
