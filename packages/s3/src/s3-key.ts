/**
 * Percent-encoding and decoding for S3 object keys and query strings.
 *
 * S3 signs the path exactly as sent (`uriEscapePath: false`), so the wire form must be one
 * canonical encoding: every byte except the RFC 3986 unreserved set and `/` is `%XX` encoded.
 * A space is `%20` and a plus is `%2B`, never `+` (which some servers read as a space).
 */

import { percentDecode, rfc3986Encode } from "@switchyard/core";

export { percentDecode, rfc3986Encode };

/** Encodes an object key for the request path (slashes kept). */
export function encodeKey(key: string): string {
  return rfc3986Encode(key, true);
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
