import type { SwitchyardErrorOptions } from "@switchyard/core";
import { describeCall, SwitchyardError } from "@switchyard/core";

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
    super(
      "SWITCHYARD_ERR_AUTH_FILE",
      describeCall(options.method, options.url, `${where}: ${message}`),
      options,
    );
    this.file = file;
    this.line = options.line;
    this.column = options.column;
    this.problem = problem;
  }
}

/** A credential that may only be sent over https was found for a plain-http URL (`onInsecureHttp: "error"`). */
export class InsecureCredentialError extends SwitchyardError {
  override name = "InsecureCredentialError";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_AUTH_INSECURE", describeCall(options?.method, options?.url, message), options);
  }
}

/** The only credential for a URL has expired (and nothing could refresh it). */
export class CredentialExpiredError extends SwitchyardError {
  override name = "CredentialExpiredError";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_AUTH_EXPIRED", describeCall(options?.method, options?.url, message), options);
  }
}

/** A token refresh callback failed or returned something unusable. */
export class TokenRefreshError extends SwitchyardError {
  override name = "TokenRefreshError";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_AUTH_REFRESH", describeCall(options?.method, options?.url, message), options);
  }
}

/** The keyring store was used but `@napi-rs/keyring` is not installed, or the OS keyring failed. */
export class KeyringUnavailableError extends SwitchyardError {
  override name = "KeyringUnavailableError";
  constructor(message: string, options?: SwitchyardErrorOptions) {
    super(
      "SWITCHYARD_ERR_AUTH_KEYRING_UNAVAILABLE",
      describeCall(options?.method, options?.url, message),
      options,
    );
  }
}

/** A credential store failed while looking up a URL (the store's own error is the `cause`). */
export class CredentialStoreError extends SwitchyardError {
  override name = "CredentialStoreError";
  /** The failing store's name. */
  readonly store: string;
  constructor(store: string, message: string, options?: SwitchyardErrorOptions) {
    super("SWITCHYARD_ERR_AUTH_STORE", describeCall(options?.method, options?.url, message), options);
    this.store = store;
  }
}
