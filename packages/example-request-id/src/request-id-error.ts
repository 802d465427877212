import type { SwitchyardErrorOptions } from "@switchyard/core";
import { SwitchyardError } from "@switchyard/core";

/**
 * The id generator threw or returned something that cannot be sent as a header value. The
 * message names the method and the redacted URL; the generator's own error is the `cause`.
 */
export class RequestIdError extends SwitchyardError {
  override name = "RequestIdError";
  /** The code of every RequestIdError; `instanceof` and `isRequestIdError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_REQUEST_ID";

  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_REQUEST_ID", message, options);
  }
}

/** Tells whether `value` is a {@link RequestIdError} (also across duplicate installs of core). */
export function isRequestIdError(value: unknown): value is RequestIdError {
  return value instanceof RequestIdError;
}
