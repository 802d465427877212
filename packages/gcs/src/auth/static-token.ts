import { InvalidOptionsError } from "@switchyard/core";
import type { AccessToken, GcsTokenProvider } from "./token-provider.ts";

/**
 * A fixed access token (from `gcloud auth print-access-token`, a secret manager...). With
 * `expiresAt`, it is refused once expired instead of being sent.
 *
 * @example
 * gcs({ auth: staticToken(token, { expiresAt: Date.now() + 3_000_000 }) })
 */
export function staticToken(
  token: string,
  options: { readonly expiresAt?: number | undefined } = {},
): GcsTokenProvider {
  if (typeof token !== "string" || token === "" || /[\r\n\s]/.test(token))
    throw new InvalidOptionsError("gcs: staticToken() needs a non-empty token without whitespace");
  if (options.expiresAt !== undefined && !Number.isFinite(options.expiresAt))
    throw new InvalidOptionsError("gcs: staticToken() expiresAt must be epoch milliseconds");
  const value: AccessToken = { token, expiresAt: options.expiresAt };
  return { name: "static-token", fetchToken: () => Promise.resolve(value) };
}
