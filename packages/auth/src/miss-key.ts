/** A parsed URL as `isKnownMiss` takes it: a WHATWG `URL`, or core's `request.urlParts`. */
export interface HrefSource {
  readonly href: string;
}

/**
 * The text a lookup that found nothing is remembered under: the URL's serialisation up to its
 * path. WHATWG parsing already lowercases the scheme and a special scheme's host and drops a default
 * port, so this is the request's own `url` (no new string unless it has a query or fragment). Two
 * URLs with one key always have one lookup target; the converse need not hold, which only costs a
 * lookup. Undefined (never remembered) for URLs without a host or with userinfo, so no secret is
 * kept as a key. Never throws.
 */
export function missKey(url: string | HrefSource): string | undefined {
  let href: string;
  if (typeof url === "string") {
    try {
      href = new URL(url).href;
    } catch {
      return undefined;
    }
  } else href = url.href;
  const authority = href.indexOf("//");
  if (authority === -1) return undefined;
  let end = href.length;
  const query = href.indexOf("?");
  if (query !== -1) end = query;
  const fragment = href.indexOf("#");
  if (fragment !== -1 && fragment < end) end = fragment;
  let hostEnd = href.indexOf("/", authority + 2);
  if (hostEnd === -1 || hostEnd > end) hostEnd = end;
  if (hostEnd === authority + 2) return undefined;
  const at = href.indexOf("@", authority + 2);
  if (at !== -1 && at < hostEnd) return undefined;
  return end === href.length ? href : href.slice(0, end);
}
