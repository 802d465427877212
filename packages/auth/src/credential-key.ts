/**
 * Credential keys and lookup targets: the pure text rules behind matching.
 *
 * A key is `[scheme://]host[:port][/path]` where host is a name, an IPv4 address, a bracketed
 * IPv6 address or a `*.domain` wildcard. Keys are normalised the way URLs are (lower case,
 * punycode, no trailing dot, no trailing slash on the path) so that `Example.COM/` and
 * `example.com` are the same key.
 */

/** A parsed, normalised credential key. */
export interface CredentialKey {
  /** The normalised text of the key (what `describeKey` prints). */
  readonly text: string;
  /** Lower-case scheme without the colon (`https`, `s3`...), or undefined: any scheme. */
  readonly scheme: string | undefined;
  /** Lower-case host; for a wildcard the domain after `*.`. */
  readonly host: string;
  /** Whether the key is `*.host`. */
  readonly wildcard: boolean;
  /** The port, or undefined: any port. */
  readonly port: number | undefined;
  /** The path prefix without a trailing slash (`""` for the whole host). */
  readonly path: string;
}

/** What a URL is matched as. */
export interface LookupTarget {
  readonly scheme: string;
  readonly host: string;
  /** The explicit port, or the scheme's default (80 for http, 443 for https), or undefined. */
  readonly port: number | undefined;
  /** The URL's path. */
  readonly path: string;
  /** The path with a leading conda token segment (`/t/<token>`) removed (the path itself if none). */
  readonly tokenlessPath: string;
  /** Whether the host is an IP address (no wildcard walk). */
  readonly ip: boolean;
}

/** The outcome of parsing a key: the key, or why it is not one (the reason never echoes the key). */
export type ParseKeyResult =
  | { readonly ok: true; readonly key: CredentialKey }
  | { readonly ok: false; readonly reason: string };

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//;
const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443, ws: 80, wss: 443 };
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
// A conda channel token at the start of the path: `/t/<token>` then `/` or the end.
const CONDA_TOKEN_PREFIX = /^\/t\/[^/]+(?=\/|$)/;

function normaliseHost(raw: string): string | undefined {
  if (raw === "") return undefined;
  try {
    // The special scheme gives WHATWG host parsing: lower case, IDNA, IPv4/IPv6 canonical forms.
    const url = new URL(`http://${raw}/`);
    if (url.username !== "" || url.password !== "" || url.port !== "" || url.pathname !== "/")
      return undefined;
    if (url.hostname === "") return undefined;
    return stripDot(url.hostname);
  } catch {
    return undefined;
  }
}

function stripDot(host: string): string {
  return host.length > 1 && host.endsWith(".") ? host.slice(0, -1) : host;
}

function normalisePath(raw: string): string | undefined {
  if (raw === "" || raw === "/") return "";
  try {
    const url = new URL(`http://h${raw}`);
    if (url.search !== "" || url.hash !== "" || raw.includes("?") || raw.includes("#")) return undefined;
    let path = url.pathname;
    while (path.endsWith("/")) path = path.slice(0, -1);
    return path;
  } catch {
    return undefined;
  }
}

