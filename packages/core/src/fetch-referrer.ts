// client.fetch's `Referer`, computed as Node's fetch computes it outside a page (Referrer Policy,
// "determine request's referrer", as undici implements it). Node's fetch has no client, so:
// - the default referrer ("about:client", and what a Request built without one reports) means
//   none: Node sends no Referer unless a global origin was set, and client.fetch has no such thing;
// - a referrer given as a URL is stripped of credentials and fragment (and to its origin when the
//   policy says so, or when it is longer than 4096 characters);
// - "same-origin" and "origin-when-cross-origin" compare the referrer with the request's origin,
//   which outside a page is no origin at all: every target counts as cross-origin, so Node sends no
//   Referer for the first and only the origin for the second, even to the referrer's own origin.
//   client.fetch does the same (a program cannot tell them apart), where a browser would send the
//   full URL on a same-origin request.
// Each redirect hop recomputes it from the previous hop's referrer against the new URL, after a
// `Referrer-Policy` on the redirect response has replaced the policy.
import type { Context, ContextKey } from "./context.ts";
import { contextKey } from "./context.ts";
import type { HttpHeaders } from "./headers.ts";
import type { HttpResponse } from "./response.ts";

/** A redirect-following call's referrer, kept in its context for the next hops (core-internal). */
export interface ReferrerState {
  /** The referrer sent on the last hop (already stripped). */
  referrer: URL;
  policy: string;
  /** The caller's own `Referer` header, which fetch keeps and appends the computed one to. */
  readonly own: string | undefined;
}

/** Where {@link ReferrerState} lives in a call's context (core-internal). */
export const referrerKey: ContextKey<ReferrerState> = contextKey<ReferrerState>("switchyard:fetch-referrer");

const POLICIES = new Set([
  "no-referrer",
  "no-referrer-when-downgrade",
  "same-origin",
  "origin",
  "strict-origin",
  "origin-when-cross-origin",
  "strict-origin-when-cross-origin",
  "unsafe-url",
]);
const LOCAL_SCHEMES = new Set(["about:", "blob:", "data:"]);
const LOOPBACK_V4 = /^127\.\d+\.\d+\.\d+$/;
const MAX_LENGTH = 4096;

// "Strip url for use as a referrer": nothing for a local scheme; never userinfo or fragment.
function strip(url: URL, originOnly: boolean): URL | undefined {
  if (LOCAL_SCHEMES.has(url.protocol)) return undefined;
  const out = new URL(url.href);
  out.username = "";
  out.password = "";
  out.hash = "";
  if (originOnly) {
    out.pathname = "";
    out.search = "";
  }
  return out;
}

// "Is url potentially trustworthy" (Secure Contexts); the WHATWG URL parser has already put IPv4
// and IPv6 hosts in canonical form, so the loopback checks are plain comparisons.
export function isTrustworthy(url: URL): boolean {
  const protocol = url.protocol;
  if (url.href === "about:blank" || url.href === "about:srcdoc") return true;
  if (protocol === "data:" || protocol === "blob:") return true;
  if (url.origin === "null") return false;
  if (protocol === "https:" || protocol === "wss:") return true;
  const host = url.hostname;
  return (
    LOOPBACK_V4.test(host) ||
    host === "[::1]" ||
    host === "localhost" ||
    host === "localhost." ||
    host.endsWith(".localhost") ||
    host.endsWith(".localhost.")
  );
}

function sameOrigin(a: URL, b: URL): boolean {
  if (a.origin === "null" && b.origin === "null") return true;
  return a.protocol === b.protocol && a.hostname === b.hostname && a.port === b.port;
}

/**
 * The referrer to send from `source` to `current` under `policy` (`""` means the default,
 * "strict-origin-when-cross-origin"), or `undefined` for none.
 */
export function determineReferrer(source: URL, policy: string, current: URL): URL | undefined {
  const stripped = strip(source, false);
  if (stripped === undefined) return undefined;
  const origin = strip(source, true) as URL;
  const full = stripped.href.length > MAX_LENGTH ? origin : stripped;
  const downgrade = (): boolean => isTrustworthy(full) && !isTrustworthy(current);
  switch (policy) {
    case "no-referrer":
    case "same-origin":
      return undefined;
    case "origin":
    case "origin-when-cross-origin":
      return origin;
    case "unsafe-url":
      return full;
    case "strict-origin":
      return downgrade() ? undefined : origin;
    case "no-referrer-when-downgrade":
      return downgrade() ? undefined : full;
    default:
      if (sameOrigin(full, current)) return full;
      return downgrade() ? undefined : origin;
  }
}

/**
 * The referrer a fetch call starts with: `referrer` as RequestInit or `Request.referrer` hold it.
 * `undefined` (none) for the default ("about:client"), for `""` and for a local scheme.
 */
export function referrerSource(referrer: string | undefined): URL | undefined {
  if (referrer === undefined || referrer === "" || referrer === "about:client") return undefined;
  let url: URL;
  try {
    url = new URL(referrer);
  } catch (cause) {
    throw new TypeError(`Referrer "${referrer}" is not a valid URL.`, { cause });
  }
  return LOCAL_SCHEMES.has(url.protocol) ? undefined : url;
}

/** `Referer` as fetch appends it: after the caller's own value, if any. */
function withReferer(headers: HttpHeaders, own: string | undefined, referrer: URL | undefined): HttpHeaders {
  if (referrer === undefined)
    return own === undefined ? headers.delete("referer") : headers.set("referer", own);
  return headers.set("referer", own === undefined ? referrer.href : `${own}, ${referrer.href}`);
}

/**
 * The headers of a fetch call's first hop with its `Referer`, and the state later hops need (when
 * the call follows redirects and a referrer is sent).
 */
export function firstReferer(
  headers: HttpHeaders,
  source: URL,
  policy: string,
  url: string,
): { readonly headers: HttpHeaders; readonly state: ReferrerState | undefined } {
  const referrer = determineReferrer(source, policy, new URL(url));
  if (referrer === undefined) return { headers, state: undefined };
  const own = headers.get("referer");
  return { headers: withReferer(headers, own, referrer), state: { referrer, policy, own } };
}

// "Parse a referrer policy from a Referrer-Policy header": the last known token wins.
function policyOf(response: HttpResponse): string | undefined {
  const header = response.headers.get("referrer-policy");
  if (header === undefined) return undefined;
  const tokens = header.split(",");
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = (tokens[i] as string).trim();
    if (POLICIES.has(token)) return token;
  }
  return undefined;
}

/**
 * The headers of a redirect hop to `target` for a call whose context holds a referrer (the same
 * headers when it holds none): the redirect's `Referrer-Policy` applies from here on, and the
 * referrer is determined again from the one the previous hop sent.
 */
export function redirectReferer(
  headers: HttpHeaders,
  response: HttpResponse,
  target: URL,
  context: Context | undefined,
): HttpHeaders {
  const state = context?.get(referrerKey);
  if (state === undefined) return headers;
  state.policy = policyOf(response) ?? state.policy;
  const next = determineReferrer(state.referrer, state.policy, target);
  if (next === undefined) context?.delete(referrerKey);
  else state.referrer = next;
  return withReferer(headers, state.own, next);
}
