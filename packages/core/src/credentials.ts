/** Fields every credential kind may carry. */
export interface CredentialBase {
  /** Allow sending this credential over plain `http:` (default: https only). */
  readonly allowInsecureHttp?: boolean;
}

/** `Authorization: Bearer <token>`. */
export interface BearerCredential extends CredentialBase {
  readonly kind: "bearer";
  readonly token: string;
  /** Epoch milliseconds after which the token must not be sent. */
  readonly expiresAt?: number;
}

/** `Authorization: Basic base64(username:password)`. */
export interface BasicCredential extends CredentialBase {
  readonly kind: "basic";
  readonly username: string;
  readonly password: string;
}

/** A conda channel token, sent as a `/t/<token>` prefix of the path. */
export interface CondaTokenCredential extends CredentialBase {
  readonly kind: "conda-token";
  readonly token: string;
}

/** A custom header such as `X-API-Key`. */
export interface HeaderCredential extends CredentialBase {
  readonly kind: "header";
  readonly name: string;
  readonly value: string;
}

/** AWS-style keys, read by the s3 plugin to sign requests. */
export interface S3Credential extends CredentialBase {
  readonly kind: "s3";
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly region?: string;
  /** Epoch milliseconds after which temporary keys (STS) must not be used. */
  readonly expiresAt?: number;
}

/** What a {@link CredentialStore} can hold for a URL. */
export type Credential =
  | BearerCredential
  | BasicCredential
  | CondaTokenCredential
  | HeaderCredential
  | S3Credential;

/** The credential kinds, for validation and error messages. */
export const CREDENTIAL_KINDS: readonly Credential["kind"][] = Object.freeze([
  "bearer",
  "basic",
  "conda-token",
  "header",
  "s3",
]);

/**
 * Where credentials come from. `@switchyard/auth` implements it; oci, s3 and gcs accept one, so a
 * single store serves every plugin. Implementations must never put a secret in an error message.
 */
export interface CredentialStore {
  /** A short name for events and errors (never a secret). */
  readonly name: string;
  /** The credential for `url` (`https://host/path`, `s3://bucket/key`...), or undefined. */
  get(url: string): Promise<Credential | undefined>;
  /** Called when a credential was rejected (401/403) so refreshable ones can be renewed. */
  invalidate?(url: string, credential: Credential): Promise<void>;
}
