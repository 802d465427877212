import type { SharedTokens } from "@switchyard/core";
import { pluginChannel } from "@switchyard/core";
import { GcsTokenError } from "../errors.ts";
import type { AccessToken, GcsTokenProvider } from "./token-provider.ts";

const tokenChannel = pluginChannel("gcs", "token");

/** Options of {@link TokenCache}. */
export interface TokenCacheOptions {
  readonly scopes: readonly string[];
  /** Refresh this long before expiry (at most half the token's lifetime). */
  readonly refreshBeforeMs: number;
  readonly now: () => number;
  /** Tokens shared with the fleet through a state store (sealed), and whose they are (hashed into the key). */
  readonly shared?: { readonly tokens: SharedTokens; readonly identity: string } | undefined;
}

/** How long a token without an expiry is shared: the fleet fetches a new one this often. */
const SHARE_UNEXPIRING_MS = 3_600_000;

interface Shareable {
  /** The token. */
  readonly t: string;
  /** Its lifetime in ms when it was fetched (for the early-refresh cap), or null: it does not expire. */
  readonly l: number | null;
}

interface Cached {
  readonly token: string;
  readonly expiresAt: number | undefined;
  /** When a refresh starts being due. */
  readonly refreshAt: number;
  /** Its lifetime when fetched, in ms. */
  readonly lifetime: number;
}

function parseShareable(value: string): Shareable | undefined {
  try {
    const parsed = JSON.parse(value) as Partial<Shareable> | null;
    if (typeof parsed?.t !== "string" || parsed.t === "") return undefined;
    if (parsed.l !== null && !(typeof parsed.l === "number" && parsed.l > 0)) return undefined;
    return { t: parsed.t, l: parsed.l };
  } catch {
    return undefined;
  }
}

/**
 * Caches one provider's token: reused until shortly before it expires; one refresh serves every
 * concurrent caller; a failed refresh is a {@link GcsTokenError} (and is not cached), except that
 * a token still valid during its early-refresh window keeps being used; an expired token is never
 * handed out.
 */
export class TokenCache {
  readonly #provider: GcsTokenProvider;
  readonly #options: TokenCacheOptions;
  #cached: Cached | undefined;
  /** The last token GCS refused: never taken from the shared store again. */
  #rejected: string | undefined;
  #pending: Promise<Cached> | undefined;

  constructor(provider: GcsTokenProvider, options: TokenCacheOptions) {
    this.#provider = provider;
    this.#options = options;
  }

  /** The provider's name. */
  get providerName(): string {
    return this.#provider.name;
  }

  /** A token valid now. */
  async get(): Promise<string> {
    const now = this.#options.now();
    const cached = this.#cached;
    if (cached && now < cached.refreshAt) return cached.token;
    try {
      return (await this.#refresh()).token;
    } catch (error) {
      const still = this.#cached;
      // A refresh that fails early leaves the current token usable until it actually expires.
      if (still && (still.expiresAt === undefined || this.#options.now() < still.expiresAt))
        return still.token;
      throw error;
    }
  }

  /** Drops `token` if it is the cached one (GCS refused it with 401), here and in the shared store. */
  invalidate(token: string): void {
    if (this.#cached?.token === token) this.#cached = undefined;
    this.#rejected = token;
    const shared = this.#options.shared;
    if (shared !== undefined)
      void shared.tokens.drop(shared.identity, (value) => parseShareable(value)?.t === token);
  }

  #refresh(): Promise<Cached> {
    this.#pending ??= this.#fetchShared().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Without a store: {@link TokenCache.#fetch}. With one: the fleet's token, or one fetch for all. */
  async #fetchShared(): Promise<Cached> {
    const shared = this.#options.shared;
    if (shared === undefined) return this.#fetch();
    const { now, refreshBeforeMs } = this.#options;
    const name = this.#provider.name;
    let mine: Cached | undefined;
    const got = await shared.tokens.get(
      shared.identity,
      (value, ttlMs) => {
        const parsed = parseShareable(value);
        if (parsed === undefined || parsed.t === this.#rejected) return false;
        // Only a token this process would not refresh yet: at its refresh point every process
        // finds the old token unusable, and one of them fetches the next.
        return parsed.l === null || ttlMs > Math.min(refreshBeforeMs, parsed.l / 2);
      },
      async () => {
        mine = await this.#fetch();
        const at = now();
        const ttlMs = mine.expiresAt === undefined ? SHARE_UNEXPIRING_MS : mine.expiresAt - at;
        const lifetime = mine.expiresAt === undefined ? null : mine.lifetime;
        return { value: JSON.stringify({ t: mine.token, l: lifetime } satisfies Shareable), ttlMs };
      },
    );
    if (!got.shared && mine !== undefined) return mine;
    const parsed = parseShareable(got.value) as Shareable;
    const at = now();
    const expiresAt = parsed.l === null ? undefined : at + got.ttlMs;
    const refreshAt =
      expiresAt === undefined
        ? Number.POSITIVE_INFINITY
        : expiresAt - Math.min(refreshBeforeMs, (parsed.l as number) / 2);
    this.#cached = { token: parsed.t, expiresAt, refreshAt, lifetime: parsed.l ?? Number.POSITIVE_INFINITY };
    if (tokenChannel.hasSubscribers) tokenChannel.publish({ provider: name, outcome: "shared", expiresAt });
    return this.#cached;
  }

  async #fetch(): Promise<Cached> {
    const { now, scopes, refreshBeforeMs } = this.#options;
    const name = this.#provider.name;
    const started = now();
    let fresh: AccessToken;
    try {
      fresh = await this.#provider.fetchToken({ scopes, now });
    } catch (cause) {
      if (tokenChannel.hasSubscribers)
        tokenChannel.publish({ provider: name, outcome: "failed", error: cause });
      if (cause instanceof GcsTokenError) throw cause;
      const text = cause instanceof Error ? cause.message : String(cause);
      throw new GcsTokenError("refresh-failed", name, `the token provider failed: ${text.slice(0, 300)}`, {
        cause,
      });
    }
    if (typeof fresh?.token !== "string" || fresh.token === "")
      throw new GcsTokenError("invalid-response", name, "the token provider returned no token");
    const expiresAt = fresh.expiresAt;
    const at = now();
    if (expiresAt !== undefined && (!Number.isFinite(expiresAt) || expiresAt <= at))
      throw new GcsTokenError(
        "expired",
        name,
        "the token provider returned a token that has already expired",
      );
    const lifetime = expiresAt === undefined ? Number.POSITIVE_INFINITY : expiresAt - started;
    const refreshAt =
      expiresAt === undefined
        ? Number.POSITIVE_INFINITY
        : expiresAt - Math.min(refreshBeforeMs, lifetime / 2);
    this.#cached = { token: fresh.token, expiresAt, refreshAt, lifetime };
    if (tokenChannel.hasSubscribers)
      tokenChannel.publish({ provider: name, outcome: "fetched", expiresAt, durationMs: at - started });
    return this.#cached;
  }
}
