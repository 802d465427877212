import type { UrlParts } from "@switchyard/core";
/**
 * A URL prefix split into what prefix matching compares: scheme and authority (exact, after URL
 * normalisation) and a path without trailing slash, matched segment by segment.
 */
export interface UrlPrefix {
  /** `scheme://host[:port]`, lower-cased by URL parsing for http(s); no userinfo. */
  readonly base: string;
  /** The path without trailing slashes: `""` for the root, otherwise `/a/b`. */
  readonly path: string;
  /** `base + path`, the normalised form used as the pool's key. */
  readonly key: string;
}

/** What a prefix or mirror URL may not carry; returned as the reason, or `undefined` when fine. */
export function prefixProblem(url: URL): string | undefined {
  if (url.search !== "") return "must not have a query";
  if (url.hash !== "") return "must not have a fragment";
  if (url.host === "") return "must have a host";
  return undefined;
}

/** Strips every trailing `/` from a path (`/` and `""` become `""`). */
export function trimTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47) end--;
  return path.slice(0, end);
}

/**
 * Splits a parsed prefix URL. Userinfo is ignored: a prefix names where requests go, not who sends
 * them.
 */
export function parsePrefix(url: URL): UrlPrefix {
  const base = `${url.protocol}//${url.host}`;
  const path = trimTrailingSlashes(url.pathname);
  return { base, path, key: base + path };
}

/** {@link baseEnd}'s answer for a URL whose authority carries userinfo. */
export const WITH_USERINFO = -2;

/**
 * Where the base (`scheme://host[:port]`, as {@link parsePrefix} makes it) of a serialised URL ends,
 * read in place: `href.slice(0, end)` is the base. -1 for a URL without an authority (no prefix can
 * hold it), {@link WITH_USERINFO} when userinfo comes between the `//` and the host.
 */
export function baseEnd(href: string): number {
  const colon = href.indexOf(":");
  if (colon === -1 || href.charCodeAt(colon + 1) !== 47 || href.charCodeAt(colon + 2) !== 47) return -1;
  let end = colon + 3;
  for (; end < href.length; end++) {
    const c = href.charCodeAt(end);
    // A host never holds "/", "?" or "#"; serialisation percent-encodes "@" inside userinfo.
    if (c === 47 || c === 63 || c === 35) break;
    if (c === 64) return WITH_USERINFO;
  }
  return end;
}

/**
 * Whether a serialised URL carries userinfo before its host. Errs towards yes (an `@` in a
 * non-special URL's query without path), which only sends the URL the long way.
 */
export function hasUserinfo(href: string): boolean {
  const colon = href.indexOf(":");
  if (colon === -1 || !href.startsWith("//", colon + 1)) return false;
  const at = href.indexOf("@", colon + 3);
  if (at === -1) return false;
  const slash = href.indexOf("/", colon + 3);
  return slash === -1 || at < slash;
}

/** Whether `href` starts with `base` and its authority ends there (a path, query, fragment or nothing follows). */
export function startsWithBase(href: string, base: string): boolean {
  if (!href.startsWith(base)) return false;
  const c = href.charCodeAt(base.length);
  return c === 47 /* "/" */ || Number.isNaN(c) || c === 63 /* "?" */ || c === 35 /* "#" */;
}

// `base === protocol + "//" + host`, read in place: runs for every prefix on every request.
function isBase(base: string, protocol: string, host: string): boolean {
  return (
    base.length === protocol.length + 2 + host.length &&
    base.startsWith(protocol) &&
    base.startsWith("//", protocol.length) &&
    base.endsWith(host)
  );
}

/**
 * The rest of `url` below `prefix` (path remainder plus query), or `undefined` when the URL is not
 * under the prefix. Matching is by whole path segments: `/conda` matches `/conda` and `/conda/x`,
 * never `/conda-forge`.
 */
export function restBelow(prefix: UrlPrefix, url: UrlParts): string | undefined {
  if (!isBase(prefix.base, url.protocol, url.host)) return undefined;
  return restBelowPath(prefix, url);
}

/** {@link restBelow} for a URL already known to be at the prefix's base: the path alone decides. */
export function restBelowPath(
  prefix: UrlPrefix,
  url: Pick<UrlParts, "pathname" | "search">,
): string | undefined {
  const path = url.pathname;
  if (prefix.path !== "") {
    if (!path.startsWith(prefix.path)) return undefined;
    const next = path.charCodeAt(prefix.path.length);
    // NaN: the path ends right at the prefix.
    if (!Number.isNaN(next) && next !== 47) return undefined;
  }
  return path.slice(prefix.path.length) + url.search;
}

/**
 * The longest prefix (most path characters) under which `url` falls, with the rest of the URL.
 * `prefixes` may be in any order; `rest` is {@link restBelowPath} when all are at the URL's base.
 */
export function longestPrefix<P extends UrlPrefix>(
  prefixes: readonly P[],
  url: UrlParts,
  rest: (prefix: UrlPrefix, url: UrlParts) => string | undefined = restBelow,
): { readonly prefix: P; readonly rest: string } | undefined {
  let best: P | undefined;
  let bestRest = "";
  for (let i = 0; i < prefixes.length; i++) {
    const prefix = prefixes[i]!;
    if (best !== undefined && prefix.path.length <= best.path.length) continue;
    const below = rest(prefix, url);
    if (below === undefined) continue;
    best = prefix;
    bestRest = below;
  }
  return best === undefined ? undefined : { prefix: best, rest: bestRest };
}

/**
 * Joins a mirror base (its path already without trailing slash) and the rest of a request URL.
 * The rest keeps its percent-encoding; an empty rest gives the mirror base itself.
 */
export function joinMirrorUrl(mirrorBase: string, rest: string): string {
  return mirrorBase + rest;
}
