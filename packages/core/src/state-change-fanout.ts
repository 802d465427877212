import type { StateChange } from "./state-store.ts";

interface Subscription {
  readonly prefix: string;
  readonly listener: (change: StateChange) => void;
}

/**
 * The subscriber list every store keeps: delivers a change to the listeners whose prefix it
 * matches, on a microtask (never inside the write that caused it), and survives a listener that
 * throws (its error is dropped: one plugin's bug must not cut the others off). For store authors.
 */
export class ChangeFanout {
  readonly #subscriptions = new Set<Subscription>();

  /** How many subscriptions are active. */
  get size(): number {
    return this.#subscriptions.size;
  }

  /** Adds a subscription; returns the function that removes it (idempotent). */
  add(prefix: string, listener: (change: StateChange) => void): () => void {
    if (typeof prefix !== "string")
      throw new TypeError("subscribe(prefix, listener): prefix must be a string");
    if (typeof listener !== "function")
      throw new TypeError("subscribe(prefix, listener): listener must be a function");
    const subscription: Subscription = { prefix, listener };
    this.#subscriptions.add(subscription);
    return () => {
      this.#subscriptions.delete(subscription);
    };
  }

  /** Whether any subscription's prefix matches `key` (to skip work nobody would see). */
  wants(key: string): boolean {
    for (const { prefix } of this.#subscriptions) if (key.startsWith(prefix)) return true;
    return false;
  }

  /** Delivers `change` to every matching listener on a microtask. */
  emit(change: StateChange): void {
    if (this.#subscriptions.size === 0) return;
    const targets: Subscription[] = [];
    for (const subscription of this.#subscriptions) {
      if (change.key.startsWith(subscription.prefix)) targets.push(subscription);
    }
    if (targets.length === 0) return;
    queueMicrotask(() => {
      for (const subscription of targets) {
        // Unsubscribed between the write and the delivery: skip.
        if (!this.#subscriptions.has(subscription)) continue;
        try {
          subscription.listener(change);
        } catch {
          // A throwing listener must not stop delivery to the others (see the class comment).
        }
      }
    });
  }

  /** Removes every subscription. */
  clear(): void {
    this.#subscriptions.clear();
  }
}
