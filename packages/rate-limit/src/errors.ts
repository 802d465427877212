import type { SwitchyardErrorOptions } from "@switchyard/core";
import { SwitchyardError } from "@switchyard/core";

/**
 * The wait for the origin's rate limit (its pause, its pace or the fleet's window) is longer than
 * `maxWait`: the call fails at once, unsent, instead of holding the caller. Not transient:
 * retrying before `sendAt` meets the same limit.
 */
export class RateLimitExceededError extends SwitchyardError {
  override name = "RateLimitExceededError";
  /** The code of every RateLimitExceededError; `instanceof` and `isRateLimitExceededError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_RATE_LIMITED";
  /** The limiter's key (the origin by default). */
  readonly origin: string;
  /** When the request could have gone. */
  readonly sendAt: Date;
  /** Milliseconds it would have waited. */
  readonly waitMs: number;
  /** The `maxWait` in force, in milliseconds. */
  readonly maxWait: number;

  constructor(
    origin: string,
    waitMs: number,
    maxWait: number,
    now: number,
    options?: SwitchyardErrorOptions,
  ) {
    super(
      "SWITCHYARD_ERR_RATE_LIMITED",
      `the rate limit for ${origin} lets the next request go in ${Math.ceil(waitMs)} ms (at ${new Date(now + waitMs).toISOString()}), longer than maxWait (${maxWait} ms); the request was not sent; try again later or raise maxWait`,
      { ...options, transient: false },
    );
    this.origin = origin;
    this.sendAt = new Date(now + waitMs);
    this.waitMs = waitMs;
    this.maxWait = maxWait;
  }
}

/** Tells whether `value` is a {@link RateLimitExceededError} (also across duplicate installs). */
export function isRateLimitExceededError(value: unknown): value is RateLimitExceededError {
  return value instanceof RateLimitExceededError;
}
