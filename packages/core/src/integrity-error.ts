import { SwitchyardError, type SwitchyardErrorOptions } from "./errors.ts";

/** What {@link IntegrityError} adds to the usual error options. */
export interface IntegrityErrorOptions extends SwitchyardErrorOptions {
  /** The integrity value the caller gave. */
  readonly expected: string;
  /** The digest of the bytes received, in SRI form (`sha512-<base64>`). */
  readonly actual: string;
  /** How many bytes were received. */
  readonly bytes: number;
}

/**
 * A response body did not match the call's `integrity`. The body stream fails with it in place of
 * its end, so a caller never sees the whole body as good. Not transient: the same bytes would come
 * again.
 */
export class IntegrityError extends SwitchyardError {
  override name = "IntegrityError";
  /** The code of every IntegrityError; `instanceof` and `isIntegrityError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_INTEGRITY";
  readonly expected: string;
  readonly actual: string;
  readonly bytes: number;
  constructor(options: IntegrityErrorOptions) {
    super(
      "SWITCHYARD_ERR_INTEGRITY",
      `the body (${options.bytes} bytes) does not match its integrity: expected ${options.expected}, got ${options.actual}`,
      { ...options, transient: false },
    );
    this.expected = options.expected;
    this.actual = options.actual;
    this.bytes = options.bytes;
  }
}
