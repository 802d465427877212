interface Entry {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * Bearer tokens by key (registry, realm, service, scope and whose credentials), each until its
 * expiry. Bounded: past `max` entries the least recently used one goes, so a process that pulls
 * from many repositories keeps a fixed footprint.
 */
export class TokenCache {
  readonly #max: number;
  readonly #entries = new Map<string, Entry>();

  constructor(max: number) {
    this.#max = max;
  }

  /** The token under `key` if it is still valid at `now` (epoch ms). */
  get(key: string, now: number): string | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= now) return undefined;
    // Re-insert: Map order is the recency order.
    this.#entries.set(key, entry);
    return entry.token;
  }

  /** Stores `token` until `expiresAt` (epoch ms), evicting the least recently used entry if full. */
  set(key: string, token: string, expiresAt: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { token, expiresAt });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  get size(): number {
    return this.#entries.size;
  }
}

/**
 * When a token received at `receivedAt` with `expires_in` seconds stops being used: a little
 * before the registry would refuse it (a tenth of its life, at most 10 s), so that a request
 * does not leave with a token that expires on the way.
 */
export function tokenExpiry(receivedAt: number, expiresInSeconds: number): number {
  const lifetime = expiresInSeconds * 1000;
  return receivedAt + lifetime - Math.min(10_000, lifetime / 10);
}
