import type { BearerCredential, Credential, StateStore } from "@switchyard/core";
import { checkSealKey, checkStore, InvalidOptionsError, SharedTokens } from "@switchyard/core";
import { parseKey } from "../credential-key.ts";
import type { MatcherEntry } from "../credential-matcher.ts";
import { createMatcher } from "../credential-matcher.ts";
import { TokenRefreshError } from "../errors.ts";
import { authChannels, publish } from "../events.ts";
import type { AuthStore } from "./auth-store.ts";
import { declareKeys } from "./store-scope.ts";

/** A token as a refresh callback returns it. */
export interface OAuthToken {
  /** The access token, sent as `Authorization: Bearer <token>`. */
  readonly token: string;
  /** Epoch milliseconds at which it expires; undefined: it does not expire. */
  readonly expiresAt?: number | undefined;
}

/** One refreshable token source. */
export interface OAuthSource {
  /**
   * Fetches a fresh token (for example from an OAuth token endpoint with a refresh token). Called
   * once for all concurrent callers; `previous` is the token it replaces, if any.
   */
  readonly refresh: (previous: OAuthToken | undefined) => Promise<OAuthToken>;
  /** A token to start with (refreshed when it is within the refresh window of its expiry). */
  readonly token?: string;
  /** Expiry of `token`, epoch milliseconds. */
  readonly expiresAt?: number;
  /** Allow sending this token over plain http. @default false */
  readonly allowInsecureHttp?: boolean;
  /**
   * Whose tokens `refresh` fetches, when several principals share one `stateStore` and sealKey
   * under the same store name and entry key (a client id, a user name): hashed into the state key,
   * never stored as it is.
   * @default "" (the store name and the entry key alone identify the token)
   */
  readonly identity?: string;
}

/** Options of {@link oauthStore}. */
export interface OAuthStoreOptions {
  /** Milliseconds before expiry at which a token is refreshed. @default 300000 (5 minutes) */
  readonly refreshWindow?: number;
  /** The store's name in events and errors. @default "oauth" */
  readonly name?: string;
  /** The clock, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /**
   * A state store shared with other processes (`sqliteStore()`, `redisStore()`): one refresh per
   * token per expiry for the whole fleet. Holds each access token sealed with `sealKey`
   * (AES-256-GCM) under `auth:oauth:<hash of the store name, entry key and identity>`, and a short
   * refresh lease `auth:oauth-refresh:<same hash>`. Requires `sealKey`. A slow or dead store never
   * fails a lookup: this process refreshes on its own, as without a store.
   * @default undefined (tokens stay in this process)
   */
  readonly stateStore?: StateStore;
  /**
   * 32 random bytes (or their base64) that seal tokens in `stateStore`, the same in every process
   * (`openssl rand -base64 32`). A process with another key cannot open them and refreshes itself.
   * @default undefined
   */
  readonly sealKey?: Uint8Array | string;
  /** Longest wait for one state-store operation, in milliseconds. @default 50 */
  readonly stateStoreTimeoutMs?: number;
  /**
   * How long one process may hold a refresh lease; the others wait for its token at most this
   * long, then refresh on their own.
   * @default 10000
   */
  readonly refreshLeaseMs?: number;
}

/** How long a token without an expiry is shared: the fleet refreshes it this often. */
const SHARE_UNEXPIRING_MS = 3_600_000;

/** A token as the fleet shares it (sealed): the token and whether it expires (the TTL says when). */
interface Shareable {
  readonly t: string;
  readonly x: boolean;
}

function parseShareable(value: string): Shareable | undefined {
  try {
    const parsed = JSON.parse(value) as Partial<Shareable> | null;
    if (typeof parsed?.t !== "string" || parsed.t === "" || typeof parsed.x !== "boolean") return undefined;
    return { t: parsed.t, x: parsed.x };
  } catch {
    return undefined;
  }
}

function sharing(options: OAuthStoreOptions): SharedTokens | undefined {
  if (options.stateStore === undefined) return undefined;
  const store = checkStore(options.stateStore, "oauthStore: stateStore");
  if (options.sealKey === undefined)
    throw new InvalidOptionsError(
      "oauthStore: stateStore shares access tokens, which are secrets: pass sealKey (32 random bytes, the same in every process) so they are stored encrypted, or leave stateStore out to keep tokens in this process",
    );
  const sealKey = checkSealKey(options.sealKey, "oauthStore: sealKey");
  const leaseMs = options.refreshLeaseMs ?? 10_000;
  if (!(Number.isFinite(leaseMs) && leaseMs >= 1))
    throw new InvalidOptionsError("oauthStore: refreshLeaseMs must be a positive number of milliseconds");
  return new SharedTokens({
    store,
    sealKey,
    timeoutMs: options.stateStoreTimeoutMs,
    leaseMs: Math.ceil(leaseMs),
    plugin: "auth",
    namespaces: { token: "auth:oauth", lease: "auth:oauth-refresh" },
  });
}

