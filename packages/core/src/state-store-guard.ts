import diagnosticsChannel from "node:diagnostics_channel";
import { InvalidOptionsError } from "./errors.ts";
import type { StateChange, StateStore } from "./state-store.ts";

/** Options of {@link guardStateStore}. */
export interface StateStoreGuardOptions {
  /** The plugin calling the store, named in events (`"retry-after"`, `"oci"`...). */
  readonly plugin: string;
  /**
   * Longest wait for one store operation, in milliseconds. Past it the caller gets its fallback;
   * the store's late answer is ignored. Tens of milliseconds: a round trip on a LAN is well under
   * that, and a request should not wait longer on shared state than it would on a retry.
   * @default 50
   */
  readonly timeoutMs?: number;
  /**
   * How long the circuit stays open (no operation is sent to the store) after the first failure,
   * in milliseconds; it doubles with each failed trial up to `maxBackoffMs`. Each wait is jittered
   * down to half its length, so fifty processes do not all come back at the same millisecond.
   * @default 1000
   */
  readonly backoffMs?: number;
  /** Longest open-circuit wait, in milliseconds. @default 30000 */
  readonly maxBackoffMs?: number;
  /** The clock deciding when the circuit closes again (a seam for tests). @default performance.now */
  readonly now?: () => number;
  /** Random numbers in [0, 1) for the jitter (a seam for tests). @default Math.random */
  readonly random?: () => number;
}

/** What {@link guardStateStore} returns: the one way a plugin calls a store. */
export interface StateStoreGuard {
  /** The guarded store. */
  readonly store: StateStore;
  /** Whether the circuit is open: operations answer their fallback without asking the store. */
  readonly isOpen: boolean;
  /**
   * Runs `operation` on the store with a bounded wait. Never rejects: on timeout, error or an
   * open circuit it resolves with `fallback` (the caller's local answer) and, for a timeout or an
   * error, publishes a `"failure"` event and opens the circuit.
   */
  run<T, F = T>(operation: string, call: (store: StateStore) => Promise<T>, fallback: F): Promise<T | F>;
  /**
   * Subscribes through the store; a store that throws is reported like a failed operation and
   * answers a no-op unsubscribe (the plugin then lives on its local view).
   */
  subscribe(prefix: string, listener: (change: StateChange) => void): () => void;
}

/**
 * The diagnostics channel `switchyard:core:state-store`. Payloads: `{ event: "failure", plugin,
 * store, operation, reason: "timeout" | "error", error?: { name, code? }, retryInMs }` when an
 * operation fails and the circuit opens, and `{ event: "recovered", plugin, store, operation,
 * downMs }` when the store answers again. They hold no key, no value and no error message
 * (a backend's message may quote a URL with a password).
 */
export const stateStoreChannel: diagnosticsChannel.Channel = diagnosticsChannel.channel(
  "switchyard:core:state-store",
);

/**
 * Wraps a store so that a slow or dead store never fails or stalls a request: every operation
 * waits at most `timeoutMs`, a failure answers the caller's fallback, publishes an event on
 * {@link stateStoreChannel} and opens a circuit (no operation is sent for a jittered, growing
 * while); after it one trial operation goes through, and its success closes the circuit.
 *
 * @example
 * ```ts
 * const guard = guardStateStore(options.stateStore, { plugin: "retry-after" });
 * const left = await guard.run("extendDeadline", (s) => s.extendDeadline(key, 2000), 2000);
 * ```
 */
