import type { Credential, CredentialStore } from "@switchyard/core";
import { InvalidOptionsError, isSwitchyardError, redactUrl } from "@switchyard/core";
import { LRUCache } from "lru-cache";
import { CredentialStoreError } from "../errors.ts";
import { insecurePolicy } from "../insecure-policy.ts";
import type { HrefSource } from "../miss-key.ts";
import { missKey } from "../miss-key.ts";
import { credentialProblem } from "../validate-credential.ts";
import type { AuthStore } from "./auth-store.ts";

/** Options of {@link composeStores}. */
export interface ComposeStoresOptions {
  /** The composite's name in events and errors. @default "auth" */
  readonly name?: string;
  /**
   * Milliseconds a lookup that no store answered is remembered. Any store's revision moving (a
   * file changed) forgets them all at once. 0 turns the miss cache off. @default 30000
   */
  readonly missTtl?: number;
  /** Most URLs remembered as misses (least recently used evicted). @default 1000 */
  readonly maxCachedMisses?: number;
  /**
   * Plain-http URLs whose stored credentials may be sent there: `true` for all, or keys
   * (`127.0.0.1:5000`, `*.corp.internal`) matched like store keys. A credential found for such a
   * URL comes back with `allowInsecureHttp: true`, which is what oci, s3 and gcs read: the way to
   * use a file-backed credential (rattler's format has no field for it) against a local registry
   * on `http://127.0.0.1:5000`. @default false
   */
  readonly allowInsecureHttp?: boolean | readonly string[];
}

/** The composite: a CredentialStore that asks its stores in order and knows who answered. */
export interface ComposedStore extends AuthStore {
  /** The stores, in priority order. */
  readonly stores: readonly CredentialStore[];
  /** The store that produced `credential` (by identity), if it came from this composite. */
  sourceOf(credential: Credential): CredentialStore | undefined;
  /**
   * Synchronously tells whether `url` is a remembered miss whose stores have not changed; lets the
   * middleware pass a request through without an async hop. Takes the URL's text, or a parsed URL
   * (core's `request.urlParts`, a `URL`) so that a caller holding one skips a parse. Misses are
   * remembered per URL up to its path (query and fragment aside).
   */
  isKnownMiss(url: string | HrefSource): boolean;
  /** Passes the rejection to the store that produced `credential`, if it can refresh. */
  invalidate(url: string, credential: Credential): Promise<void>;
}

/**
 * Combines stores in the caller's priority order: the first store with a credential for a URL
 * wins. Each credential a store returns is validated (an invalid one is an error, not a silent
 * skip); a store that throws fails the lookup with its error (Switchyard errors as they are,
 * others wrapped in `CredentialStoreError`). Misses are cached (see `missTtl`); hits are not, as
 * each store keeps its own data (file stores re-read only changed files). `invalidate` goes to the
 * store that produced the credential. oci, s3 and gcs accept the result as their CredentialStore.
 *
 * @example
 * const store = composeStores([memoryStore(overrides), fileStore(path), netrcStore({ fromEnvironment: true })]);
 */
