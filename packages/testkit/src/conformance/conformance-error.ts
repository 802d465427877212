import type { SwitchyardErrorOptions } from "@switchyard/core";
import { SwitchyardError } from "@switchyard/core";

/**
 * A conformance check found a fault in the middleware under test. The message says what was
 * observed and what the rule is; `check` names the check.
 */
export class ConformanceError extends SwitchyardError {
  override name = "ConformanceError";
  /** The code of every ConformanceError; `instanceof` and `isConformanceError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_CONFORMANCE";
  /** The id of the failed check, e.g. `"no-mutation"` or `"companion:retry"`. */
  readonly check: string;

  constructor(check: string, message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_CONFORMANCE", `${check}: ${message}`, options);
    this.check = check;
  }
}

/** Tells whether `value` is a {@link ConformanceError}. */
export function isConformanceError(value: unknown): value is ConformanceError {
  return value instanceof ConformanceError;
}
