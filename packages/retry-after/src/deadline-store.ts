import { InvalidOptionsError } from "@switchyard/core";

/** How many targets a store remembers unless told otherwise. */
export const DEFAULT_CAPACITY = 1000;

/** Options of {@link DeadlineStore}. */
export interface DeadlineStoreOptions {
  /**
   * Most targets remembered at once; the least recently used is dropped first.
   * @default 1000
   */
  readonly capacity?: number;
}

/**
 * A bounded map from target key to deadline (epoch milliseconds), least recently used first out.
 *
 * It is a `Map` used as an LRU list (a `Map` iterates in insertion order, so re-inserting a key on
 * use moves it to the end and the first key is the oldest): every operation is O(1) and memory is
 * at most `capacity` entries. Expired deadlines are dropped when read and preferred for eviction.
 * A dependency such as `lru-cache` would add nothing this needs (no TTL timers, no size function).
 */
export class DeadlineStore {
  readonly capacity: number;
  readonly #entries = new Map<string, number>();

  constructor(options: DeadlineStoreOptions = {}) {
    const capacity = options.capacity ?? DEFAULT_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidOptionsError(`capacity must be an integer >= 1, got ${String(capacity)}`);
    }
    this.capacity = capacity;
  }

  /** How many targets are remembered (expired ones included until they are read or evicted). */
  get size(): number {
    return this.#entries.size;
  }

  /** The deadline for `key` if it is still after `now` (a use, for LRU order); an expired one is dropped. */
  get(key: string, now: number): number | undefined {
    const deadline = this.#entries.get(key);
    if (deadline === undefined) return undefined;
    if (deadline <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    // Re-inserting marks the target as the most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, deadline);
    return deadline;
  }

  /**
   * Records `deadline` for `key`, keeping the later one if a deadline is already known (two
   * answers racing must not shorten the wait). Deadlines at or before `now` are ignored.
   */
  set(key: string, deadline: number, now: number): void {
    if (!(deadline > now)) return;
    const previous = this.#entries.get(key);
    if (previous !== undefined) {
      this.#entries.delete(key);
      if (previous > deadline) deadline = previous;
    } else if (this.#entries.size >= this.capacity) {
      this.#evict(now);
    }
    this.#entries.set(key, deadline);
  }

  /** Forgets `key`. */
  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  /** Forgets every target. */
  clear(): void {
    this.#entries.clear();
  }

  // Drops the least recently used entry; the oldest entry is also the most likely to have expired,
  // so the first few are checked and an expired one is dropped instead when found.
  #evict(now: number): void {
    let checked = 0;
    let first: string | undefined;
    for (const [key, deadline] of this.#entries) {
      first ??= key;
      if (deadline <= now) {
        this.#entries.delete(key);
        return;
      }
      if (++checked >= 8) break;
    }
    if (first !== undefined) this.#entries.delete(first);
  }
}
