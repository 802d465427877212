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

/**
 * The headers a fetch sends: the caller's, plus those fetch adds when the caller did not set them
 * (`Accept`, `Accept-Language`, `Sec-Fetch-Mode`, `User-Agent`, `Accept-Encoding`; a request with
 * `Range` asks for `Accept-Encoding: identity`, so byte offsets stay meaningful).
 */
export function fetchHeaders(init: HeadersInit | undefined, https: boolean): HttpHeaders {
  const defaults = https ? HTTPS_DEFAULTS : HTTP_DEFAULTS;
  if (init == null) return defaults;
  const own = HttpHeaders.from(init);
  const merged = defaults.merge(own);
  if (own.has("range") && !own.has("accept-encoding")) return merged.set("accept-encoding", "identity");
  return merged;
}
