import { GcsTokenError } from "../errors.ts";
import type { AccessToken, GcsTokenProvider, TokenRequest } from "./token-provider.ts";

/** The part of google-auth-library's auth client used here. */
export interface GoogleAuthClientLike {
  getAccessToken(): Promise<{ token?: string | null | undefined }>;
  credentials?: { expiry_date?: number | null | undefined } | undefined;
}

/** The part of google-auth-library's `GoogleAuth` used here. */
export interface GoogleAuthLike {
  getClient(): Promise<GoogleAuthClientLike>;
}

/** Options of {@link googleAuth}. */
export interface GoogleAuthOptions {
  /** A `GoogleAuth` you built; otherwise one is made with the plugin's scopes and `authOptions`. */
  readonly auth?: GoogleAuthLike | undefined;
  /** Options for `new GoogleAuth()` (`keyFile`, `credentials`, `projectId`...); `scopes` is set from the plugin. */
  readonly authOptions?: Readonly<Record<string, unknown>> | undefined;
  /** How google-auth-library is loaded (for bundlers). @default () => import("google-auth-library") */
  readonly importLibrary?: (() => Promise<unknown>) | undefined;
}

const NAME = "google-auth";

async function load(
  importLibrary: () => Promise<unknown>,
): Promise<new (options: Record<string, unknown>) => GoogleAuthLike> {
  let library: unknown;
  try {
    library = await importLibrary();
  } catch (cause) {
    const code = (cause as { code?: unknown } | null)?.code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND")
      throw new GcsTokenError(
        "library-missing",
        NAME,
        "googleAuth() needs the optional peer dependency google-auth-library; install it (npm install google-auth-library) or use serviceAccount() / metadataServer()",
        { cause },
      );
    throw new GcsTokenError("refresh-failed", NAME, "google-auth-library failed to load", { cause });
  }
  const ctor = (library as { GoogleAuth?: unknown } | null)?.GoogleAuth;
  if (typeof ctor !== "function")
    throw new GcsTokenError(
      "library-missing",
      NAME,
      "the loaded google-auth-library has no GoogleAuth export",
    );
  return ctor as new (
    options: Record<string, unknown>,
  ) => GoogleAuthLike;
}

/**
 * Tokens from google-auth-library's `GoogleAuth` (Application Default Credentials: the
 * `GOOGLE_APPLICATION_CREDENTIALS` file, gcloud's user credentials, workload identity, the metadata
 * server...). The library is an optional peer, imported on first use; without it the first
 * request fails with a {@link GcsTokenError} of problem `library-missing`.
 *
 * @example
 * gcs({ auth: googleAuth() }) // Application Default Credentials
 */
export function googleAuth(options: GoogleAuthOptions = {}): GcsTokenProvider {
  const importLibrary = options.importLibrary ?? (() => import("google-auth-library"));
  let client: Promise<GoogleAuthClientLike> | undefined;

  async function makeClient(scopes: readonly string[]): Promise<GoogleAuthClientLike> {
    const auth =
      options.auth ?? new (await load(importLibrary))({ ...options.authOptions, scopes: [...scopes] });
    return auth.getClient();
  }

  return {
    name: NAME,
    async fetchToken({ scopes }: TokenRequest): Promise<AccessToken> {
      client ??= makeClient(scopes);
      let c: GoogleAuthClientLike;
      try {
        c = await client;
      } catch (error) {
        client = undefined;
        if (error instanceof GcsTokenError) throw error;
        throw new GcsTokenError(
          "refresh-failed",
          NAME,
          `GoogleAuth found no usable credentials (${(error as Error)?.name ?? "error"})`,
          {
            cause: error,
          },
        );
      }
      let result: { token?: string | null | undefined };
      try {
        result = await c.getAccessToken();
      } catch (error) {
        throw new GcsTokenError(
          "refresh-failed",
          NAME,
          `GoogleAuth could not get an access token (${(error as Error)?.name ?? "error"})`,
          {
            cause: error,
          },
        );
      }
      if (typeof result?.token !== "string" || result.token === "")
        throw new GcsTokenError("invalid-response", NAME, "GoogleAuth returned no access token");
      const expiry = c.credentials?.expiry_date;
      return { token: result.token, expiresAt: typeof expiry === "number" ? expiry : undefined };
    },
  };
}
