import type { RequestBody } from "./body.ts";
import type { CacheMode } from "./cache-mode.ts";
import { checkCacheMode } from "./cache-mode.ts";
import { Context } from "./context.ts";
import { fetchBody, readRequestBody } from "./fetch-body.ts";
import { fetchHeaders } from "./fetch-headers.ts";
import { checkRequestInit } from "./fetch-init-checks.ts";
import { firstReferer, referrerKey, referrerSource } from "./fetch-referrer.ts";
import type { HeadersInit, HttpHeaders } from "./headers.ts";
import type { RedirectMode } from "./request.ts";

/** One fetch call in the chain's terms: what `client.request` is handed. */
export interface FetchCall {
  readonly url: string;
  readonly method: string;
  readonly headers: HttpHeaders;
  readonly body: RequestBody | undefined;
  readonly signal: AbortSignal | undefined;
  readonly redirect: RedirectMode | undefined;
  /** fetch's cache mode, for a cache plugin in the chain (`@switchyard/cache`); absent for "default". */
  readonly cache?: CacheMode;
  /**
   * The call's context: made only when a referrer must be determined again on each redirect hop
   * (see fetch-referrer.ts); otherwise client.request makes one as for any call.
   */
  readonly context?: Context;
  /** fetch's `integrity` (not `integrity`: client.request would check that one its own way). */
  readonly sri?: string;
}

/** Returned for URLs Node's fetch answers without the network (`data:`, `blob:`): handed to it. */
export const LOCAL_SCHEME: unique symbol = Symbol("switchyard.fetch.local");

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Methods fetch upper-cases (PATCH is not one of them).
const NORMALISED = new Set(["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"]);
const FORBIDDEN = new Set(["CONNECT", "TRACE", "TRACK"]);

/** A method as fetch takes it: a token, not CONNECT/TRACE/TRACK, the common ones upper-cased. */
export function fetchMethod(value: unknown): string {
  const method = String(value);
  if (NORMALISED.has(method)) return method;
  if (!TOKEN.test(method)) throw new TypeError(`'${method}' is not a valid HTTP method.`);
  const upper = method.toUpperCase();
  if (FORBIDDEN.has(upper)) throw new TypeError(`'${method}' HTTP method is unsupported.`);
  return NORMALISED.has(upper) ? upper : method;
}

// Only a URL with an "@" can carry credentials, and a relative one is what fails most: only those
// (and other schemes) are parsed here; the client parses the URL anyway, so http(s) parses once.
function checkUrl(url: string): void {
  if ((url.startsWith("http://") || url.startsWith("https://")) && !url.includes("@")) return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new TypeError(`Failed to parse URL from ${url}`, { cause });
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw new TypeError(`Request cannot be constructed from a URL that includes credentials: ${url}`);
  }
}

function isLocalScheme(url: string): boolean {
  const c = url.charCodeAt(0) | 0x20;
  return (c === 0x64 || c === 0x62) && /^(?:data|blob):/i.test(url);
}

// The RequestInit members whose presence makes fetch forget a Request's referrer and its policy.
const INIT_MEMBERS = [
  "method",
  "headers",
  "body",
  "referrer",
  "referrerPolicy",
  "mode",
  "credentials",
  "cache",
  "redirect",
  "integrity",
  "keepalive",
  "signal",
  "window",
  "duplex",
  "priority",
] as const;

function isEmptyInit(init: RequestInit | undefined): boolean {
  if (init == null) return true;
  for (const name of INIT_MEMBERS) if ((init as Record<string, unknown>)[name] !== undefined) return false;
  return true;
}

function isRequest(input: object): input is Request {
  return (
    input instanceof Request ||
    (typeof (input as Request).url === "string" &&
      typeof (input as Request).method === "string" &&
      typeof (input as Request).headers === "object")
  );
}

/**
 * Reads fetch's `(input, init)` with the checks fetch makes, all by hand (no `new Request()` per
 * call): throws a TypeError where fetch throws one. A `Request` with a body gives a promise (its
 * stream is read, see `readRequestBody`).
 */
