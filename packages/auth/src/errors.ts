import type { SwitchyardErrorOptions } from "@switchyard/core";
import { SwitchyardError } from "@switchyard/core";

/** What a malformed credential file problem is about. */
export type CredentialFileProblem = "syntax" | "kind" | "value" | "key" | "io" | "duplicate";

/** Options of {@link CredentialFileError}. */
export interface CredentialFileErrorOptions extends SwitchyardErrorOptions {
  /** 1-based line, when the problem has one. */
  readonly line?: number | undefined;
  readonly column?: number | undefined;
}

/**
 * A credentials file (JSON or netrc) is malformed, or could not be read or written. The message
 * names the file and the line; it never quotes the file's content.
 */
export class CredentialFileError extends SwitchyardError {
  override name = "CredentialFileError";
  /** The code of every CredentialFileError; `instanceof` and `isCredentialFileError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_AUTH_FILE";
  /** The file's path. */
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly problem: CredentialFileProblem;

  constructor(
    file: string,
    problem: CredentialFileProblem,
    message: string,
    options: CredentialFileErrorOptions = {},
  ) {
    const where =
      options.line === undefined
        ? file
        : `${file}:${options.line}${options.column === undefined ? "" : `:${options.column}`}`;
    super("SWITCHYARD_ERR_AUTH_FILE", `${where}: ${message}`, options);
    this.file = file;
    this.line = options.line;
    this.column = options.column;
    this.problem = problem;
  }
}

/** A credential that may only be sent over https was found for a plain-http URL (`onInsecureHttp: "error"`). */
export class InsecureCredentialError extends SwitchyardError {
  override name = "InsecureCredentialError";
  /** The code of every InsecureCredentialError; `instanceof` and `isInsecureCredentialError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_AUTH_INSECURE";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_AUTH_INSECURE", message, options);
  }
}

/** The only credential for a URL has expired (and nothing could refresh it). */
export class CredentialExpiredError extends SwitchyardError {
  override name = "CredentialExpiredError";
  /** The code of every CredentialExpiredError; `instanceof` and `isCredentialExpiredError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_AUTH_EXPIRED";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_AUTH_EXPIRED", message, options);
  }
}

/** A token refresh callback failed or returned something unusable. */
export class TokenRefreshError extends SwitchyardError {
  override name = "TokenRefreshError";
  /** The code of every TokenRefreshError; `instanceof` and `isTokenRefreshError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_AUTH_REFRESH";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_AUTH_REFRESH", message, options);
  }
}

/** The keyring store was used but `@napi-rs/keyring` is not installed, or the OS keyring failed. */
export class KeyringUnavailableError extends SwitchyardError {
  override name = "KeyringUnavailableError";
  /** The code of every KeyringUnavailableError; `instanceof` and `isKeyringUnavailableError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_AUTH_KEYRING_UNAVAILABLE";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_AUTH_KEYRING_UNAVAILABLE", message, options);
  }
}

/** A credential store failed while looking up a URL (the store's own error is the `cause`). */
export class CredentialStoreError extends SwitchyardError {
  override name = "CredentialStoreError";
  /** The code of every CredentialStoreError; `instanceof` and `isCredentialStoreError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_AUTH_STORE";
  /** The failing store's name. */
  readonly store: string;
  constructor(store: string, message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_AUTH_STORE", message, options);
    this.store = store;
  }
}

/** Tells whether `value` is a {@link CredentialFileError} (also across duplicate installs, by its code). */
export function isCredentialFileError(value: unknown): value is CredentialFileError {
  return value instanceof CredentialFileError;
}

/** Tells whether `value` is an {@link InsecureCredentialError} (also across duplicate installs, by its code). */
export function isInsecureCredentialError(value: unknown): value is InsecureCredentialError {
  return value instanceof InsecureCredentialError;
}

/** Tells whether `value` is a {@link CredentialExpiredError} (also across duplicate installs, by its code). */
export function isCredentialExpiredError(value: unknown): value is CredentialExpiredError {
  return value instanceof CredentialExpiredError;
}

/** Tells whether `value` is a {@link TokenRefreshError} (also across duplicate installs, by its code). */
export function isTokenRefreshError(value: unknown): value is TokenRefreshError {
  return value instanceof TokenRefreshError;
}

/** Tells whether `value` is a {@link KeyringUnavailableError} (also across duplicate installs, by its code). */
export function isKeyringUnavailableError(value: unknown): value is KeyringUnavailableError {
  return value instanceof KeyringUnavailableError;
}

/** Tells whether `value` is a {@link CredentialStoreError} (also across duplicate installs, by its code). */
export function isCredentialStoreError(value: unknown): value is CredentialStoreError {
  return value instanceof CredentialStoreError;
}
