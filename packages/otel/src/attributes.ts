import type { Attributes } from "@opentelemetry/api";

import { redactUrl } from "@switchyard/core";

const DEFAULT_PORT: Readonly<Record<string, number>> = { "http:": 80, "https:": 443 };

// Parsing a URL is most of what a span's attributes cost; calls go to the same few URLs again and
// again. Both memos are bounded (cleared when full) and hold no secret: the first is keyed by
// redacted URLs, the second only by URLs that have no userinfo, query, fragment or conda token.
const MAX_MEMO = 1024;
const serverOf = new Map<string, Attributes>();
const redactedOf = new Map<string, string>();

function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  if (memo.size >= MAX_MEMO) memo.clear();
  memo.set(key, value);
  return value;
}

function serverAttributes(redactedUrl: string): Attributes {
  const known = serverOf.get(redactedUrl);
  if (known !== undefined) return known;
  const attributes: Attributes = {};
  try {
    const url = new URL(redactedUrl);
    attributes["url.scheme"] = url.protocol.slice(0, -1);
    attributes["server.address"] = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const port = url.port === "" ? DEFAULT_PORT[url.protocol] : Number(url.port);
    if (port !== undefined) attributes["server.port"] = port;
  } catch {
    // a URL that does not parse keeps only what it has
  }
  return remember(serverOf, redactedUrl, Object.freeze(attributes));
}

/**
 * The HTTP client attributes of the OpenTelemetry semantic conventions for a request: method,
 * `url.full` (already redacted by the caller), `url.scheme`, `server.address` and `server.port`.
 */
export function requestAttributes(method: string, redactedUrl: string): Attributes {
  return { "http.request.method": method, "url.full": redactedUrl, ...serverAttributes(redactedUrl) };
}

/** `redactUrl(url)`, remembered for URLs that carry nothing to redact (most calls'). */
export function redactedUrlOf(url: string): string {
  const known = redactedOf.get(url);
  if (known !== undefined) return known;
  const redacted = redactUrl(url);
  if (url.includes("@") || url.includes("?") || url.includes("#") || url.includes("/t/")) return redacted;
  return remember(redactedOf, url, redacted);
}

/**
 * `error.type` for a failure: the Switchyard error code (`SWITCHYARD_ERR_CONNECT`...), another
 * error's `code` or name, or the status code for a 4xx/5xx answer, as the conventions ask.
 */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code !== "") return code;
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" && name !== "" ? name : "_OTHER";
}
