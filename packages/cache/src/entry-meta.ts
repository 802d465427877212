import type CachePolicy from "http-cache-semantics";

/** What the cache records beside a stored body (serialised into `StoredEntry.metadata`). */
export interface EntryMeta {
  readonly v: 1;
  /** http-cache-semantics' serialised policy (its request URL is the hashed key). */
  readonly policy: CachePolicy.CachePolicyObject;
  readonly status: number;
  readonly statusText: string;
  /** The hashed credential identity that fetched it; `""` when anonymous. */
  readonly credential: string;
  /** Seconds the server allowed a stale copy to answer for an error (RFC 5861). */
  readonly staleIfError: number;
  /** The request's values of the headers the response's Vary names (secret ones hashed); `"*"` never matches. */
  readonly vary: Readonly<Record<string, string | null>> | "*";
}

/** Serialises `meta` for a store. */
export function writeMeta(meta: EntryMeta): string {
  return JSON.stringify(meta);
}

/** Parses stored metadata; undefined when it is not this version's (the entry is then a miss). */
export function readMeta(text: string): EntryMeta | undefined {
  try {
    const meta = JSON.parse(text) as Partial<EntryMeta>;
    if (meta.v !== 1 || typeof meta.policy !== "object" || typeof meta.status !== "number") return undefined;
    return meta as EntryMeta;
  } catch {
    return undefined;
  }
}

/** The request-side values the response's `Vary` selects. */
export function varySelection(
  vary: string | undefined,
  requestHeaders: Readonly<Record<string, string | string[] | undefined>>,
): EntryMeta["vary"] {
  const out: Record<string, string | null> = {};
  if (vary === undefined) return out;
  for (const raw of vary.split(",")) {
    const name = raw.trim().toLowerCase();
    if (name === "") continue;
    if (name === "*") return "*";
    const value = requestHeaders[name];
    out[name] = value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Whether a request's headers select the same variant as the stored one (RFC 9111 §4.1). */
export function varyMatches(
  stored: EntryMeta["vary"],
  requestHeaders: Readonly<Record<string, string | string[] | undefined>>,
): boolean {
  if (stored === "*") return false;
  for (const name of Object.keys(stored)) {
    const value = requestHeaders[name];
    const presented = value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    if (presented !== stored[name]) return false;
  }
  return true;
}