interface State {
  readonly key: string;
  /** Whose token it is across the fleet (hashed into the state key). */
  readonly identity: string;
  readonly source: OAuthSource;
  token: OAuthToken | undefined;
  /** The current token was rejected (401): refresh before using it again. */
  rejected: boolean;
  pending: Promise<OAuthToken> | undefined;
}

function checkToken(value: unknown, now: number): string | undefined {
  if (typeof value !== "object" || value === null)
    return "the refresh callback did not return { token, expiresAt }";
  const t = value as Partial<OAuthToken>;
  if (typeof t.token !== "string" || t.token === "" || /[\r\n\0]/.test(t.token)) {
    return "the refresh callback returned no usable token";
  }
  if (t.expiresAt !== undefined && !(typeof t.expiresAt === "number" && Number.isFinite(t.expiresAt))) {
    return "the refresh callback returned an expiresAt that is not epoch milliseconds";
  }
  if (t.expiresAt !== undefined && t.expiresAt <= now)
    return "the refresh callback returned a token that has already expired";
  return undefined;
}

/**
 * Bearer tokens that renew themselves: each entry has a `refresh` callback, called when there is
 * no token yet, when the token is within `refreshWindow` of its expiry, or after a server rejected
 * it (401). Concurrent lookups share one refresh; with `stateStore` and `sealKey`, so do the
 * processes of a fleet (one refreshes under a lease, the others read its sealed token). An expired token is never returned: if a
 * refresh fails while the old token is still valid, the old one is used (and a `token-refresh`
 * event reports the failure); once it has expired, lookups fail with `TokenRefreshError`.
 *
 * @example
 * const store = oauthStore({
 *   "api.example.com": { refresh: async () => fetchToken() },
 * });
 */
