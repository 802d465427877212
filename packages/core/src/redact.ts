/** What replaces a secret in messages, events and logs. */
export const REDACTED = "***";

// Query parameters that carry secrets: AWS/GCS presigned signatures, OAuth and API tokens.
/** @internal Query parameter names whose values are secrets (core-internal). */
export const SECRET_PARAM: RegExp =
  /^(x-amz-(signature|security-token|credential)|x-goog-(signature|credential)|signature|sig|token|access_token|id_token|refresh_token|api[-_]?key|key|secret|password|passwd|pwd|auth|authorization|client_secret|code)$/i;

// Header names whose values are secrets.
const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-amz-security-token|x-auth-token|x-goog-iam-authorization-token)$|token|secret|password|api-key|apikey/i;

/**
 * Redacts a URL for messages and events: userinfo, secret query (and fragment) parameters and the
 * conda token path segment (`/t/<token>/`) become `***`. Never throws. A string the URL parser
 * refuses (`http://exa mple.com/?access_token=x`) is redacted by the same rules on its rough shape
 * (`scheme://authority/path?query#fragment`); when not even that shape is there, everything after
 * the first `/`, `?` or `#` becomes `***`.
 */
export function redactUrl(url: string | URL): string {
  const text = typeof url === "string" ? url : url.href;
  // Most URLs carry nothing to redact: their answer is the parser's href, remembered (bounded) so
  // that the events of every call do not parse the same URL again. Only such URLs are kept.
  const plain = !MAY_CARRY_SECRET.test(text);
  if (plain) {
    const known = plainHrefs.get(text);
    if (known !== undefined) return known;
  }
  const redacted = redactParsed(text);
  if (plain) {
    if (plainHrefs.size >= PLAIN_HREFS_MAX) plainHrefs.clear();
    plainHrefs.set(text, redacted);
  }
  return redacted;
}

/**
 * Whether a URL string may hold something to redact: userinfo (`@`), a query or fragment, the
 * conda `/t/` segment, or characters the parser turns into one of those (`\` is `/` in http URLs;
 * tabs and newlines are dropped). Conservative: a false positive only costs a parse.
 * @internal Core-internal.
 */
export const MAY_CARRY_SECRET: RegExp = /[@?#\\\t\n\r]|\/t\//i;
const plainHrefs = new Map<string, string>();
const PLAIN_HREFS_MAX = 1024;

function redactParsed(text: string): string {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return redactLooseUrl(text);
  }
  if (parsed.username || parsed.password) {
    parsed.username = REDACTED;
    parsed.password = "";
  }
  if (parsed.search) {
    let changed = false;
    const params = new URLSearchParams(parsed.search);
    for (const name of [...params.keys()]) {
      if (SECRET_PARAM.test(name)) {
        params.set(name, REDACTED);
        changed = true;
      }
    }
    if (changed) parsed.search = params.toString().replaceAll("%2A", "*");
  }
  if (parsed.hash.includes("=")) parsed.hash = redactParams(parsed.hash.slice(1));
  let href = parsed.href;
  href = href.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/]*)\/t\/[^/?#]+/i, `$1/t/${REDACTED}`);
  return href;
}

