/** An OAuth2 access token and when it stops working. */
export interface AccessToken {
  readonly token: string;
  /** Epoch milliseconds after which the token must not be sent; undefined = does not expire. */
  readonly expiresAt?: number | undefined;
}

/** What a provider is asked for. */
export interface TokenRequest {
  /** OAuth scopes, e.g. `https://www.googleapis.com/auth/devstorage.read_only`. */
  readonly scopes: readonly string[];
  /** The clock, in epoch milliseconds (providers compute `expiresAt` from it). */
  readonly now: () => number;
}

/**
 * Where bearer tokens come from. The built-ins are {@link staticToken}, {@link serviceAccount},
 * {@link metadataServer} and {@link googleAuth}; any object of this shape works.
 * Implementations must never put the key, an assertion or a token in an error message.
 */
export interface GcsTokenProvider {
  /** A short name for errors and events. */
  readonly name: string;
  /**
   * Whose tokens this provider fetches, for sharing them through `gcs({ stateStore })`: a stable,
   * non-secret string that differs between principals (a service account's email and key id). It is
   * hashed into the state key, never stored as it is. Without it, `gcs()` asks for `tokenIdentity`.
   */
  readonly identity?: string | undefined;
  fetchToken(request: TokenRequest): Promise<AccessToken>;
}

/** The read-only Cloud Storage scope, the default. */
export const READ_ONLY_SCOPE = "https://www.googleapis.com/auth/devstorage.read_only";
/** The read-write Cloud Storage scope, for uploads and deletes. */
export const READ_WRITE_SCOPE = "https://www.googleapis.com/auth/devstorage.read_write";
