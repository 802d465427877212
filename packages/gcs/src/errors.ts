import type { SwitchyardErrorOptions } from "@switchyard/core";
import { SwitchyardError } from "@switchyard/core";

/** What GCS said about a failed request. */
export interface GcsErrorDetails {
  readonly status: number;
  /** The JSON API's `errors[0].reason` (`required`, `authError`, `notFound`...) or the XML API's `<Code>`. */
  readonly reason: string;
  /** GCS's message, if any. */
  readonly gcsMessage: string | undefined;
  readonly bucket: string | undefined;
  readonly object: string | undefined;
}

/** GCS answered with an error (4xx/5xx). Code `SWITCHYARD_ERR_GCS`. */
export class GcsError extends SwitchyardError {
  override name = "GcsError";
  /** The code of every GcsError; `instanceof` and `isGcsError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_GCS";
  readonly status: number;
  readonly reason: string;
  readonly gcsMessage: string | undefined;
  readonly bucket: string | undefined;
  readonly object: string | undefined;

  constructor(details: GcsErrorDetails, hint: string, options: SwitchyardErrorOptions = {}) {
    const said = details.gcsMessage ? `: ${details.gcsMessage}` : "";
    super("SWITCHYARD_ERR_GCS", `GCS answered ${details.status} ${details.reason}${said}${hint}`, {
      transient: details.status >= 500 || details.status === 429 || details.status === 408,
      ...options,
    });
    this.status = details.status;
    this.reason = details.reason;
    this.gcsMessage = details.gcsMessage;
    this.bucket = details.bucket;
    this.object = details.object;
  }
}

/** Why a token could not be had. */
export type GcsTokenProblem = "refresh-failed" | "invalid-response" | "expired" | "library-missing";

/**
 * No usable access token: the token endpoint, metadata server or google-auth-library failed,
 * answered something unusable, or google-auth-library is not installed.
 * Code `SWITCHYARD_ERR_GCS_TOKEN`. Never carries the key, the assertion or a token.
 */
export class GcsTokenError extends SwitchyardError {
  override name = "GcsTokenError";
  /** The code of every GcsTokenError; `instanceof` and `isGcsTokenError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_GCS_TOKEN";
  readonly problem: GcsTokenProblem;
  /** The provider's name (`service-account`, `metadata-server`...). */
  readonly provider: string;
  /** The message without the call and provider prefix. */
  readonly detail: string;
  constructor(problem: GcsTokenProblem, provider: string, message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_GCS_TOKEN", `${provider}: ${message}`, {
      transient: problem === "refresh-failed",
      ...options,
    });
    this.problem = problem;
    this.provider = provider;
    this.detail = message;
  }
}

/** Why the plugin refused to build a request. */
export type GcsRequestProblem = "invalid-url" | "unsupported-method";

/** A malformed `gs:` URL or a method the chosen API does not serve. Code `SWITCHYARD_ERR_GCS_REQUEST`. */
export class GcsRequestError extends SwitchyardError {
  override name = "GcsRequestError";
  /** The code of every GcsRequestError; `instanceof` and `isGcsRequestError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_GCS_REQUEST";
  readonly problem: GcsRequestProblem;
  constructor(problem: GcsRequestProblem, message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_GCS_REQUEST", message, options);
    this.problem = problem;
  }
}

/** Tells whether `value` is a {@link GcsError} (also across duplicate installs, by its code). */
export function isGcsError(value: unknown): value is GcsError {
  return value instanceof GcsError;
}

/** Tells whether `value` is a {@link GcsTokenError} (also across duplicate installs, by its code). */
export function isGcsTokenError(value: unknown): value is GcsTokenError {
  return value instanceof GcsTokenError;
}

/** Tells whether `value` is a {@link GcsRequestError} (also across duplicate installs, by its code). */
export function isGcsRequestError(value: unknown): value is GcsRequestError {
  return value instanceof GcsRequestError;
}
