// A small in-test StateStore (the memory store lands from another branch): entries with TTLs on a
// clock the test controls, synchronous change notification, and a switch that makes it fail.
import type { StateChange, StateEntry, StateLease, StateStore } from "@switchyard/core";

export interface TestStateStore extends StateStore {
  /** Operations called, in order (`op key`). */
  readonly calls: string[];
  /** When true every operation rejects. */
  failing: boolean;
}

export function testStateStore(now: () => number): TestStateStore {
  const entries = new Map<string, { value: string; expires: number }>();
  const listeners = new Set<{ prefix: string; listener: (c: StateChange) => void }>();
  const calls: string[] = [];
  const live = (key: string) => {
    const e = entries.get(key);
    if (e !== undefined && e.expires <= now()) entries.delete(key);
    return entries.get(key);
  };
  const notify = (key: string, kind: "set" | "delete") => {
    for (const l of listeners) if (key.startsWith(l.prefix)) l.listener({ key, kind });
  };
  const op = async <T>(name: string, key: string, run: () => T): Promise<T> => {
    calls.push(`${name} ${key}`);
    if (store.failing) throw new Error("store down");
    return run();
  };
  const store: TestStateStore = {
    name: "test",
    calls,
    failing: false,
    get: (key) =>
      op("get", key, (): StateEntry | undefined => {
        const e = live(key);
        return e === undefined ? undefined : { value: e.value, ttlMs: e.expires - now() };
      }),
    set: (key, value, ttlMs) =>
      op("set", key, () => {
        entries.set(key, { value, expires: now() + ttlMs });
        notify(key, "set");
      }),
    setIfAbsent: (key, value, ttlMs) =>
      op("setIfAbsent", key, () => {
        if (live(key) !== undefined) return false;
        entries.set(key, { value, expires: now() + ttlMs });
        notify(key, "set");
        return true;
      }),
    delete: (key) =>
      op("delete", key, () => {
        entries.delete(key);
        notify(key, "delete");
      }),
    extendDeadline: (key, inMs) =>
      op("extendDeadline", key, () => {
        const e = live(key);
        const expires = Math.max(e?.expires ?? 0, now() + inMs);
        entries.set(key, { value: String(expires), expires });
        notify(key, "set");
        return expires - now();
      }),
    increment: (key, by, ttlMs) =>
      op("increment", key, () => {
        const e = live(key);
        const value = Number(e?.value ?? 0) + by;
        entries.set(key, { value: String(value), expires: e?.expires ?? now() + ttlMs });
        notify(key, "set");
        return value;
      }),
    acquireLease: (key, ttlMs) =>
      op("acquireLease", key, (): StateLease | undefined => {
        if (live(key) !== undefined) return undefined;
        entries.set(key, { value: "lease", expires: now() + ttlMs });
        return { key, release: async () => void entries.delete(key) };
      }),
    subscribe(prefix, listener) {
      const entry = { prefix, listener };
      listeners.add(entry);
      return () => listeners.delete(entry);
    },
    close: async () => {
      listeners.clear();
    },
  };
  return store;
}
