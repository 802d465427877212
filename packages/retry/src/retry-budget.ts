import type { StateStore } from "@switchyard/core";
import { checkStore, InvalidOptionsError, stateKey } from "@switchyard/core";
import { SharedBudget } from "./shared-budget.ts";

/** Options of {@link RetryBudget}; the defaults are the AWS SDK's standard retry quota. */
export interface RetryBudgetOptions {
  /**
   * Tokens in a full bucket (and at start).
   * @default 500
   */
  readonly capacity?: number;
  /**
   * Tokens a retry costs.
   * @default 5
   */
  readonly retryCost?: number;
  /**
   * Tokens a retry after a timeout costs (timeouts hint at an overloaded server: they drain the
   * budget faster).
   * @default 10
   */
  readonly timeoutCost?: number;
  /**
   * Tokens a call that succeeded at its first attempt adds back.
   * @default 1
   */
  readonly successRefill?: number;
  /**
   * A state store shared with other processes (`sqliteStore()`, `redisStore()`): one budget for
   * the fleet. Every process decides on its local view of the fleet's tokens; spends are sent at
   * once and refills batched, in the background (see the README's "Sharing the budget").
   * @default undefined (the budget is this process's own)
   */
  readonly stateStore?: StateStore;
  /**
   * The budget's name in the store: processes whose budgets have the same name share one. Hashed
   * into the key, never stored as is.
   * @default "default"
   */
  readonly name?: string;
  /**
   * How long the fleet's debt lives in the store from the first retry that started it, in
   * milliseconds: every key in a state store has a TTL, and a fleet's bucket is full again after
   * it whatever happened (at worst `capacity / retryCost` retries per window for the fleet).
   * @default 600000 (10 minutes)
   */
  readonly sharedWindowMs?: number;
  /** Longest wait for one state-store operation before going on with the local view. @default 50 */
  readonly stateStoreTimeoutMs?: number;
}

/**
 * A token bucket that bounds how many retries one client makes when many calls fail at once: a
 * storm of failures empties it and further failures stop costing retries; successes refill it.
 * Works like the AWS SDK's retry quota: each retry takes `retryCost` tokens (`timeoutCost` after a
 * timeout); a call that succeeds after retrying gives back what its last retry took, a call that
 * succeeds at once adds `successRefill`; never more than `capacity`.
 *
 * With the defaults, 100 retries in a row (500 / 5) exhaust a full bucket; after that, 5 first-try
 * successes pay for one more retry.
 */
export class RetryBudget {
  readonly capacity: number;
  readonly retryCost: number;
  readonly timeoutCost: number;
  readonly successRefill: number;
  /** Whether the budget is shared through a state store (the `stateStore` option). */
  readonly shared: boolean;
  #tokens: number;
  readonly #shared: SharedBudget | undefined;

  constructor(options: RetryBudgetOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw new InvalidOptionsError("retry budget options must be an object");
    }
    this.capacity = check("capacity", options.capacity ?? 500);
    this.retryCost = check("retryCost", options.retryCost ?? 5);
    this.timeoutCost = check("timeoutCost", options.timeoutCost ?? 10);
    this.successRefill = check("successRefill", options.successRefill ?? 1);
    this.#tokens = this.capacity;
    this.shared = options.stateStore !== undefined;
    this.#shared = this.shared ? this.#share(options) : undefined;
  }

  /** Tokens left (with a `stateStore`: the fleet's, as this process last heard). */
  get available(): number {
    return this.#tokens;
  }

  /**
   * Takes the cost of one retry; returns what was taken, or `undefined` (and takes nothing) when
   * the bucket cannot pay for it. Decides on the local view at once, never waiting on a store.
   */
  acquire(afterTimeout: boolean): number | undefined {
    const cost = afterTimeout ? this.timeoutCost : this.retryCost;
    if (cost > this.#tokens) {
      // The fleet's bucket may have refilled (or its window ended) since this process last heard.
      this.#shared?.refresh();
      return undefined;
    }
    this.#tokens -= cost;
    this.#shared?.record(cost);
    return cost;
  }

  /** Records a successful call: gives back `refund` (what its last retry took) or `successRefill`. */
  release(refund: number | undefined): void {
    const before = this.#tokens;
    this.#tokens = Math.min(this.capacity, before + (refund ?? this.successRefill));
    // A full bucket stays full: nothing to send, so a healthy fleet never talks to the store.
    if (this.#shared !== undefined && this.#tokens > before) this.#shared.record(before - this.#tokens);
  }

  #share(options: RetryBudgetOptions): SharedBudget {
    const store = checkStore(options.stateStore, "retry budget stateStore");
    const name = options.name ?? "default";
    if (typeof name !== "string") throw new InvalidOptionsError("retry budget name must be a string");
    const windowMs = options.sharedWindowMs ?? 600_000;
    if (!Number.isInteger(windowMs) || windowMs < 1 || windowMs > 2_147_483_647) {
      throw new InvalidOptionsError(
        `retry budget sharedWindowMs must be a whole number of milliseconds (1 to 2^31-1), got ${String(windowMs)}`,
      );
    }
    return new SharedBudget({
      store,
      key: stateKey("retry:budget", name),
      windowMs,
      timeoutMs: options.stateStoreTimeoutMs,
      apply: (debt) => {
        this.#tokens = Math.max(0, Math.min(this.capacity, this.capacity - debt));
      },
    });
  }
}

function check(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionsError(`retry budget ${name} must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}
