import type { SwitchyardErrorOptions } from "@switchyard/core";
import { describeCall, SwitchyardError } from "@switchyard/core";

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
  /** HTTP status, or undefined when no response was involved. */
  readonly status: number | undefined;
  /** The registry's JSON errors (empty when the body had none). */
  readonly registryErrors: readonly RegistryErrorEntry[];
  /** `registry/repository`, when known. */
  readonly repository: string | undefined;
  /** The tag or digest asked for, when known. */
  readonly reference: string | undefined;

  constructor(message: string, options: OciErrorOptions = {}, code = "SWITCHYARD_ERR_OCI_REGISTRY") {
    const entries = options.registryErrors ?? [];
    const detail = entries.length > 0 ? ` (registry said ${describeEntries(entries)})` : "";
    const status = options.status;
    super(code, describeCall(options.method, options.url, `${message}${detail}`), {
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
  constructor(message: string, options: OciErrorOptions = {}) {
    super(message, { ...options, transient: false }, "SWITCHYARD_ERR_OCI_AUTH");
  }
}

/** A manifest or index could not be used: invalid JSON, unsupported type, no or several matching entries. */
export class OciManifestError extends SwitchyardError {
  override name = "OciManifestError";
  constructor(message: string, options: SwitchyardErrorOptions = {}) {
    super("SWITCHYARD_ERR_OCI_MANIFEST", describeCall(options.method, options.url, message), options);
  }
}

/** An `oci://` URL that cannot be understood (bad repository name, tag, digest or selector). */
export class OciReferenceError extends SwitchyardError {
  override name = "OciReferenceError";
  constructor(message: string, options: SwitchyardErrorOptions = {}) {
    super("SWITCHYARD_ERR_OCI_REFERENCE", describeCall(options.method, options.url, message), {
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
      describeCall(
        options.method,
        options.url,
        `${what}; the download was refused (corrupt or tampered bytes)`,
      ),
      { ...options, transient: false },
    );
    this.expected = fields.expected;
    this.actual = fields.actual;
    this.reason = fields.reason;
    this.expectedSize = fields.expectedSize;
    this.actualSize = fields.actualSize;
  }
}
