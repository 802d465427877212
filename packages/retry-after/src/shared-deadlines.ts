import { guardStateStore, type StateStore, type StateStoreGuard, stateKey } from "@switchyard/core";
import { LRUCache } from "lru-cache";
import type { DeadlineStore } from "./deadline-store.ts";

/** The namespace of retry-after's keys in a state store. */
export const NAMESPACE = "retry-after";

/**
 * Connects this process's deadlines (the local, bounded `DeadlineStore`, which alone is consulted
 * on the hot path) to a shared state store, so that one 429 holds back the whole fleet:
 *
 * - a deadline this process records is sent to the store with keep-the-later (`extendDeadline`),
 *   without holding up the response; the store's answer (the later of all processes' deadlines)
 *   comes back into the local view;
 * - other processes' deadlines arrive by change notification, then one `get` each;
 * - the first request to a target this process has not seen yet asks the store once, in the
 *   background (the request itself does not wait), for deadlines set before this process started
 *   listening.
 *
 * Keys in the store are `retry-after:<hash of the target>` (targets may carry user names in
 * `"url"` mode; hashed, nothing of them is stored). Every store call goes through core's guard:
 * bounded waits, and a dead store leaves this process on its local deadlines.
 */
export class SharedDeadlines {
  readonly guard: StateStoreGuard;
  readonly #local: DeadlineStore;
  readonly #now: () => number;
  readonly #keys: LRUCache<string, string>;
  readonly #contacted: LRUCache<string, true>;
  // The last target's key and the last key contacted: most programs call one origin over and over,
  // and each LRU lookup moves its entry to the front (about 100 ns of a pass-through request).
  #lastTarget: string | undefined;
  #lastKey = "";
  #lastContacted: string | undefined;

  constructor(local: DeadlineStore, store: StateStore, now: () => number, timeoutMs: number | undefined) {
    this.#local = local;
    this.#now = now;
    this.guard = guardStateStore(store, { plugin: NAMESPACE, timeoutMs });
    this.#keys = new LRUCache({ max: local.capacity });
    this.#contacted = new LRUCache({ max: local.capacity });
    this.guard.subscribe(`${NAMESPACE}:`, (change) => {
      if (change.kind === "delete") this.#local.delete(change.key);
      else this.#refresh(change.key);
    });
  }

  /** The store key of a target (hashed once, then cached). */
  keyOf(target: string): string {
    if (target === this.#lastTarget) return this.#lastKey;
    let key = this.#keys.get(target);
    if (key === undefined) {
      key = stateKey(NAMESPACE, target);
      this.#keys.set(target, key);
    }
    this.#lastTarget = target;
    this.#lastKey = key;
    return key;
  }

  /** On a target's first request in this process: one background read of its shared deadline. */
  firstContact(key: string): void {
    if (key === this.#lastContacted) return;
    this.#lastContacted = key;
    if (this.#contacted.has(key)) return;
    this.#contacted.set(key, true);
    this.#refresh(key);
  }

  /** Shares a deadline `waitMs` from now; the store keeps the later one and the answer comes back. */
  publish(key: string, waitMs: number): Promise<void> {
    const sent = this.#now();
    return this.guard
      .run("extendDeadline", (store) => store.extendDeadline(key, waitMs), undefined)
      .then((left) => {
        if (left !== undefined) this.#local.set(key, sent + left, this.#now());
      });
  }

  #refresh(key: string): void {
    void this.guard
      .run("get", (store) => store.get(key), undefined)
      .then((entry) => {
        // The store answers time left by its own clock; the local deadline is that much from now.
        if (entry !== undefined) this.#local.set(key, this.#now() + entry.ttlMs, this.#now());
      });
  }
}
