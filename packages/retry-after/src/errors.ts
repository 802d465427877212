import type { SwitchyardErrorOptions } from "@switchyard/core";
import { SwitchyardError } from "@switchyard/core";

/**
 * The server asked to wait until a deadline further away than `maxWait`: the call fails at once
 * instead of sleeping. Not transient: retrying before the deadline only meets the same answer.
 */
export class RetryAfterTooLongError extends SwitchyardError {
  override name = "RetryAfterTooLongError";
  /** The code of every RetryAfterTooLongError; `instanceof` and `isRetryAfterTooLongError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_RETRY_AFTER_TOO_LONG";
  /** When the server said the target may be asked again. */
  readonly deadline: Date;
  /** Milliseconds from the failure to the deadline. */
  readonly waitMs: number;
  /** The `maxWait` in force, in milliseconds. */
  readonly maxWait: number;

  constructor(deadline: number, waitMs: number, maxWait: number, options?: SwitchyardErrorOptions) {
    const seconds = Math.ceil(waitMs / 1000);
    super(
      "SWITCHYARD_ERR_RETRY_AFTER_TOO_LONG",
      `the server asked to wait until ${new Date(deadline).toISOString()} (${seconds} s from now), longer than maxWait (${maxWait} ms); try again after that time or raise maxWait`,
      { ...options, transient: false },
    );
    this.deadline = new Date(deadline);
    this.waitMs = waitMs;
    this.maxWait = maxWait;
  }
}

/** Tells whether `value` is a {@link RetryAfterTooLongError} (also across duplicate installs). */
export function isRetryAfterTooLongError(value: unknown): value is RetryAfterTooLongError {
  return value instanceof RetryAfterTooLongError;
}
