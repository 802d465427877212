import type { StateStore } from "@switchyard/core";
import { LRUCache } from "lru-cache";
import type { CacheStore, StoredEntry } from "./cache-store.ts";
import type { EntryMeta } from "./entry-meta.ts";
import { readMeta } from "./entry-meta.ts";
import { cacheChannels, publish } from "./events.ts";
import type { Policy } from "./policy.ts";

/** An entry with its metadata parsed and its policy rebuilt. */
export interface Found {
  readonly entry: StoredEntry;
  readonly meta: EntryMeta;
  readonly policy: Policy;
}

/** The most entries remembered in this process. */
export const MEMO_ENTRIES = 10_000;
/** How long a call waits on the state store before going on without it. */
export const STATE_WAIT_MS = 250;

const ABSENT: unique symbol = Symbol("absent");
const MAX_STATE_TTL_MS = 365 * 24 * 3600 * 1000;

function bounded<T>(promise: Promise<T>, operation: string, store: string): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      publish(cacheChannels.error, () => ({
        operation,
        store,
        error: new Error(`no answer within ${STATE_WAIT_MS} ms`),
      }));
      resolve(undefined);
    }, STATE_WAIT_MS);
  });
  return Promise.race([
    promise.catch((error: unknown) => {
      publish(cacheChannels.error, () => ({ operation, store, error }));
      return undefined;
    }),
    timeout,
  ]).finally(() => clearTimeout(timer));
}

/**
 * Finds entries: first in this process's memory (so a fresh hit reads no index), then in the state
 * store when one is shared (metadata for a fleet), then in the cache store's own index. A key whose
 * last response could not be stored is remembered as absent, so a call the cache cannot serve
 * costs no store look-up.
 */
export class EntryIndex {
  readonly #store: CacheStore;
  readonly #state: StateStore | undefined;
  readonly #rebuild: (meta: EntryMeta) => Policy;
  readonly #memo = new LRUCache<string, Found | typeof ABSENT>({ max: MEMO_ENTRIES });
  readonly #unsubscribe: (() => void) | undefined;

  constructor(store: CacheStore, state: StateStore | undefined, rebuild: (meta: EntryMeta) => Policy) {
    this.#store = store;
    this.#state = state;
    this.#rebuild = rebuild;
    // Another process wrote or removed an entry: forget ours, the next call reads it anew.
    this.#unsubscribe = state?.subscribe("cache:", (change) => this.#memo.delete(change.key));
  }

  /** The entry for `key` as this process last saw it (undefined when none or known absent). */
  remembered(key: string): Found | undefined | typeof ABSENT {
    return this.#memo.get(key);
  }

  /** Whether `value` is the absent marker. */
  static isAbsent(value: unknown): value is typeof ABSENT {
    return value === ABSENT;
  }

  /** Looks `key` up past the memo: the state store, then the cache store. */
  async load(key: string): Promise<Found | undefined> {
    let entry: StoredEntry | undefined;
    if (this.#state !== undefined) {
      const shared = await bounded(this.#state.get(key), "state-get", this.#state.name);
      if (shared !== undefined) {
        try {
          entry = JSON.parse(shared.value) as StoredEntry;
        } catch {
          entry = undefined;
        }
      }
    }
    entry ??= await bounded(this.#store.get(key), "get", this.#store.name);
    const found = entry === undefined ? undefined : this.#parse(entry);
    if (found !== undefined) this.#memo.set(key, found);
    else this.#memo.delete(key);
    return found;
  }

  /** Looks `key` up, memo first. */
  lookup(key: string): Promise<Found | undefined> {
    const known = this.#memo.get(key);
    if (known === ABSENT) return Promise.resolve(undefined);
    if (known !== undefined) return Promise.resolve(known);
    return this.load(key);
  }

  /** Records a committed or updated entry; shares its metadata when a state store is set. */
  remember(entry: StoredEntry, ttlMs: number): Found | undefined {
    const found = this.#parse(entry);
    if (found === undefined) return undefined;
    this.#memo.set(entry.key, found);
    if (this.#state !== undefined) {
      const ttl = Math.min(Math.max(1000, Math.ceil(ttlMs)), MAX_STATE_TTL_MS);
      void bounded(this.#state.set(entry.key, JSON.stringify(entry), ttl), "state-set", this.#state.name);
    }
    return found;
  }

  /** Records, in this process only, an entry whose metadata and policy the caller already holds. */
  rememberParsed(found: Found): Found {
    this.#memo.set(found.entry.key, found);
    return found;
  }

  /** Forgets what this process remembers of `key` (another process may have stored it since). */
  unremember(key: string): void {
    this.#memo.delete(key);
  }

  /** Notes that the last response for `key` was not stored. */
  markAbsent(key: string): void {
    this.#memo.set(key, ABSENT);
  }

  /** Forgets `key` here and in the state store (the cache store is the caller's to clean). */
  forget(key: string): void {
    this.#memo.delete(key);
    if (this.#state !== undefined) void bounded(this.#state.delete(key), "state-delete", this.#state.name);
  }

  /** Stops listening to the state store. */
  close(): void {
    this.#unsubscribe?.();
    this.#memo.clear();
  }

  #parse(entry: StoredEntry): Found | undefined {
    const meta = readMeta(entry.metadata);
    if (meta === undefined) return undefined;
    try {
      return { entry, meta, policy: this.#rebuild(meta) };
    } catch {
      return undefined;
    }
  }
}
