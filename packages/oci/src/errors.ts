import type { SwitchyardErrorOptions } from "@switchyard/core";
import { SwitchyardError } from "@switchyard/core";

/** One entry of a registry's JSON error body (`{"errors":[{"code","message","detail"}]}`). */
export interface RegistryErrorEntry {
  /** The registry's code: `MANIFEST_UNKNOWN`, `BLOB_UNKNOWN`, `NAME_UNKNOWN`, `DENIED`, `UNAUTHORIZED`... */
  readonly code: string;
  readonly message: string;
  readonly detail?: unknown;
}

/** Options shared by the registry errors. */
export interface OciErrorOptions extends SwitchyardErrorOptions {
  /** The HTTP status the registry answered, if any. */
  readonly status?: number | undefined;
  /** The registry's JSON errors, if it sent any. */
  readonly registryErrors?: readonly RegistryErrorEntry[] | undefined;
  /** `registry/repository`, for messages. */
  readonly repository?: string | undefined;
  /** The tag or digest asked for. */
  readonly reference?: string | undefined;
}

function describeEntries(entries: readonly RegistryErrorEntry[]): string {
  return entries
    .slice(0, 3)
    .map((e) => (e.message ? `${e.code}: ${e.message}` : e.code))
    .join("; ");
}

/**
 * The registry answered with an error (non-2xx), or broke the protocol. Carries the HTTP status
 * and the registry's error codes (`MANIFEST_UNKNOWN`, `DENIED`...); `transient` for 408, 429 and
 * 5xx so that a retry plugin may try again.
 */
export class OciRegistryError extends SwitchyardError {
  override name = "OciRegistryError";
  /** The code of every OciRegistryError; `instanceof` and `isOciRegistryError` match by it (a subclass's instances carry their own). */
  static readonly code: string = "SWITCHYARD_ERR_OCI_REGISTRY";
  /** HTTP status, or undefined when no response was involved. */
  readonly status: number | undefined;
  /** The registry's JSON errors (empty when the body had none). */
  readonly registryErrors: readonly RegistryErrorEntry[];
  /** `registry/repository`, when known. */
  readonly repository: string | undefined;
  /** The tag or digest asked for, when known. */
  readonly reference: string | undefined;

  constructor(message: string, options: OciErrorOptions = {}, code: string = OciRegistryError.code) {
    const entries = options.registryErrors ?? [];
    const detail = entries.length > 0 ? ` (registry said ${describeEntries(entries)})` : "";
    const status = options.status;
    super(code, `${message}${detail}`, {
      transient: status !== undefined && (status === 408 || status === 429 || status >= 500),
      ...options,
    });
    this.status = status;
    this.registryErrors = Object.freeze([...entries]);
    this.repository = options.repository;
    this.reference = options.reference;
  }

  /** The registry's error codes, e.g. `["MANIFEST_UNKNOWN"]`. */
  get codes(): string[] {
    return this.registryErrors.map((e) => e.code);
  }
}

/** What could not be found. */
export type OciMissing = "manifest" | "blob" | "layer" | "repository";

/**
 * The manifest, blob, layer or repository does not exist (status 404): the message names the
 * repository and the tag or digest.
 */
export class OciNotFoundError extends OciRegistryError {
  override name = "OciNotFoundError";
  /** The code of every OciNotFoundError; `instanceof` and `isOciNotFoundError` match by it. */
  static override readonly code: string = "SWITCHYARD_ERR_OCI_NOT_FOUND";
  readonly missing: OciMissing;

  constructor(missing: OciMissing, message: string, options: OciErrorOptions = {}) {
    super(message, { status: 404, ...options, transient: false }, "SWITCHYARD_ERR_OCI_NOT_FOUND");
    this.missing = missing;
  }
}

/**
 * Authentication failed: the registry or its token endpoint answered 401 or 403 (registry codes
 * `UNAUTHORIZED`, `DENIED`), or the token endpoint answered without a token.
 */
export class OciAuthError extends OciRegistryError {
  override name = "OciAuthError";
  /** The code of every OciAuthError; `instanceof` and `isOciAuthError` match by it. */
  static override readonly code: string = "SWITCHYARD_ERR_OCI_AUTH";
  constructor(message: string, options: OciErrorOptions = {}) {
    super(message, { ...options, transient: false }, "SWITCHYARD_ERR_OCI_AUTH");
  }
}

