import type { StateStore } from "@switchyard/core";

/** A {@link StateStore} that records the operations called on it and can be made to fail. */
export interface RecordingStateStore extends StateStore {
  /** Operations called, in order, as `"<operation> <key>"`. */
  readonly calls: string[];
  /** When true, every operation rejects (a store that is down) after being recorded. */
  failing: boolean;
}

/**
 * Wraps a store (core's `memoryStateStore()` with a fake clock, typically) for a plugin's tests:
 * which keys the plugin touched and in what order, and how it behaves when the store fails.
 *
 * @example
 * const store = recordingStateStore(memoryStateStore({ now: clock.now }));
 * store.failing = true; // every operation now rejects
 */
export function recordingStateStore(inner: StateStore): RecordingStateStore {
  const calls: string[] = [];
  const op = <T>(name: string, key: string, run: () => Promise<T>): Promise<T> => {
    calls.push(`${name} ${key}`);
    return store.failing ? Promise.reject(new Error(`${inner.name} store is down (failing)`)) : run();
  };
  const store: RecordingStateStore = {
    name: inner.name,
    calls,
    failing: false,
    get: (key) => op("get", key, () => inner.get(key)),
    set: (key, value, ttlMs) => op("set", key, () => inner.set(key, value, ttlMs)),
    setIfAbsent: (key, value, ttlMs) => op("setIfAbsent", key, () => inner.setIfAbsent(key, value, ttlMs)),
    delete: (key) => op("delete", key, () => inner.delete(key)),
    extendDeadline: (key, inMs) => op("extendDeadline", key, () => inner.extendDeadline(key, inMs)),
    increment: (key, by, ttlMs) => op("increment", key, () => inner.increment(key, by, ttlMs)),
    acquireLease: (key, ttlMs) => op("acquireLease", key, () => inner.acquireLease(key, ttlMs)),
    subscribe: (prefix, listener) => inner.subscribe(prefix, listener),
    close: () => inner.close(),
  };
  return store;
}
