import zlib from "node:zlib";
import type { HeadersInit } from "./headers.ts";
import { HttpHeaders } from "./headers.ts";

/** The `User-Agent` client.fetch sends when the caller sets none: Node's fetch sends the same. */
export const FETCH_USER_AGENT = "node";

const BASE = {
  accept: "*/*",
  "accept-language": "*",
  "sec-fetch-mode": "cors",
  "user-agent": FETCH_USER_AGENT,
};

// As undici's fetch: brotli (and zstd where this Node decodes it) is offered on https only.
const HTTP_DEFAULTS = HttpHeaders.from({ ...BASE, "accept-encoding": "gzip, deflate" });
const HTTPS_DEFAULTS = HttpHeaders.from({
  ...BASE,
  "accept-encoding":
    typeof zlib.createZstdDecompress === "function" ? "br, gzip, deflate, zstd" : "br, gzip, deflate",
});

// A conditional request in cache mode "default" is sent as "no-store" would be (fetch's rule).
const CONDITIONAL = ["if-modified-since", "if-none-match", "if-unmodified-since", "if-match", "if-range"];

/**
 * The headers a fetch sends: the caller's, plus those fetch adds when the caller did not set them
 * (`Accept`, `Accept-Language`, `Sec-Fetch-Mode`, `User-Agent`, `Accept-Encoding`), those its
 * cache mode implies (`no-store`/`reload`, and conditional requests in mode `default`:
 * `Pragma`/`Cache-Control: no-cache`; `no-cache`: `Cache-Control: max-age=0`), and
 * `Accept-Encoding: identity` with a `Range`, so byte offsets stay meaningful.
 */
export function fetchHeaders(init: HeadersInit | undefined, https: boolean, cache?: string): HttpHeaders {
  const defaults = https ? HTTPS_DEFAULTS : HTTP_DEFAULTS;
  if (init == null && (cache === undefined || cache === "default")) return defaults;
  const own = HttpHeaders.from(init);
  let mode = cache ?? "default";
  if (mode === "default" && CONDITIONAL.some((name) => own.has(name))) mode = "no-store";
  let extra: Record<string, string> | undefined;
  if (mode === "no-cache" && !own.has("cache-control")) extra = { "cache-control": "max-age=0" };
  if (mode === "no-store" || mode === "reload") {
    extra = {};
    if (!own.has("pragma")) extra.pragma = "no-cache";
    if (!own.has("cache-control")) extra["cache-control"] = "no-cache";
  }
  if (own.has("range") && !own.has("accept-encoding")) extra = { ...extra, "accept-encoding": "identity" };
  const merged = defaults.merge(own);
  return extra === undefined ? merged : merged.merge(extra);
}