export function fetchCall(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): FetchCall | Promise<FetchCall> | typeof LOCAL_SCHEME {
  let url: string;
  let method = "GET";
  let headers: HeadersInit | undefined;
  let body: RequestBody | undefined;
  let stream: ReadableStream<Uint8Array> | null = null;
  let signal: AbortSignal | undefined;
  let redirect: string | undefined;
  let cache: string | undefined;
  let referrer: string | undefined;
  let policy: string | undefined;
  let sri: string | undefined;
  if (typeof input === "string") url = input;
  else if (input instanceof URL) url = input.href;
  else if (typeof input === "object" && input !== null && isRequest(input)) {
    if (input.bodyUsed) {
      throw new TypeError("Cannot construct a Request with a Request object that has already been used.");
    }
    url = input.url;
    method = input.method;
    headers = input.headers;
    signal = input.signal ?? undefined;
    redirect = input.redirect;
    cache = input.cache;
    stream = input.body as ReadableStream<Uint8Array> | null;
    sri = input.integrity || undefined;
    // A Request built without a referrer reports "about:client" (none, outside a page).
    const own = input.referrer;
    if (own !== "about:client" && own !== "" && own !== undefined && isEmptyInit(init)) {
      referrer = own;
      policy = input.referrerPolicy;
    }
  } else url = String(input);
  if (isLocalScheme(url)) return LOCAL_SCHEME;
  checkUrl(url);
  if (init != null) {
    if (init.method !== undefined) method = fetchMethod(init.method);
    checkRequestInit(init, method);
    if (init.headers !== undefined) headers = init.headers as HeadersInit;
    if (init.signal !== undefined) signal = init.signal ?? undefined;
    if (init.redirect !== undefined) redirect = init.redirect;
    if (init.cache !== undefined) cache = init.cache;
    if (init.referrer !== undefined) referrer = init.referrer;
    if (init.referrerPolicy !== undefined) policy = init.referrerPolicy;
    if (init.integrity !== undefined) sri = String(init.integrity) || undefined;
    if (init.body !== undefined) {
      body = fetchBody(init.body, (init as { duplex?: unknown }).duplex);
      stream = null;
    }
  }
  if ((body !== undefined || stream !== null) && (method === "GET" || method === "HEAD")) {
    throw new TypeError("Request with GET/HEAD method cannot have body.");
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError("Failed to read the 'signal' property from 'RequestInit': not an AbortSignal.");
  }
  if (redirect !== undefined && redirect !== "follow" && redirect !== "manual" && redirect !== "error") {
    throw new TypeError(`'${redirect}' is not a valid value for the redirect option.`);
  }
  // As fetch: only with mode "same-origin". A cache plugin answers it from the cache or fails it
  // without sending anything; without one it is sent as "no-store" is (core's rule for every mode).
  if (cache === "only-if-cached" && init?.mode !== "same-origin") {
    throw new TypeError("'only-if-cached' can be set only with 'same-origin' mode");
  }
  let mode: CacheMode | undefined;
  try {
    mode = cache === undefined || cache === "default" ? undefined : checkCacheMode(cache);
  } catch {
    throw new TypeError(`'${cache}' is not a valid value for the cache option.`);
  }
  let sent = fetchHeaders(headers, url.startsWith("https:"), cache);
  let context: Context | undefined;
  const source = referrer === undefined ? undefined : referrerSource(referrer);
  if (source !== undefined) {
    let first: ReturnType<typeof firstReferer>;
    try {
      first = firstReferer(sent, source, policy ?? "", url);
    } catch (cause) {
      throw new TypeError(`Failed to parse URL from ${url}`, { cause });
    }
    sent = first.headers;
    if (first.state !== undefined && (redirect === undefined || redirect === "follow")) {
      context = new Context().set(referrerKey, first.state);
    }
  }
  const call: Mutable<FetchCall> = {
    url,
    method,
    headers: sent,
    body,
    signal,
    redirect: redirect as RedirectMode | undefined,
  };
  // The rare members are added only when present (no per-call spread of empty objects).
  if (mode !== undefined) call.cache = mode;
  if (context !== undefined) call.context = context;
  if (sri !== undefined) call.sri = sri;
  if (stream === null) return call;
  // Aborted already: the Request's stream is cancelled with the reason, never read (see fetch.ts).
  if (signal?.aborted) {
    stream.cancel(signal.reason).catch(ignore);
    return call;
  }
  return readRequestBody(stream).then((read) => ({ ...call, body: read }));
}

function ignore(): void {}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