/** A manifest or index could not be used: invalid JSON, unsupported type, no or several matching entries. */
export class OciManifestError extends SwitchyardError {
  override name = "OciManifestError";
  /** The code of every OciManifestError; `instanceof` and `isOciManifestError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_OCI_MANIFEST";
  constructor(message: string, options: SwitchyardErrorOptions = {}) {
    super("SWITCHYARD_ERR_OCI_MANIFEST", message, options);
  }
}

/** An `oci://` URL that cannot be understood (bad repository name, tag, digest or selector). */
export class OciReferenceError extends SwitchyardError {
  override name = "OciReferenceError";
  /** The code of every OciReferenceError; `instanceof` and `isOciReferenceError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_OCI_REFERENCE";
  constructor(message: string, options: SwitchyardErrorOptions = {}) {
    super("SWITCHYARD_ERR_OCI_REFERENCE", message, {
      ...options,
      transient: false,
    });
  }
}

/** Why a blob's bytes were refused. */
export type DigestMismatchReason = "digest" | "size";

/**
 * The bytes received do not hash to the digest the manifest (or URL) promised, or their length
 * differs from the descriptor's size. The blob stream fails with this error: corrupt bytes are
 * never handed over as a complete body.
 */
export class DigestMismatchError extends SwitchyardError {
  override name = "DigestMismatchError";
  /** The code of every DigestMismatchError; `instanceof` and `isDigestMismatchError` match by it. */
  static readonly code: string = "SWITCHYARD_ERR_OCI_DIGEST_MISMATCH";
  readonly expected: string;
  /** The digest of the bytes received (undefined when the size check failed first). */
  readonly actual: string | undefined;
  readonly reason: DigestMismatchReason;
  readonly expectedSize: number | undefined;
  readonly actualSize: number;

  constructor(
    fields: {
      expected: string;
      actual: string | undefined;
      reason: DigestMismatchReason;
      expectedSize: number | undefined;
      actualSize: number;
    },
    options: SwitchyardErrorOptions = {},
  ) {
    const what =
      fields.reason === "size"
        ? `the blob ${fields.expected} should be ${fields.expectedSize} bytes but ${fields.actualSize} arrived`
        : `the blob's bytes hash to ${fields.actual}, not ${fields.expected}`;
    super(
      "SWITCHYARD_ERR_OCI_DIGEST_MISMATCH",
      `${what}; the download was refused (corrupt or tampered bytes)`,
      { ...options, transient: false },
    );
    this.expected = fields.expected;
    this.actual = fields.actual;
    this.reason = fields.reason;
    this.expectedSize = fields.expectedSize;
    this.actualSize = fields.actualSize;
  }
}

/** Tells whether `value` is an {@link OciRegistryError} (also across duplicate installs, by its code). */
export function isOciRegistryError(value: unknown): value is OciRegistryError {
  return value instanceof OciRegistryError;
}

/** Tells whether `value` is an {@link OciNotFoundError} (also across duplicate installs, by its code). */
export function isOciNotFoundError(value: unknown): value is OciNotFoundError {
  return value instanceof OciNotFoundError;
}

/** Tells whether `value` is an {@link OciAuthError} (also across duplicate installs, by its code). */
export function isOciAuthError(value: unknown): value is OciAuthError {
  return value instanceof OciAuthError;
}

/** Tells whether `value` is an {@link OciManifestError} (also across duplicate installs, by its code). */
export function isOciManifestError(value: unknown): value is OciManifestError {
  return value instanceof OciManifestError;
}

/** Tells whether `value` is an {@link OciReferenceError} (also across duplicate installs, by its code). */
export function isOciReferenceError(value: unknown): value is OciReferenceError {
  return value instanceof OciReferenceError;
}

/** Tells whether `value` is a {@link DigestMismatchError} (also across duplicate installs, by its code). */
export function isDigestMismatchError(value: unknown): value is DigestMismatchError {
  return value instanceof DigestMismatchError;
}
