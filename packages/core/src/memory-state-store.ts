import { randomUUID } from "node:crypto";
import { InvalidOptionsError } from "./errors.ts";
import { ChangeFanout } from "./state-change-fanout.ts";
import type { StateChange, StateEntry, StateLease, StateStore } from "./state-store.ts";
import {
  checkStateKey,
  checkStateStep,
  checkStateTtl,
  checkStateValue,
  StateStoreError,
} from "./state-store-error.ts";

/** Options of {@link memoryStateStore}. */
export interface MemoryStateStoreOptions {
  /**
   * Most entries held at once. When full, expired entries are dropped first, then the oldest
   * written entry (a `"delete"` change is announced for it), so a million distinct targets leave
   * the store at its bound.
   * @default 10000
   */
  readonly maxEntries?: number;
  /**
   * The store's clock in milliseconds; only differences matter. Monotonic by default so that a
   * wall-clock jump neither expires everything nor keeps entries alive (a seam for tests).
   * @default performance.now
   */
  readonly now?: () => number;
}

interface Slot {
  value: string;
  expiresAt: number;
}

const NAME = "memory";

/**
 * The default state store: one process's memory, no I/O, each operation decided synchronously and
 * answered with a settled promise. TTLs are honest (an entry past its TTL is gone for every
 * reader, checked on read, not by timers) and the size is bounded. Change notifications are
 * delivered on a microtask to this store's own subscribers.
 *
 * Share one instance between clients of one process; use `@switchyard/sqlite-store` for several
 * processes on one machine and `@switchyard/redis-store` for a fleet.
 *
 * @example
 * ```ts
 * const store = memoryStateStore();
 * const client = createClient({ middleware: [retryAfter({ stateStore: store })] });
 * ```
 */
export function memoryStateStore(options: MemoryStateStoreOptions = {}): StateStore {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError("memoryStateStore() options must be an object");
  }
  const maxEntries = options.maxEntries ?? 10_000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new InvalidOptionsError(`maxEntries must be an integer >= 1, got ${String(maxEntries)}`);
  }
  if (options.now !== undefined && typeof options.now !== "function") {
    throw new InvalidOptionsError("now must be a function returning milliseconds");
  }
  const now = options.now ?? (() => performance.now());
  // Map order is write order (a write re-inserts), so the first entry is the oldest written.
  const slots = new Map<string, Slot>();
  const fanout = new ChangeFanout();
  let closed = false;

  function open(operation: string): void {
    if (closed) throw new StateStoreError(NAME, operation, "the store is closed");
  }

  function live(key: string, at: number): Slot | undefined {
    const slot = slots.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt <= at) {
      slots.delete(key);
      return undefined;
    }
    return slot;
  }

  function write(key: string, value: string, expiresAt: number, at: number): void {
    slots.delete(key);
    if (slots.size >= maxEntries) makeRoom(at);
    slots.set(key, { value, expiresAt });
    fanout.emit({ key, kind: "set" });
  }

  function makeRoom(at: number): void {
    // A bounded look at the oldest entries for expired ones keeps every write O(1).
    let checked = 0;
    for (const [key, slot] of slots) {
      if (slot.expiresAt <= at) {
        slots.delete(key);
        return;
      }
      if (++checked >= 8) break;
    }
    const oldest = slots.keys().next().value;
    if (oldest === undefined) return;
    slots.delete(oldest);
    fanout.emit({ key: oldest, kind: "delete" });
  }

  function run<T>(operation: string, body: () => T): Promise<T> {
    try {
      open(operation);
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  function remove(key: string): void {
    if (slots.delete(key)) fanout.emit({ key, kind: "delete" });
  }

  return {
    name: NAME,
    get(key): Promise<StateEntry | undefined> {
      return run("get", () => {
        checkStateKey(NAME, "get", key);
        const at = now();
        const slot = live(key, at);
        return slot === undefined ? undefined : { value: slot.value, ttlMs: Math.ceil(slot.expiresAt - at) };
      });
    },
    set(key, value, ttlMs): Promise<void> {
      return run("set", () => {
        checkStateKey(NAME, "set", key);
        checkStateValue(NAME, "set", value);
        const ttl = checkStateTtl(NAME, "set", ttlMs);
        const at = now();
        write(key, value, at + ttl, at);
      });
    },
    setIfAbsent(key, value, ttlMs): Promise<boolean> {
      return run("setIfAbsent", () => {
        checkStateKey(NAME, "setIfAbsent", key);
        checkStateValue(NAME, "setIfAbsent", value);
        const ttl = checkStateTtl(NAME, "setIfAbsent", ttlMs);
        const at = now();
        if (live(key, at) !== undefined) return false;
        write(key, value, at + ttl, at);
        return true;
      });
    },
    delete(key): Promise<void> {
      return run("delete", () => {
        checkStateKey(NAME, "delete", key);
        remove(key);
      });
    },
    extendDeadline(key, inMs): Promise<number> {
      return run("extendDeadline", () => {
        checkStateKey(NAME, "extendDeadline", key);
        const ttl = checkStateTtl(NAME, "extendDeadline", inMs);
        const at = now();
        const slot = live(key, at);
        if (slot !== undefined && slot.expiresAt >= at + ttl) return Math.ceil(slot.expiresAt - at);
        write(key, "", at + ttl, at);
        return ttl;
      });
    },
    increment(key, by, ttlMs): Promise<number> {
      return run("increment", () => {
        checkStateKey(NAME, "increment", key);
        checkStateStep(NAME, "increment", by);
        const ttl = checkStateTtl(NAME, "increment", ttlMs);
        const at = now();
        const slot = live(key, at);
        const current = slot === undefined ? 0 : Number(slot.value);
        if (slot !== undefined && !/^-?\d+$/.test(slot.value)) {
          throw new StateStoreError(NAME, "increment", "the entry at this key is not a counter");
        }
        const next = current + by;
        write(key, String(next), slot === undefined ? at + ttl : slot.expiresAt, at);
        return next;
      });
    },
    acquireLease(key, ttlMs): Promise<StateLease | undefined> {
      return run("acquireLease", () => {
        checkStateKey(NAME, "acquireLease", key);
        const ttl = checkStateTtl(NAME, "acquireLease", ttlMs);
        const at = now();
        if (live(key, at) !== undefined) return undefined;
        const token = randomUUID();
        write(key, token, at + ttl, at);
        return {
          key,
          release(): Promise<void> {
            if (!closed && live(key, now())?.value === token) remove(key);
            return Promise.resolve();
          },
        };
      });
    },
    subscribe(prefix, listener: (change: StateChange) => void): () => void {
      open("subscribe");
      return fanout.add(prefix, listener);
    },
    close(): Promise<void> {
      closed = true;
      slots.clear();
      fanout.clear();
      return Promise.resolve();
    },
  };
}
