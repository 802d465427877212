import { S3CredentialsError } from "./errors.ts";

/** An AWS key pair, optionally temporary (STS, SSO, IMDS...). */
export interface S3Keys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Sent as `x-amz-security-token` when present. */
  readonly sessionToken?: string | undefined;
  /** When temporary keys stop working; they are fetched anew shortly before. */
  readonly expiration?: Date | undefined;
}

/**
 * Any function that resolves keys: every AWS SDK v3 credential provider fits
 * (`fromNodeProviderChain()`, `fromIni()`, `fromTemporaryCredentials()`...).
 */
export type S3CredentialProvider = () => Promise<S3Keys>;

/** Static keys, a provider, or `"anonymous"` for public buckets (requests are not signed). */
export type S3CredentialsOption = S3Keys | S3CredentialProvider | "anonymous";

/** Keys are fetched again this long before they expire. */
export const REFRESH_BEFORE_EXPIRY_MS: number = 5 * 60_000;

/** Checks a static key pair given as an option; returns a message when it is unusable. */
export function keysProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null)
    return "must be an object with accessKeyId and secretAccessKey";
  const keys = value as Partial<S3Keys>;
  if (typeof keys.accessKeyId !== "string" || keys.accessKeyId === "") return "needs a non-empty accessKeyId";
  if (typeof keys.secretAccessKey !== "string" || keys.secretAccessKey === "")
    return "needs a non-empty secretAccessKey";
  if (keys.sessionToken !== undefined && typeof keys.sessionToken !== "string")
    return "sessionToken must be a string";
  return undefined;
}

/**
 * Wraps a provider: keys are reused until {@link REFRESH_BEFORE_EXPIRY_MS} before their
 * `expiration` (forever when they have none, as the AWS SDK does), one call serves every
 * concurrent request, and a failure is a typed error that is not cached.
 */
export class CachedProvider {
  readonly #provider: S3CredentialProvider;
  readonly #now: () => number;
  #keys: S3Keys | undefined;
  #pending: Promise<S3Keys> | undefined;

  constructor(provider: S3CredentialProvider, now: () => number) {
    this.#provider = provider;
    this.#now = now;
  }

  get(): Promise<S3Keys> {
    const keys = this.#keys;
    if (
      keys &&
      (keys.expiration === undefined || keys.expiration.getTime() - REFRESH_BEFORE_EXPIRY_MS > this.#now())
    )
      return Promise.resolve(keys);
    this.#pending ??= this.#fetch().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Forgets the cached keys (S3 said they expired or were rejected). */
  invalidate(): void {
    this.#keys = undefined;
  }

  async #fetch(): Promise<S3Keys> {
    let keys: unknown;
    try {
      keys = await this.#provider();
    } catch (cause) {
      // The provider's own message may name a profile or file, never our secrets; keep it as cause.
      throw new S3CredentialsError(
        `the S3 credential provider failed (${cause instanceof Error ? cause.name : typeof cause}); check the provider's configuration`,
        { cause },
      );
    }
    const problem = keysProblem(keys);
    if (problem)
      throw new S3CredentialsError(
        `the S3 credential provider returned keys that are unusable: it ${problem}`,
      );
    const expiration = (keys as S3Keys).expiration;
    if (expiration !== undefined && !(expiration instanceof Date && Number.isFinite(expiration.getTime())))
      throw new S3CredentialsError("the S3 credential provider returned an expiration that is not a Date");
    if (expiration !== undefined && expiration.getTime() <= this.#now())
      throw new S3CredentialsError("the S3 credential provider returned keys that have already expired");
    this.#keys = keys as S3Keys;
    return this.#keys;
  }
}
