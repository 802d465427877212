import type { StateStore } from "@switchyard/core";
import { isSwitchyardError } from "@switchyard/core";
import { rateLimitChannels } from "./rate-limit-events.ts";

/** Store key prefixes: pauses the servers asked for, and fleet window counters. */
export const PAUSE_PREFIX = "rate-limit:pause:";
export const WINDOW_PREFIX = "rate-limit:window:";

/**
 * The limiter's view of a shared {@link StateStore}: pauses are published fire-and-forget
 * (keep-the-later deadline) and arrive from other processes by notification; fleet windows are
 * counted with `increment` under a bounded wait. A slow or failing store costs an event and a
 * local decision, never a failed request.
 */
export class FleetState {
  readonly #store: StateStore;
  readonly #timeoutMs: number;
  #unsubscribe: (() => void) | undefined;

  constructor(store: StateStore, timeoutMs: number, onRemotePause: (key: string, ms: number) => void) {
    this.#store = store;
    this.#timeoutMs = timeoutMs;
    this.#unsubscribe = store.subscribe(PAUSE_PREFIX, (change) => {
      if (change.kind !== "set" || !change.key.startsWith(PAUSE_PREFIX)) return;
      const key = change.key.slice(PAUSE_PREFIX.length);
      store.get(change.key).then(
        (entry) => {
          if (entry !== undefined && entry.ttlMs > 0) onRemotePause(key, entry.ttlMs);
        },
        (error: unknown) => this.#failed("get", error),
      );
    });
  }

  /** Tells the fleet that `key` is paused for `ms`. */
  publishPause(key: string, ms: number): void {
    this.#store.extendDeadline(PAUSE_PREFIX + key, ms).then(
      () => {},
      (error: unknown) => this.#failed("extendDeadline", error),
    );
  }

  /**
   * Counts one request in the fleet's window for `key`; resolves with how long to wait before
   * sending (0 when under `limit`), or 0 when the store did not answer within the bounded wait.
   */
  async admit(key: string, limit: number, windowMs: number): Promise<number> {
    const counter = WINDOW_PREFIX + key;
    const count = await this.#bounded("increment", this.#store.increment(counter, 1, windowMs));
    if (count === undefined || count <= limit) return 0;
    const entry = await this.#bounded("get", this.#store.get(counter));
    // Over the limit: wait for the window to end (its TTL, by the store's clock).
    return entry === undefined ? 0 : Math.max(1, entry.ttlMs);
  }

  /** Stops listening to the store. */
  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  async #bounded<T>(operation: string, promise: Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        this.#failed(operation, `no answer within ${this.#timeoutMs} ms`);
        resolve(undefined);
      }, this.#timeoutMs);
    });
    try {
      return await Promise.race([
        promise.catch((error: unknown) => {
          this.#failed(operation, error);
          return undefined;
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  #failed(operation: string, error: unknown): void {
    if (rateLimitChannels.storeError.hasSubscribers) {
      // A Switchyard error is secret-free by contract; of anything else only the class name is told.
      const reason =
        typeof error === "string" || isSwitchyardError(error)
          ? error
          : error instanceof Error
            ? error.name
            : typeof error;
      rateLimitChannels.storeError.publish({ store: this.#store.name, operation, error: reason });
    }
  }
}
