import type { SwitchyardErrorOptions } from "@switchyard/core";
import { SwitchyardError } from "@switchyard/core";

/** Why retry stopped before the outcome stopped being retryable. */
export type StopReason = "max-retries" | "max-elapsed" | "budget" | "not-replayable";

const ADVICE: Record<StopReason, string> = {
  "max-retries": "retries exhausted; the server may be down: try later or raise maxRetries",
  "max-elapsed": "the next retry would end past maxElapsed; try later or raise maxElapsed",
  budget: "the client's retry budget is spent (many calls failed lately); it refills as calls succeed",
  "not-replayable":
    "the request body is a one-shot stream and cannot be sent again; pass a factory to make it replayable",
};

/**
 * Retries ran out while the server still answered a retryable status, and `onExhausted` is
 * `"throw"`. The response body was discarded; `status` and `attempts` tell what happened.
 */
export class RetriesExhaustedError extends SwitchyardError {
  override name = "RetriesExhaustedError";
  /** The code of every RetriesExhaustedError; `instanceof` and `isRetriesExhaustedError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_RETRIES_EXHAUSTED";
  /** The status of the last response. */
  readonly status: number;
  /** How many attempts were made. */
  readonly attempts: number;
  /** Why retry stopped. */
  readonly reason: StopReason;

  constructor(status: number, attempts: number, reason: StopReason, options?: SwitchyardErrorOptions) {
    super(
      "SWITCHYARD_ERR_RETRIES_EXHAUSTED",
      `still ${status} after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${ADVICE[reason]}`,
      { ...options, transient: false },
    );
    this.status = status;
    this.attempts = attempts;
    this.reason = reason;
  }
}

/**
 * An interrupted download could not be resumed safely: the server answered a range request with
 * 200 (the whole body again, or the resource changed), or with a `Content-Range` or validator that
 * does not continue the bytes already delivered. Appending would corrupt the body, so the body
 * stream fails with this error; fetch the resource again from the start.
 */
export class ResumeError extends SwitchyardError {
  override name = "ResumeError";
  /** The code of every ResumeError; `instanceof` and `isResumeError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_RESUME";
  /** Bytes delivered to the consumer before the interruption. */
  readonly offset: number;

  constructor(message: string, offset: number, options?: SwitchyardErrorOptions) {
    super(
      "SWITCHYARD_ERR_RESUME",
      `cannot resume the download at byte ${offset}: ${message}; not appending, to avoid a corrupt body. Fetch it again from the start`,
      { ...options, transient: false },
    );
    this.offset = offset;
  }
}

/** Tells whether `value` is a {@link RetriesExhaustedError} (also across duplicate installs). */
export function isRetriesExhaustedError(value: unknown): value is RetriesExhaustedError {
  return value instanceof RetriesExhaustedError;
}

/** Tells whether `value` is a {@link ResumeError} (also across duplicate installs). */
export function isResumeError(value: unknown): value is ResumeError {
  return value instanceof ResumeError;
}
