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
}

interface Cached {
  readonly token: string;
  readonly expiresAt: number | undefined;
  /** When a refresh starts being due. */
  readonly refreshAt: number;
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

  /** Drops `token` if it is the cached one (GCS refused it with 401). */
  invalidate(token: string): void {
    if (this.#cached?.token === token) this.#cached = undefined;
  }

  #refresh(): Promise<Cached> {
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
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
    this.#cached = { token: fresh.token, expiresAt, refreshAt };
    if (tokenChannel.hasSubscribers)
      tokenChannel.publish({ provider: name, outcome: "fetched", expiresAt, durationMs: at - started });
    return this.#cached;
  }
}
