import type { CredentialStore } from "@switchyard/core";
import type { CredentialKey } from "../credential-key.ts";
import type { AuthStore } from "./auth-store.ts";

/**
 * What a store can answer for right now: the keys it holds, `"any"` when it may answer any host
 * (a netrc `default` entry), or `undefined` when it cannot tell yet (a file not read or not current).
 */
export type StoreKeys = readonly CredentialKey[] | "any" | undefined;

/**
 * Tells which keys a store holds. The answer must stay true for as long as the store's `revision()`
 * returns the same number (for a store without one: forever, its keys being fixed at creation).
 */
export type KeysOf = () => StoreKeys;

// Only this package's stores are registered: a store written elsewhere (or the OS keyring, which
// can hold any host) keeps every request on the lookup path.
const registry = new WeakMap<CredentialStore, KeysOf>();

/** Registers how `store` tells its keys (this package's stores call it on creation). */
export function declareKeys<S extends CredentialStore>(store: S, keysOf: KeysOf): S {
  registry.set(store, keysOf);
  return store;
}

// Past this many exact hosts a Set (one slice per request) beats comparing each in place.
const IN_PLACE_HOSTS = 8;

/** The host patterns of every key, ready for a check that neither allocates nor parses. */
class HostScope {
  readonly exact: readonly string[];
  readonly exactSet: ReadonlySet<string> | undefined;
  /** Wildcard domains (`*.example.com` gives `example.com`, which it also covers). */
  readonly wild: readonly string[];
  // The last URL text no key could match: a program calls the same URLs over and over, and requests
  // made from one text share that string, so the check is one comparison. A scope is rebuilt when
  // a store's keys change, which forgets it.
  #lastMiss: string | undefined;

  constructor(keys: readonly CredentialKey[]) {
    const exact = new Set<string>();
    const wild = new Set<string>();
    // The scheme, port and path of a key only narrow it: the host alone gives a superset.
    for (const key of keys) (key.wildcard ? wild : exact).add(key.host);
    this.exact = [...exact];
    this.exactSet = exact.size > IN_PLACE_HOSTS ? exact : undefined;
    this.wild = [...wild];
  }

  /**
   * Whether some key could match the http(s) URL `href` (WHATWG-serialised: lower-case host,
   * canonical IP forms), whose authority starts at `start`. Anything unusual (userinfo, a trailing
   * dot) answers true: the lookup decides.
   */
  mayMatch(href: string, start: number): boolean {
    if (href === this.#lastMiss) return false;
    if (this.#mayMatch(href, start)) return true;
    this.#lastMiss = href;
    return false;
  }

  #mayMatch(href: string, start: number): boolean {
    // One pass over the authority (String#lastIndexOf is a runtime call, several times slower).
    let end = start;
    let hostEnd = -1;
    for (; end < href.length; end++) {
      const c = href.charCodeAt(end);
      if (c === 47 /* "/" */) break;
      if (c === 64 /* "@": userinfo */) return true;
      // The last ":" outside brackets starts the port; the colons of an IPv6 address come before "]".
      if (c === 58) hostEnd = end;
      else if (c === 93) hostEnd = -1;
    }
    if (hostEnd === -1) hostEnd = end;
    if (hostEnd <= start || href.charCodeAt(hostEnd - 1) === 46 /* "." */) return true;
    const length = hostEnd - start;
    if (this.exactSet !== undefined) {
      if (this.exactSet.has(href.slice(start, hostEnd))) return true;
    } else {
      for (const host of this.exact) if (host.length === length && href.startsWith(host, start)) return true;
    }
    for (const domain of this.wild) {
      const from = hostEnd - domain.length;
      if (from < start || !href.startsWith(domain, from)) continue;
      if (from === start || href.charCodeAt(from - 1) === 46) return true;
    }
    return false;
  }
}

const EVERYTHING = "any";

/**
 * A synchronous check that no store can hold a credential for an http(s) URL (its text, and where
 * its authority starts: see {@link httpAuthorityStart}), so that auth passes
 * the request on without a lookup. Exact, not a cache: a URL is passed over only when the host
 * matches no key of any store, as the stores are at their current revision. Returns `undefined`
 * when some store cannot declare its keys (the check would never pass anything).
 */
export function outOfScopeCheck(
  stores: readonly CredentialStore[],
): ((href: string, start: number) => boolean) | undefined {
  const providers: KeysOf[] = [];
  for (const store of stores) {
    const keysOf = registry.get(store);
    if (keysOf === undefined) return undefined;
    providers.push(keysOf);
  }
  const versioned = stores.filter(
    (s): s is AuthStore & Required<Pick<AuthStore, "revision">> =>
      typeof (s as AuthStore).revision === "function",
  );
  const revisions: unknown[] = versioned.map(() => Number.NaN);
  let scope: HostScope | typeof EVERYTHING | undefined;

  // The scope for the stores' current revisions, or undefined when a store cannot tell now.
  const current = (): HostScope | typeof EVERYTHING | undefined => {
    let changed = scope === undefined;
    for (let i = 0; i < versioned.length; i++) {
      const r = versioned[i]!.revision();
      // A promise: the store is re-checking its file; the lookup waits for it.
      if (typeof r !== "number") return undefined;
      if (r !== revisions[i]) {
        revisions[i] = r;
        changed = true;
      }
    }
    if (!changed) return scope;
    scope = undefined;
    const keys: CredentialKey[] = [];
    for (const keysOf of providers) {
      const own = keysOf();
      if (own === undefined) return undefined;
      if (own === EVERYTHING) {
        scope = EVERYTHING;
        return scope;
      }
      keys.push(...own);
    }
    scope = new HostScope(keys);
    return scope;
  };

  return (href, start) => {
    const now = current();
    return now !== undefined && now !== EVERYTHING && !now.mayMatch(href, start);
  };
}

/** Where the authority of an `http:` (7) or `https:` (8) URL's text starts; -1 for other schemes. */
export function httpAuthorityStart(href: string): number {
  // WHATWG parsing lower-cases the scheme: four character codes instead of two startsWith.
  if (
    href.charCodeAt(0) !== 104 ||
    href.charCodeAt(1) !== 116 ||
    href.charCodeAt(2) !== 116 ||
    href.charCodeAt(3) !== 112
  )
    return -1;
  const c = href.charCodeAt(4);
  if (c === 58) return 7;
  return c === 115 && href.charCodeAt(5) === 58 ? 8 : -1;
}