export function guardStateStore(store: StateStore, options: StateStoreGuardOptions): StateStoreGuard {
  checkStore(store);
  if (typeof options !== "object" || options === null || typeof options.plugin !== "string") {
    throw new InvalidOptionsError("guardStateStore() needs options with the plugin's name");
  }
  const plugin = options.plugin;
  const timeoutMs = checkMs("timeoutMs", options.timeoutMs ?? 50);
  const backoffMs = checkMs("backoffMs", options.backoffMs ?? 1000);
  const maxBackoffMs = Math.max(backoffMs, checkMs("maxBackoffMs", options.maxBackoffMs ?? 30_000));
  const now = options.now ?? (() => performance.now());
  const random = options.random ?? Math.random;

  let failures = 0; // consecutive failed operations; 0 = circuit closed
  let retryAt = 0; // when a trial may go through
  let trial = false; // a trial operation is in flight
  let downSince = 0;

  function fail(operation: string, reason: "timeout" | "error", error?: unknown): void {
    if (failures === 0) downSince = now();
    failures++;
    const base = Math.min(maxBackoffMs, backoffMs * 2 ** Math.min(failures - 1, 30));
    const wait = Math.round(base / 2 + (random() * base) / 2);
    retryAt = now() + wait;
    if (stateStoreChannel.hasSubscribers) {
      stateStoreChannel.publish({
        event: "failure",
        plugin,
        store: store.name,
        operation,
        reason,
        error: reason === "error" ? describeError(error) : undefined,
        retryInMs: wait,
      });
    }
  }

  function succeed(operation: string): void {
    if (failures === 0) return;
    failures = 0;
    if (stateStoreChannel.hasSubscribers) {
      stateStoreChannel.publish({
        event: "recovered",
        plugin,
        store: store.name,
        operation,
        downMs: Math.round(now() - downSince),
      });
    }
  }

  const guard: StateStoreGuard = {
    store,
    get isOpen() {
      return failures > 0;
    },
    run<T, F = T>(operation: string, call: (store: StateStore) => Promise<T>, fallback: F): Promise<T | F> {
      let isTrial = false;
      if (failures > 0) {
        if (trial || now() < retryAt) return Promise.resolve(fallback);
        trial = isTrial = true;
      }
      let pending: Promise<T>;
      try {
        pending = Promise.resolve(call(store));
      } catch (error) {
        pending = Promise.reject(error);
      }
      return new Promise<T | F>((resolve) => {
        let settled = false;
        const timer = setTimeout(() => {
          if (settled) return;
          settled = true;
          if (isTrial) trial = false;
          fail(operation, "timeout");
          resolve(fallback);
        }, timeoutMs);
        timer.unref?.();
        pending.then(
          (value) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            if (isTrial) trial = false;
            succeed(operation);
            resolve(value);
          },
          (error: unknown) => {
            // A late rejection after the timeout is swallowed here too (no unhandled rejection).
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            if (isTrial) trial = false;
            fail(operation, "error", error);
            resolve(fallback);
          },
        );
      });
    },
    subscribe(prefix, listener) {
      try {
        return store.subscribe(prefix, listener);
      } catch (error) {
        fail("subscribe", "error", error);
        return () => {};
      }
    },
  };
  return guard;
}

/** Throws {@link InvalidOptionsError} unless `store` looks like a {@link StateStore}; for plugin factories. */
export function checkStore(store: unknown, option = "stateStore"): StateStore {
  const methods = ["get", "set", "setIfAbsent", "delete", "extendDeadline", "increment", "acquireLease"];
  const candidate = store as Record<string, unknown> | null;
  if (
    typeof candidate !== "object" ||
    candidate === null ||
    typeof candidate.name !== "string" ||
    typeof candidate.subscribe !== "function" ||
    methods.some((method) => typeof candidate[method] !== "function")
  ) {
    throw new InvalidOptionsError(
      `${option} must be a StateStore (memoryStateStore(), sqliteStore(), redisStore()...)`,
    );
  }
  return store as StateStore;
}

function checkMs(name: string, value: number): number {
  if (typeof value !== "number" || !(value > 0) || value > 2_147_483_647) {
    throw new InvalidOptionsError(`${name} must be a positive number of milliseconds, got ${String(value)}`);
  }
  return value;
}

function describeError(error: unknown): { name: string; code?: string } {
  if (typeof error !== "object" || error === null) return { name: typeof error };
  const { name, code } = error as { name?: unknown; code?: unknown };
  return {
    name: typeof name === "string" ? name : "Error",
    ...(typeof code === "string" ? { code } : {}),
  };
}
