import { InvalidOptionsError } from "@switchyard/core";
import { LRUCache } from "lru-cache";

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
 * The LRU order is kept by `lru-cache` (fixed capacity, O(1) get/set/evict, no timers): a `Map`
 * re-inserted on use looks O(1) too, but V8 leaves a deleted entry in place until the table is
 * rehashed, so finding the oldest key walks over up to `capacity` dead slots on every eviction.
 * Deadlines are checked here against the caller's `now` (lru-cache's TTL runs on its own clock):
 * an expired one is dropped when read and preferred for eviction.
 */
export class DeadlineStore {
  readonly capacity: number;
  readonly #entries: LRUCache<string, number>;
  // No remembered deadline is earlier than this (a lower bound: entries dropped since may have
  // held it). While `now` is before it nothing can have expired, so eviction needs no scan.
  #earliest = Number.POSITIVE_INFINITY;

  constructor(options: DeadlineStoreOptions = {}) {
    const capacity = options.capacity ?? DEFAULT_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidOptionsError(`capacity must be an integer >= 1, got ${String(capacity)}`);
    }
    this.capacity = capacity;
    this.#entries = new LRUCache<string, number>({ max: capacity });
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
    return deadline;
  }

  /**
   * Records `deadline` for `key`, keeping the later one if a deadline is already known (two
   * answers racing must not shorten the wait). Deadlines at or before `now` are ignored.
   */
  set(key: string, deadline: number, now: number): void {
    if (!(deadline > now)) return;
    const previous = this.#entries.peek(key);
    if (previous !== undefined) {
      if (previous > deadline) deadline = previous;
    } else if (this.#entries.size >= this.capacity) {
      this.#dropExpired(now);
    }
    // At capacity, lru-cache evicts the least recently used entry itself.
    this.#entries.set(key, deadline);
    if (deadline < this.#earliest) this.#earliest = deadline;
  }

  /** Forgets `key`. */
  delete(key: string): boolean {
    return this.#entries.delete(key);
  }

  /** Forgets every target. */
  clear(): void {
    this.#entries.clear();
    this.#earliest = Number.POSITIVE_INFINITY;
  }

  // The oldest entries are the most likely to have expired: the first few (a fixed number, so
  // this stays O(1)) are checked and an expired one is dropped instead of the least recently used.
  #dropExpired(now: number): void {
    if (now < this.#earliest) return;
    let checked = 0;
    for (const [key, deadline] of this.#entries.rentries() as Iterable<[string, number]>) {
      if (deadline <= now) {
        this.#entries.delete(key);
        return;
      }
      if (++checked >= 8) return;
    }
  }
}
