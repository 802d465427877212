import { InvalidOptionsError } from "@switchyard/core";

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
  #tokens: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.capacity = check("capacity", options.capacity ?? 500);
    this.retryCost = check("retryCost", options.retryCost ?? 5);
    this.timeoutCost = check("timeoutCost", options.timeoutCost ?? 10);
    this.successRefill = check("successRefill", options.successRefill ?? 1);
    this.#tokens = this.capacity;
  }

  /** Tokens left. */
  get available(): number {
    return this.#tokens;
  }

  /**
   * Takes the cost of one retry; returns what was taken, or `undefined` (and takes nothing) when
   * the bucket cannot pay for it.
   */
  acquire(afterTimeout: boolean): number | undefined {
    const cost = afterTimeout ? this.timeoutCost : this.retryCost;
    if (cost > this.#tokens) return undefined;
    this.#tokens -= cost;
    return cost;
  }

  /** Records a successful call: gives back `refund` (what its last retry took) or `successRefill`. */
  release(refund: number | undefined): void {
    this.#tokens = Math.min(this.capacity, this.#tokens + (refund ?? this.successRefill));
  }
}

function check(name: string, value: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new InvalidOptionsError(`retry budget ${name} must be a finite number >= 0, got ${String(value)}`);
  }
  return value;
}
