import type { StateStore } from "@switchyard/core";
import { isSwitchyardError } from "@switchyard/core";
import { breakerChannels } from "./breaker-events.ts";

/** The store key prefix of open circuits. */
export const OPEN_PREFIX = "breaker:open:";

/**
 * Mirrors open circuits through a {@link StateStore}: publishing is fire-and-forget (the request
 * path never waits), remote opens arrive by the store's change notification, and a failing store
 * only costs an event.
 */
export class SharedOpenState {
  readonly #store: StateStore;
  #unsubscribe: (() => void) | undefined;

  constructor(store: StateStore, onRemoteOpen: (key: string, inMs: number) => void) {
    this.#store = store;
    this.#unsubscribe = store.subscribe(OPEN_PREFIX, (change) => {
      if (change.kind !== "set" || !change.key.startsWith(OPEN_PREFIX)) return;
      const key = change.key.slice(OPEN_PREFIX.length);
      this.#store.get(change.key).then(
        (entry) => {
          if (entry !== undefined && entry.ttlMs > 0) onRemoteOpen(key, entry.ttlMs);
        },
        (error: unknown) => this.#failed("get", error),
      );
    });
  }

  /** Tells the fleet that `key` is open for `ms` (keep-the-later deadline in the store). */
  publishOpen(key: string, ms: number): void {
    this.#store.extendDeadline(OPEN_PREFIX + key, ms).then(
      () => {},
      (error: unknown) => this.#failed("extendDeadline", error),
    );
  }

  /** Stops listening to the store. */
  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #failed(operation: string, error: unknown): void {
    if (breakerChannels.storeError.hasSubscribers) {
      // A Switchyard error is secret-free by contract; of anything else only the class name is told.
      const reason = isSwitchyardError(error) ? error : error instanceof Error ? error.name : typeof error;
      breakerChannels.storeError.publish({ store: this.#store.name, operation, error: reason });
    }
  }
}
