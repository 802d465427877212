/**
 * Percent-encoding and decoding for S3 object keys and query strings.
 *
 * S3 signs the path exactly as sent (`uriEscapePath: false`), so the wire form must be one
 * canonical encoding: every byte except the RFC 3986 unreserved set and `/` is `%XX` encoded.
 * A space is `%20` and a plus is `%2B`, never `+` (which some servers read as a space).
 */

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Encodes one string with RFC 3986 rules; `/` is kept when `keepSlash` is set. */
export function rfc3986Encode(text: string, keepSlash: boolean): string {
  let out = "";
  for (const char of text) {
    if (UNRESERVED.test(char) || (keepSlash && char === "/")) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, "utf8"))
      out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Encodes an object key for the request path (slashes kept). */
export function encodeKey(key: string): string {
  return rfc3986Encode(key, true);
}

const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

/**
 * Decodes `%XX` sequences; a `%` not followed by two hex digits stays literal (so a key written
 * as `s3://b/100%` keeps its percent sign). Returns undefined when the bytes are not UTF-8.
 */
export function percentDecode(text: string): string | undefined {
  if (!text.includes("%")) return text;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let failed = false;
  const out = text.replace(PERCENT_RUN, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    try {
      return decoder.decode(bytes);
    } catch {
      failed = true;
      return run;
    }
  });
  return failed ? undefined : out;
}

/** One query parameter, decoded. `value` is undefined for a bare `?name`. */
export interface QueryParam {
  readonly name: string;
  readonly value: string | undefined;
}

/**
 * Parses a query string (without `?`) the way S3 reads it: `+` is a literal plus, not a space
 * (unlike `application/x-www-form-urlencoded`). Returns undefined on invalid UTF-8.
 */
export function parseQuery(search: string): QueryParam[] | undefined {
  const out: QueryParam[] = [];
  const text = search.startsWith("?") ? search.slice(1) : search;
  if (text === "") return out;
  for (const part of text.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const name = percentDecode(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? undefined : percentDecode(part.slice(eq + 1));
    if (name === undefined || (eq !== -1 && value === undefined)) return undefined;
    out.push({ name, value });
  }
  return out;
}

/** Serialises parameters with RFC 3986 encoding, in the given order. */
export function formatQuery(params: readonly QueryParam[]): string {
  if (params.length === 0) return "";
  return `?${params
    .map((p) =>
      p.value === undefined
        ? rfc3986Encode(p.name, false)
        : `${rfc3986Encode(p.name, false)}=${rfc3986Encode(p.value, false)}`,
    )
    .join("&")}`;
}
