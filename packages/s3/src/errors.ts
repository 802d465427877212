import type { SwitchyardErrorOptions } from "@switchyard/core";
import { SwitchyardError } from "@switchyard/core";

/** What S3 said about a failed request, parsed from its XML error body and headers. */
export interface S3ErrorDetails {
  /** HTTP status of the response. */
  readonly status: number;
  /** S3's error code: `NoSuchKey`, `AccessDenied`, `SignatureDoesNotMatch`... */
  readonly s3Code: string;
  /** S3's own message, if it sent one. */
  readonly s3Message: string | undefined;
  /** `x-amz-request-id` (or `<RequestId>`), for support cases. */
  readonly requestId: string | undefined;
  readonly bucket: string | undefined;
  readonly key: string | undefined;
}

// S3 codes worth another attempt, beyond every 5xx.
const TRANSIENT_CODES = new Set(["SlowDown", "RequestTimeout", "RequestTimeTooSkewed", "ExpiredToken"]);

/**
 * S3 answered with an error. `s3Code` is S3's code (`NoSuchKey`, `AccessDenied`,
 * `SignatureDoesNotMatch`...); `status` the HTTP status. Code `SWITCHYARD_ERR_S3`.
 */
export class S3Error extends SwitchyardError {
  override name = "S3Error";
  /** The code of every S3Error; `instanceof` and `isS3Error` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_S3";
  readonly status: number;
  readonly s3Code: string;
  readonly s3Message: string | undefined;
  readonly requestId: string | undefined;
  readonly bucket: string | undefined;
  readonly key: string | undefined;

  constructor(details: S3ErrorDetails, hint: string, options: SwitchyardErrorOptions = {}) {
    const said = details.s3Message ? `: ${details.s3Message}` : "";
    super("SWITCHYARD_ERR_S3", `S3 answered ${details.status} ${details.s3Code}${said}${hint}`, {
      transient: details.status >= 500 || TRANSIENT_CODES.has(details.s3Code),
      ...options,
    });
    this.status = details.status;
    this.s3Code = details.s3Code;
    this.s3Message = details.s3Message;
    this.requestId = details.requestId;
    this.bucket = details.bucket;
    this.key = details.key;
  }
}

/** A credential provider failed or returned something that is not a key pair. */
export class S3CredentialsError extends SwitchyardError {
  override name = "S3CredentialsError";
  /** The code of every S3CredentialsError; `instanceof` and `isS3CredentialsError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_S3_CREDENTIALS";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_S3_CREDENTIALS", message, options);
  }
}

/** Why the plugin refused to send a request. */
export type S3RequestProblem =
  | "invalid-url"
  | "unsupported-method"
  | "missing-content-length"
  | "unsignable-query";

/**
 * The plugin refused to build an S3 request: a malformed `s3:` URL, a method S3 objects do not
 * support through this plugin, a streamed upload without a known length, or a query parameter
 * the signer cannot sign (`__proto__`).
 * Code `SWITCHYARD_ERR_S3_REQUEST`.
 */
export class S3RequestError extends SwitchyardError {
  override name = "S3RequestError";
  /** The code of every S3RequestError; `instanceof` and `isS3RequestError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_S3_REQUEST";
  readonly problem: S3RequestProblem;
  constructor(problem: S3RequestProblem, message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_S3_REQUEST", message, options);
    this.problem = problem;
  }
}

/** Tells whether `value` is an {@link S3Error}, optionally with the given S3 code. */
export function isS3Error(value: unknown, s3Code?: string): value is S3Error {
  return value instanceof S3Error && (s3Code === undefined || value.s3Code === s3Code);
}

/** Tells whether `value` is an {@link S3CredentialsError} (also across duplicate installs, by its code). */
export function isS3CredentialsError(value: unknown): value is S3CredentialsError {
  return value instanceof S3CredentialsError;
}

/** Tells whether `value` is an {@link S3RequestError} (also across duplicate installs, by its code). */
export function isS3RequestError(value: unknown): value is S3RequestError {
  return value instanceof S3RequestError;
}
