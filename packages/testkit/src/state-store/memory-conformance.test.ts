import { memoryStateStore, type StateStore, StateStoreError } from "@switchyard/core";
import { describe, it } from "vitest";
import { describeStateStoreConformance } from "./describe-state-store-conformance.ts";

/**
 * A handle onto a shared memory store, as a second connection would be: its own subscriptions and
 * its own `close()`, the entries shared. (Within one process, sharing the store object is how two
 * clients share memory state.)
 */
function handle(shared: StateStore): StateStore {
  const stops = new Set<() => void>();
  let closed = false;
  const guard = <T>(call: () => Promise<T>): Promise<T> =>
    closed ? Promise.reject(new StateStoreError("memory", "handle", "the handle is closed")) : call();
  return {
    name: shared.name,
    get: (key) => guard(() => shared.get(key)),
    set: (key, value, ttl) => guard(() => shared.set(key, value, ttl)),
    setIfAbsent: (key, value, ttl) => guard(() => shared.setIfAbsent(key, value, ttl)),
    delete: (key) => guard(() => shared.delete(key)),
    extendDeadline: (key, ms) => guard(() => shared.extendDeadline(key, ms)),
    increment: (key, by, ttl) => guard(() => shared.increment(key, by, ttl)),
    acquireLease: (key, ttl) => guard(() => shared.acquireLease(key, ttl)),
    subscribe(prefix, listener) {
      const stop = shared.subscribe(prefix, listener);
      stops.add(stop);
      return () => {
        stops.delete(stop);
        stop();
      };
    },
    close() {
      closed = true;
      for (const stop of stops) stop();
      return Promise.resolve();
    },
  };
}

describeStateStoreConformance(
  "memory",
  async () => {
    const shared = memoryStateStore();
    return { open: async () => handle(shared), cleanup: () => shared.close() };
  },
  {
    test: { describe, it },
    skip: {
      processes: "memory lives in one process",
      "outage-hang": "memory cannot hang",
      "outage-crash": "memory cannot crash",
    },
  },
);