export function composeStores(
  stores: readonly CredentialStore[],
  options: ComposeStoresOptions = {},
): ComposedStore {
  if (!Array.isArray(stores)) throw new InvalidOptionsError("composeStores needs an array of stores");
  stores.forEach((s, i) => {
    if (typeof s !== "object" || s === null || typeof s.get !== "function") {
      throw new InvalidOptionsError(`stores[${i}] must be a CredentialStore (an object with get(url))`);
    }
    if (typeof s.name !== "string" || s.name === "")
      throw new InvalidOptionsError(`stores[${i}] needs a non-empty name`);
  });
  const name = options.name ?? "auth";
  const missTtl = options.missTtl ?? 30_000;
  const max = options.maxCachedMisses ?? 1000;
  if (!Number.isFinite(missTtl) || missTtl < 0)
    throw new InvalidOptionsError("missTtl must be milliseconds >= 0");
  if (!Number.isInteger(max) || max < 1)
    throw new InvalidOptionsError("maxCachedMisses must be an integer >= 1");
  const list = Object.freeze([...stores]);
  const versioned = list.filter((s): s is AuthStore & Required<Pick<AuthStore, "revision">> => {
    return typeof (s as AuthStore).revision === "function";
  });
  // lru-cache: O(1) and bounded at `max` (a Map re-inserted on use is O(max) per eviction in V8).
  const misses = new LRUCache<string, number>({ max });
  const origin = new WeakMap<Credential, CredentialStore>();
  const insecure = insecurePolicy(options.allowInsecureHttp);
  // One marked copy per credential (stable identity for sourceOf and invalidate), and back.
  const marked = new WeakMap<Credential, Credential>();
  const unmarked = new WeakMap<Credential, Credential>();
  const markIfAllowed = (url: string, credential: Credential, store: CredentialStore): Credential => {
    if (credential.allowInsecureHttp === true || !url.startsWith("http:")) return credential;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return credential;
    }
    if (!insecure(parsed)) return credential;
    let copy = marked.get(credential);
    if (copy === undefined) {
      copy = Object.freeze({ ...credential, allowInsecureHttp: true });
      marked.set(credential, copy);
      unmarked.set(copy, credential);
    }
    origin.set(copy, store);
    return copy;
  };
  // The revisions, per versioned store, the remembered misses were made under.
  let known: readonly number[] = [];
  const isKnown = (revisions: readonly number[]): boolean =>
    revisions.length === known.length && revisions.every((r, i) => r === known[i]);

  // The stores' revisions when every one answers synchronously.
  const syncRevisions = (): number[] | undefined => {
    const revisions: number[] = [];
    for (const s of versioned) {
      const r = s.revision();
      if (typeof r !== "number") return undefined;
      revisions.push(r);
    }
    return revisions;
  };
  // When any revision moved, every remembered miss is stale.
  const refreshRevisions = async (): Promise<void> => {
    const seen: number[] = [];
    for (const s of versioned) seen.push(await s.revision());
    if (!isKnown(seen)) misses.clear();
    known = seen;
  };
  // isKnown(syncRevisions()) without building a list on every request (a revision that is a
  // promise or NaN never compares equal, which only sends the lookup the slow way).
  const revisionsUnchanged = (): boolean => {
    if (known.length !== versioned.length) return false;
    for (let i = 0; i < versioned.length; i++) {
      if (versioned[i]!.revision() !== known[i]) return false;
    }
    return true;
  };

  return {
    name,
    stores: list,
    sourceOf: (credential) => origin.get(credential),
    isKnownMiss(url) {
      if (missTtl === 0) return false;
      const key = missKey(url);
      if (key === undefined) return false;
      // peek: a hit does not reorder the LRU list (reads are the hot path; a miss is stored again
      // when it expires and is looked up anew, which makes it recent).
      const until = misses.peek(key);
      if (until === undefined || until <= Date.now()) return false;
      return revisionsUnchanged();
    },
    revision() {
      const revisions = syncRevisions();
      if (revisions !== undefined) return hash(revisions.join(","));
      return refreshRevisions().then(() => hash(known.join(",")));
    },
    async get(url) {
      await refreshRevisions();
      const key = missTtl === 0 ? undefined : missKey(url);
      if (key !== undefined) {
        const until = misses.peek(key);
        if (until !== undefined && until > Date.now()) return undefined;
      }
      for (const store of list) {
        let credential: Credential | undefined;
        try {
          credential = await store.get(url);
        } catch (error) {
          if (isSwitchyardError(error)) throw error;
          throw new CredentialStoreError(
            store.name,
            `the credential store "${store.name}" failed to look up a URL`,
            {
              url: redactUrl(url),
              cause: error,
            },
          );
        }
        if (credential === undefined || credential === null) continue;
        const problem = credentialProblem(credential);
        if (problem !== undefined) {
          throw new CredentialStoreError(
            store.name,
            `the credential store "${store.name}" returned an invalid credential: ${problem}`,
            {
              url: redactUrl(url),
            },
          );
        }
        origin.set(credential, store);
        return markIfAllowed(url, credential, store);
      }
      if (key !== undefined) misses.set(key, Date.now() + missTtl);
      return undefined;
    },
    async invalidate(url, credential) {
      const store = origin.get(credential);
      if (store?.invalidate !== undefined)
        await store.invalidate(url, unmarked.get(credential) ?? credential);
    },
  };
}

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}
