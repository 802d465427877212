import zlib from "node:zlib";
import { InvalidRequestError } from "./errors.ts";
import type { HeadersInit, HeaderValue } from "./headers.ts";
import { HttpHeaders, spelledHeaders } from "./headers.ts";

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

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// A value that needs more than a copy: HTTP whitespace at either end, CR/LF/NUL anywhere, or a
// character that is not a byte (fetch's ByteString). One test per value on the common path.
const UNUSUAL_VALUE = /^[\t\n\r ]|[\t\n\r ]$|[\0\r\n]|[^\0-\xFF]/;
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;
const BAD_VALUE = /[\0\r\n]|[^\0-\xFF]/;

// fetch's header value normalisation: HTTP whitespace (tab, LF, CR, space) stripped at both ends,
// then a value with NUL, CR or LF left, or a non-byte character, is refused.
function fetchValue(name: string, value: unknown): string {
  const text = typeof value === "string" ? value : String(value);
  if (!UNUSUAL_VALUE.test(text)) return text;
  const trimmed = text.replace(EDGE_WHITESPACE, "");
  if (BAD_VALUE.test(trimmed)) {
    throw new InvalidRequestError(
      `invalid value for header ${JSON.stringify(name.slice(0, 64))}: it contains NUL, CR or LF, or a character that is not a byte`,
    );
  }
  return trimmed;
}

/**
 * A fetch `HeadersInit` read as fetch reads it: names checked, values normalised (see
 * `fetchValue`), a repeated name sent as one line with its values joined by `, ` (`; ` for
 * `Cookie`), and the first spelling of each name kept on the wire. A `Headers` object has already
 * done all of this (its names come out lower case).
 */
export function readFetchHeaders(init: HeadersInit): HttpHeaders {
  if (init instanceof HttpHeaders) return init;
  const record: Record<string, string> = Object.create(null);
  let spelling: Record<string, string> | undefined;
  if (typeof (init as Iterable<unknown>)[Symbol.iterator] === "function") {
    for (const pair of init as Iterable<readonly unknown[]>) {
      if (pair.length !== 2) {
        throw new TypeError(
          `Headers constructor: expected name/value pair to be length 2, found ${pair.length}.`,
        );
      }
      const name = String(pair[0]);
      if (addHeader(record, name, pair[1])) spelling = spell(spelling, name);
    }
  } else {
    const own = init as Record<string, HeaderValue | number | undefined>;
    for (const name of Object.keys(own)) {
      if (addHeader(record, name, own[name])) spelling = spell(spelling, name);
    }
  }
  return spelledHeaders(Object.freeze(record), spelling);
}

function spell(spelling: Record<string, string> | undefined, name: string): Record<string, string> {
  const out: Record<string, string> = spelling ?? Object.create(null);
  out[name.toLowerCase()] = name;
  return out;
}

// Adds one header to `record` (no closure per call); true when the name is new to the record and
// not spelled lower case, so its spelling must be kept.
function addHeader(record: Record<string, string>, name: string, value: unknown): boolean {
  if (!TOKEN.test(name))
    throw new InvalidRequestError(`invalid header name ${JSON.stringify(name.slice(0, 64))}`);
  const key = name.toLowerCase();
  const text = fetchValue(key, value);
  const previous = record[key];
  if (previous === undefined) {
    record[key] = text;
    return key !== name;
  }
  record[key] = `${previous}${key === "cookie" ? "; " : ", "}${text}`;
  return false;
}

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
  const own = init == null ? HttpHeaders.EMPTY : readFetchHeaders(init);
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
