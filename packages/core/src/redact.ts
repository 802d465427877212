/** What replaces a secret in messages, events and logs. */
export const REDACTED = "***";

// Query parameters that carry secrets: AWS/GCS presigned signatures, OAuth and API tokens.
const SECRET_PARAM =
  /^(x-amz-(signature|security-token|credential)|x-goog-(signature|credential)|signature|sig|token|access_token|id_token|refresh_token|api[-_]?key|key|secret|password|passwd|pwd|auth|authorization|client_secret|code)$/i;

// Header names whose values are secrets.
const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|x-amz-security-token|x-auth-token|x-goog-iam-authorization-token)$|token|secret|password|api-key|apikey/i;

/**
 * Redacts a URL for messages and events: userinfo, secret query parameters and the conda token
 * path segment (`/t/<token>/`) become `***`. Never throws; a string that is not a URL comes back
 * with anything that looks like userinfo removed.
 */
export function redactUrl(url: string | URL): string {
  const text = typeof url === "string" ? url : url.href;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return text.replace(/\/\/[^/@\s]*@/, `//${REDACTED}@`).replace(/\/t\/[^/\s]+/, `/t/${REDACTED}`);
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
  let href = parsed.href;
  href = href.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/]*)\/t\/[^/?#]+/i, `$1/t/${REDACTED}`);
  return href;
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

/** Replaces every occurrence of each known secret in `text` by `***` (longest first). */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  const list = [...secrets].filter((s): s is string => typeof s === "string" && s.length >= 4);
  list.sort((a, b) => b.length - a.length);
  let out = text;
  for (const secret of list) out = out.split(secret).join(REDACTED);
  return out;
}