// scheme://authority path ?query #fragment, with anything (spaces, bad escapes) inside the parts.
const LOOSE_URL = /^([a-z][a-z0-9+.-]*:)?(\/\/[^/?#]*)?([^?#]*)(\?[^#]*)?(#.*)?$/is;

function redactLooseUrl(text: string): string {
  const m = LOOSE_URL.exec(text);
  // Cannot happen with the pattern above (every part is optional); kept as the last line of defence.
  if (m === null) {
    const cut = text.search(/[/?#@]/);
    return cut === -1 ? text : `${text.slice(0, cut)}${REDACTED}`;
  }
  let scheme = m[1] ?? "";
  let authority = m[2];
  let path = m[3] ?? "";
  if (authority === undefined) {
    // No `//` (`user:pw@host/x?token=y`, where `user:` looks like a scheme): the text up to the
    // first `/` plays the authority.
    const head = scheme + path;
    const slash = head.indexOf("/");
    authority = slash === -1 ? head : head.slice(0, slash);
    path = slash === -1 ? "" : head.slice(slash);
    scheme = "";
  }
  // Userinfo is everything up to the last `@` of the authority.
  authority = authority.replace(/^(\/\/)?.*@/s, `$1${REDACTED}@`);
  path = path.replace(/^\/t\/[^/]+/, `/t/${REDACTED}`);
  const query = m[4] === undefined ? "" : `?${redactParams(m[4].slice(1))}`;
  const fragment = m[5] === undefined ? "" : `#${redactParams(m[5].slice(1))}`;
  return `${scheme}${authority}${path}${query}${fragment}`;
}

// `a=1&token=x;b=2` with the values of secret-looking names replaced; names are kept as written.
function redactParams(params: string): string {
  return params.replace(/([^&;=]*)=([^&;]*)/g, (whole, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name.replaceAll("+", " "));
    } catch {}
    return SECRET_PARAM.test(decoded.trim()) ? `${name}=${REDACTED}` : whole;
  });
}

/**
 * Redacts the `input` Node's URL parser keeps on its `ERR_INVALID_URL` error (the raw string, with
 * any userinfo or token in it), so the error can travel as a `cause`. Returns `error`.
 */
export function redactUrlError<T>(error: T): T {
  const e = error as { code?: unknown; input?: unknown } | null;
  if (typeof e === "object" && e !== null && typeof e.input === "string") {
    try {
      e.input = redactUrl(e.input);
    } catch {}
  }
  return error;
}

/** Whether a header's value must never appear in messages or events. */
export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

/**
 * A copy of `headers` safe to log: secret values become `***` (the auth scheme of an
 * `Authorization` value is kept, e.g. `Bearer ***`).
 */
export function redactHeaders(
  headers: Iterable<readonly [string, string]> | Record<string, string | readonly string[] | undefined>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const entries: Iterable<readonly [string, unknown]> =
    Symbol.iterator in headers ? (headers as Iterable<readonly [string, string]>) : Object.entries(headers);
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(", ") : String(value);
    if (!isSecretHeader(name)) out[name] = text;
    else if (/^(proxy-)?authorization$/i.test(name))
      out[name] = text.replace(/^(\S+)\s.*$/s, `$1 ${REDACTED}`);
    else out[name] = REDACTED;
  }
  return out;
}

/**
 * Replaces every occurrence of each known secret in `text` by `***` (longest first). Secrets
 * shorter than {@link MIN_SECRET_LENGTH} are ignored; those shorter than
 * {@link SHORT_SECRET_LENGTH} are replaced only where they stand as a whole word (not inside a
 * longer run of letters and digits), so a short password does not shred ordinary text.
 */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  const matcher = secretMatcher(secrets);
  return matcher === undefined ? text : text.replace(matcher, REDACTED);
}

/** Secrets shorter than this are never searched for in text (too short to tell from prose). */
export const MIN_SECRET_LENGTH = 4;
/** Secrets shorter than this are replaced only as whole words; longer ones anywhere. */
export const SHORT_SECRET_LENGTH = 8;

/**
 * One regular expression finding every secret of `secrets` (and its percent-encoded and
 * JSON-escaped forms), longest first, or undefined when none is long enough to search for.
 * Core-internal: {@link redactSecrets} and the error and event scrubbing share it.
 */
export function secretMatcher(secrets: Iterable<string | undefined>): RegExp | undefined {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    const encoded = safeEncode(secret);
    if (encoded !== secret) forms.add(encoded);
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) forms.add(escaped);
  }
  if (forms.size === 0) return undefined;
  const list = [...forms].sort((a, b) => b.length - a.length);
  const parts = list.map((form) => {
    const escaped = form.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
    return form.length < SHORT_SECRET_LENGTH ? `(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])` : escaped;
  });
  return new RegExp(parts.join("|"), "g");
}

function safeEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
}