/** Parses and normalises a credential key. Never throws. */
export function parseKey(input: string): ParseKeyResult {
  if (typeof input !== "string") return { ok: false, reason: "a key must be a string" };
  let rest = input.trim();
  if (rest === "") return { ok: false, reason: "the key is empty" };
  if (/\s/.test(rest)) return { ok: false, reason: "the key contains white space" };
  let scheme: string | undefined;
  const schemeMatch = SCHEME.exec(rest);
  if (schemeMatch) {
    scheme = schemeMatch[1]!.toLowerCase();
    rest = rest.slice(schemeMatch[0].length);
  } else if (rest.includes("://")) {
    return { ok: false, reason: "the key has an invalid scheme" };
  }
  if (rest.includes("@")) return { ok: false, reason: "a key must not carry user information (user@host)" };
  const slash = rest.indexOf("/");
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const rawPath = slash === -1 ? "" : rest.slice(slash);
  let hostPart = authority;
  let port: number | undefined;
  let portText: string | undefined;
  if (authority.startsWith("[")) {
    const close = authority.indexOf("]");
    if (close !== -1 && close < authority.length - 1) {
      if (authority[close + 1] !== ":") return { ok: false, reason: "the key has an invalid host" };
      portText = authority.slice(close + 2);
      hostPart = authority.slice(0, close + 1);
    }
  } else if (authority.split(":").length === 2) {
    const colon = authority.indexOf(":");
    portText = authority.slice(colon + 1);
    hostPart = authority.slice(0, colon);
  }
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) return { ok: false, reason: "the key has an invalid port" };
    port = Number(portText);
    if (port < 1 || port > 65535) return { ok: false, reason: "the key's port is outside 1-65535" };
  }
  let wildcard = false;
  if (hostPart.startsWith("*.")) {
    wildcard = true;
    hostPart = hostPart.slice(2);
  }
  if (hostPart.includes("*")) {
    return { ok: false, reason: "a wildcard is only allowed as the first label (`*.example.com`)" };
  }
  const host = normaliseHost(hostPart);
  if (host === undefined) return { ok: false, reason: "the key has an invalid host" };
  if (wildcard && (host.startsWith("[") || IPV4.test(host))) {
    return { ok: false, reason: "a wildcard cannot apply to an IP address" };
  }
  const path = normalisePath(rawPath);
  if (path === undefined)
    return { ok: false, reason: "the key's path is invalid (no query or fragment allowed)" };
  const text = `${scheme === undefined ? "" : `${scheme}://`}${wildcard ? "*." : ""}${host}${
    port === undefined ? "" : `:${port}`
  }${path}`;
  return { ok: true, key: { text, scheme, host, wildcard, port, path } };
}

/**
 * The fields of a parsed URL that matching reads: a WHATWG `URL`, or core's `request.urlParts`
 * (cached per request, so a middleware that has one never parses the URL again).
 */
export interface UrlFields {
  /** With the colon: `https:`, `s3:`. */
  readonly protocol: string;
  readonly hostname: string;
  /** `""` when the URL has none or names the scheme's default (WHATWG parsing drops it). */
  readonly port: string;
  readonly pathname: string;
}

function parseFields(url: string | UrlFields): UrlFields | undefined {
  if (typeof url !== "string") return url;
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** The target a URL is matched as, or undefined for a URL without a host. Never throws. */
export function lookupTarget(url: string | UrlFields): LookupTarget | undefined {
  const parsed = parseFields(url);
  if (parsed === undefined) return undefined;
  const scheme = parsed.protocol.slice(0, -1).toLowerCase();
  // Non-special schemes (s3:, gs:, oci:) keep the host's case; buckets and registries do not care.
  const host = stripDot(parsed.hostname.toLowerCase());
  if (host === "") return undefined;
  const port = parsed.port === "" ? DEFAULT_PORTS[scheme] : Number(parsed.port);
  const path = parsed.pathname;
  const tokenlessPath = path.replace(CONDA_TOKEN_PREFIX, "");
  return { scheme, host, port, path, tokenlessPath, ip: host.startsWith("[") || IPV4.test(host) };
}

/** Whether `prefix` is a path prefix of `path` on a segment boundary (`/a` covers `/a/b`, not `/ab`). */
export function pathCovers(prefix: string, path: string): boolean {
  if (prefix === "") return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || path.charCodeAt(prefix.length) === 47 /* "/" */;
}

/**
 * The host patterns tried for a host, most specific first: the host itself, then `*.host`, then
 * `*.` each parent domain (rattler's walk, so `*.example.com` also covers `example.com`).
 */
export function hostPatterns(target: Pick<LookupTarget, "host" | "ip">): string[] {
  const out = [target.host];
  if (target.ip) return out;
  let domain = target.host;
  for (let guard = 0; guard < 128; guard++) {
    out.push(`*.${domain}`);
    const dot = domain.indexOf(".");
    if (dot === -1) break;
    domain = domain.slice(dot + 1);
  }
  return out;
}

/** The pattern a key is filed under: `host` or `*.host`. */
export function keyPattern(key: CredentialKey): string {
  return key.wildcard ? `*.${key.host}` : key.host;
}
