import { LRUCache } from "lru-cache";

interface Entry {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * Bearer tokens by key (registry, realm, service, scope and whose credentials), each until its
 * expiry. Bounded: past `max` entries the least recently used one goes, so a process that pulls
 * from many repositories keeps a fixed footprint. `max` 0 keeps nothing.
 */
export class TokenCache {
  // lru-cache: O(1) and bounded (a Map re-inserted on use is O(max) per eviction in V8). Expiry
  // is checked here against the caller's clock; lru-cache's own TTL would read another clock.
  readonly #entries: LRUCache<string, Entry> | undefined;

  constructor(max: number) {
    this.#entries = max >= 1 ? new LRUCache<string, Entry>({ max }) : undefined;
  }

  /** The token under `key` if it is still valid at `now` (epoch ms); an expired one is dropped. */
  get(key: string, now: number): string | undefined {
    const entry = this.#entries?.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now) {
      this.#entries?.delete(key);
      return undefined;
    }
    return entry.token;
  }

  /** Stores `token` until `expiresAt` (epoch ms), evicting the least recently used entry if full. */
  set(key: string, token: string, expiresAt: number): void {
    this.#entries?.set(key, { token, expiresAt });
  }

  delete(key: string): void {
    this.#entries?.delete(key);
  }

  get size(): number {
    return this.#entries?.size ?? 0;
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