export function oauthStore(
  entries: Readonly<Record<string, OAuthSource>>,
  options: OAuthStoreOptions = {},
): AuthStore {
  const name = options.name ?? "oauth";
  const window = options.refreshWindow ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  if (typeof name !== "string" || name === "")
    throw new InvalidOptionsError("oauthStore: name must be a non-empty string");
  if (!Number.isFinite(window) || window < 0)
    throw new InvalidOptionsError("oauthStore: refreshWindow must be milliseconds >= 0");
  if (typeof now !== "function") throw new InvalidOptionsError("oauthStore: now must be a function");
  const shared = sharing(options);
  if (typeof entries !== "object" || entries === null)
    throw new InvalidOptionsError("oauthStore needs { key: { refresh } }");
  const list: MatcherEntry<State>[] = [];
  for (const [key, source] of Object.entries(entries)) {
    const parsed = parseKey(key);
    if (!parsed.ok) throw new InvalidOptionsError(`oauthStore entry: ${parsed.reason}`);
    const where = `oauthStore entry ${parsed.key.text}`;
    if (typeof source?.refresh !== "function")
      throw new InvalidOptionsError(`${where} needs a refresh function`);
    if (source.token !== undefined && (typeof source.token !== "string" || source.token === "")) {
      throw new InvalidOptionsError(`${where}: token must be a non-empty string`);
    }
    if (source.expiresAt !== undefined && !Number.isFinite(source.expiresAt)) {
      throw new InvalidOptionsError(`${where}: expiresAt must be epoch milliseconds`);
    }
    if (source.identity !== undefined && typeof source.identity !== "string")
      throw new InvalidOptionsError(`${where}: identity must be a string`);
    const token =
      source.token === undefined ? undefined : { token: source.token, expiresAt: source.expiresAt };
    list.push({
      key: parsed.key,
      value: {
        key: parsed.key.text,
        identity: JSON.stringify([name, parsed.key.text, source.identity ?? ""]),
        source,
        token,
        rejected: false,
        pending: undefined,
      },
    });
  }
  const matcher = createMatcher(list);

  const credential = (state: State, token: OAuthToken): BearerCredential => ({
    kind: "bearer",
    token: token.token,
    ...(token.expiresAt === undefined ? {} : { expiresAt: token.expiresAt }),
    ...(state.source.allowInsecureHttp === undefined
      ? {}
      : { allowInsecureHttp: state.source.allowInsecureHttp }),
  });

  /** One refresh by this process: the callback, checked. */
  const refreshHere = async (state: State): Promise<OAuthToken> => {
    const previous = state.token;
    let fresh: unknown;
    try {
      fresh = await state.source.refresh(previous);
    } catch (cause) {
      throw new TokenRefreshError(`the refresh callback of ${name} for ${state.key} failed`, { cause });
    }
    const problem = checkToken(fresh, now());
    if (problem !== undefined) throw new TokenRefreshError(`${problem} (${name}, ${state.key})`);
    const t = fresh as OAuthToken;
    return { token: t.token, expiresAt: t.expiresAt };
  };

  /** Without a store, {@link refreshHere}; with one, the fleet's token or one refresh for all. */
  const refreshShared = async (state: State): Promise<{ token: OAuthToken; shared: boolean }> => {
    if (shared === undefined) return { token: await refreshHere(state), shared: false };
    const rejected = state.rejected ? state.token?.token : undefined;
    let mine: OAuthToken | undefined;
    const got = await shared.get(
      state.identity,
      (value, ttlMs) => {
        const parsed = parseShareable(value);
        // Only a token this process would not refresh yet, and never the one a server refused.
        return parsed !== undefined && parsed.t !== rejected && (!parsed.x || ttlMs > window);
      },
      async () => {
        mine = await refreshHere(state);
        const ttlMs = mine.expiresAt === undefined ? SHARE_UNEXPIRING_MS : mine.expiresAt - now();
        return { value: JSON.stringify({ t: mine.token, x: mine.expiresAt !== undefined }), ttlMs };
      },
    );
    if (!got.shared && mine !== undefined) return { token: mine, shared: false };
    const parsed = parseShareable(got.value) as Shareable;
    return { token: { token: parsed.t, expiresAt: parsed.x ? now() + got.ttlMs : undefined }, shared: true };
  };

  const refresh = (state: State): Promise<OAuthToken> => {
    state.pending ??= (async () => {
      const { token: t, shared: fromFleet } = await refreshShared(state);
      state.token = t;
      state.rejected = false;
      publish(authChannels.tokenRefresh, () => ({
        store: name,
        key: state.key,
        outcome: fromFleet ? "shared" : "refreshed",
        expiresAt: t.expiresAt,
      }));
      return t;
    })().finally(() => {
      state.pending = undefined;
    });
    return state.pending;
  };

  const store: AuthStore = {
    name,
    async get(url) {
      const state = matcher.match(url)?.value;
      if (state === undefined) return undefined;
      const current = state.token;
      const at = now();
      const usable =
        current !== undefined &&
        !state.rejected &&
        (current.expiresAt === undefined || at < current.expiresAt);
      const fresh = usable && (current.expiresAt === undefined || at < current.expiresAt - window);
      if (fresh && current !== undefined) return credential(state, current);
      try {
        return credential(state, await refresh(state));
      } catch (error) {
        // Still valid (inside the refresh window): keep using it until it really expires.
        const still = state.token;
        if (usable && still !== undefined && (still.expiresAt === undefined || now() < still.expiresAt)) {
          publish(authChannels.tokenRefresh, () => ({
            store: name,
            key: state.key,
            outcome: "failed",
            reason: "the refresh failed; the current token is still valid and is used until it expires",
          }));
          return credential(state, still);
        }
        publish(authChannels.tokenRefresh, () => ({
          store: name,
          key: state.key,
          outcome: "failed",
          reason: "no valid token",
        }));
        throw error;
      }
    },
    async invalidate(url, rejected: Credential) {
      const state = matcher.match(url)?.value;
      if (state === undefined || state.token === undefined) return;
      // Only the token the server rejected: a refresh that already replaced it stays.
      if (rejected.kind === "bearer" && rejected.token === state.token.token) {
        state.rejected = true;
        // The fleet drops it too, so no other process takes it from the store.
        const token = rejected.token;
        if (shared !== undefined) await shared.drop(state.identity, (v) => parseShareable(v)?.t === token);
      }
    },
  };
  // Its keys are fixed here; only the tokens change.
  return declareKeys(store, () => matcher.keys);
}
