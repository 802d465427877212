import { guardStateStore, type StateStore, type StateStoreGuard } from "@switchyard/core";

/** How long refills wait to be sent together, in milliseconds (spends go at once). */
export const REFILL_BATCH_MS = 1000;
/** The fewest milliseconds between two reads of the shared budget prompted by others' changes. */
export const REFRESH_MS = 100;

/** Options of {@link SharedBudget}. */
export interface SharedBudgetOptions {
  readonly store: StateStore;
  /** The budget's key (`retry:budget:<hash of its name>`). */
  readonly key: string;
  /** How long the fleet's debt lives from its first spend (the counter's fixed window). */
  readonly windowMs: number;
  /** Longest wait for one store operation. */
  readonly timeoutMs: number | undefined;
  /** Called with the fleet's debt as this process now sees it (the store's, plus unsent changes). */
  readonly apply: (debt: number) => void;
}

/**
 * The store side of a fleet-wide {@link RetryBudget}: the fleet's *debt* (tokens spent and not yet
 * refilled, so a missing key is a full bucket) is one counter in the state store, and every
 * process keeps a local view of it. Decisions stay local and synchronous; this class sends the
 * local changes and brings the fleet's back, never on a request's path:
 *
 * - a spend (a retry) is sent at once, batched with the spends of the same tick (`increment`);
 * - refills (successes after retries) are summed and sent at most every {@link REFILL_BATCH_MS}; a
 *   full local bucket sends nothing, so a healthy fleet never talks to the store;
 * - the store answers the new debt; other processes' changes arrive by notification and one `get`
 *   (at most one every {@link REFRESH_MS}), and a refused retry asks once more;
 * - a refill that drives the shared debt below 0 (two processes refilling the last tokens at once)
 *   is taken back, at most what this process added, so the counter settles at 0, not below;
 * - the counter lives `windowMs` from its first spend: a fleet's debt is forgiven after it.
 *
 * Every call goes through core's guard: when the store does not answer, changes count locally
 * only and the local view goes on deciding.
 */
export class SharedBudget {
  readonly guard: StateStoreGuard;
  readonly #options: SharedBudgetOptions;
  #pending = 0;
  #refresh = false;
  #lastRefresh = Number.NEGATIVE_INFINITY;
  #running = false;
  #timer: NodeJS.Timeout | undefined;
  #due = Number.POSITIVE_INFINITY;

  constructor(options: SharedBudgetOptions) {
    this.#options = options;
    this.guard = guardStateStore(options.store, { plugin: "retry", timeoutMs: options.timeoutMs });
    this.guard.subscribe(options.key, (change) => {
      if (change.key === options.key) this.refresh();
    });
  }

  /** Records a local change of the debt: `> 0` a spend, `< 0` a refill. */
  record(delta: number): void {
    if (delta === 0) return;
    this.#pending += delta;
    this.#wake(delta > 0 ? 0 : REFILL_BATCH_MS);
  }

  /** Asks the store for the fleet's debt (throttled to one read every {@link REFRESH_MS}). */
  refresh(): void {
    this.#refresh = true;
    this.#wake(Math.max(0, this.#lastRefresh + REFRESH_MS - performance.now()));
  }

  #wake(inMs: number): void {
    if (this.#running) return; // the running sync picks the change up
    const due = performance.now() + inMs;
    if (this.#timer !== undefined && due >= this.#due) return;
    clearTimeout(this.#timer);
    this.#due = due;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#due = Number.POSITIVE_INFINITY;
      void this.#sync();
    }, inMs);
    this.#timer.unref();
  }

  async #sync(): Promise<void> {
    this.#running = true;
    const { key, windowMs, apply } = this.#options;
    try {
      while (this.#pending !== 0 || this.#refresh) {
        if (this.#pending !== 0) {
          const sent = this.#pending;
          this.#pending = 0;
          const debt = await this.guard.run("increment", (s) => s.increment(key, sent, windowMs), undefined);
          // undefined: the store did not answer; the change counts locally only.
          if (debt === undefined) continue;
          this.#refresh = false;
          // Below 0: refills raced past a full bucket; take back what this process added too much.
          if (debt < 0 && sent < 0) this.#pending += Math.min(-debt, -sent);
          apply(debt + this.#pending);
        } else {
          if (performance.now() - this.#lastRefresh < REFRESH_MS) break; // its turn comes later
          this.#refresh = false;
          this.#lastRefresh = performance.now();
          const entry = await this.guard.run("get", (s) => s.get(key), null);
          if (entry === null) continue;
          const debt = entry === undefined ? 0 : Number(entry.value);
          if (Number.isFinite(debt)) apply(debt + this.#pending);
        }
      }
    } finally {
      this.#running = false;
    }
    // A refresh asked for during the last read waits for its turn.
    if (this.#refresh) this.refresh();
  }
}
