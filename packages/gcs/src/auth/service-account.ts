import { createPrivateKey, type KeyObject, sign } from "node:crypto";
import { InvalidOptionsError } from "@switchyard/core";
import type { FetchLike } from "./token-endpoint.ts";
import { requestToken } from "./token-endpoint.ts";
import type { AccessToken, GcsTokenProvider, TokenRequest } from "./token-provider.ts";

/** The fields of a service-account key file (`gcloud iam service-accounts keys create`) used here. */
export interface ServiceAccountKey {
  readonly type?: string;
  readonly client_email: string;
  readonly private_key: string;
  readonly private_key_id?: string;
  /** Where the signed JWT is exchanged. @default "https://oauth2.googleapis.com/token" */
  readonly token_uri?: string;
}

/** Options of {@link serviceAccount}. */
export interface ServiceAccountOptions {
  /** A user to impersonate with domain-wide delegation (the JWT's `sub`). @default undefined */
  readonly subject?: string | undefined;
  /** The fetch for token requests. @default globalThis.fetch */
  readonly fetch?: FetchLike | undefined;
}

/** The token endpoint used when a key has no `token_uri`. */
export const GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token";

// Google accepts assertions valid for at most an hour.
const ASSERTION_LIFETIME_S = 3600;

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

function isLoopback(host: string): boolean {
  return host === "127.0.0.1" || host === "[::1]" || host === "localhost";
}

function parseKey(key: ServiceAccountKey | string): {
  key: ServiceAccountKey;
  privateKey: KeyObject;
  tokenUri: string;
} {
  let value: unknown = key;
  if (typeof key === "string") {
    try {
      value = JSON.parse(key);
    } catch {
      throw new InvalidOptionsError(
        "gcs: serviceAccount() needs the key file's JSON (or its parsed object); the string is not JSON",
      );
    }
  }
  const k = value as Partial<ServiceAccountKey> | null;
  if (typeof k !== "object" || k === null)
    throw new InvalidOptionsError("gcs: serviceAccount() needs a key object");
  if (k.type !== undefined && k.type !== "service_account")
    throw new InvalidOptionsError(
      `gcs: serviceAccount() needs a key of type "service_account", got ${JSON.stringify(String(k.type))}`,
    );
  if (typeof k.client_email !== "string" || !k.client_email.includes("@"))
    throw new InvalidOptionsError("gcs: the service-account key has no client_email");
  if (typeof k.private_key !== "string")
    throw new InvalidOptionsError("gcs: the service-account key has no private_key");
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(k.private_key);
  } catch {
    // The key text itself never goes into the message.
    throw new InvalidOptionsError(`gcs: the private_key of ${k.client_email} is not a PEM private key`);
  }
  if (privateKey.asymmetricKeyType !== "rsa")
    throw new InvalidOptionsError(
      `gcs: the private_key of ${k.client_email} is not an RSA key (RS256 needs one)`,
    );
  const tokenUri = k.token_uri ?? GOOGLE_TOKEN_URI;
  let url: URL;
  try {
    url = new URL(tokenUri);
  } catch {
    throw new InvalidOptionsError("gcs: the service-account key's token_uri is not a URL");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url.hostname)))
    throw new InvalidOptionsError(
      "gcs: the service-account key's token_uri must be https (or http on a loopback address)",
    );
  return { key: k as ServiceAccountKey, privateKey, tokenUri };
}

/** Builds the RS256-signed JWT assertion (RFC 7523) for one token request. */
export function signAssertion(
  key: { client_email: string; private_key_id?: string | undefined },
  privateKey: KeyObject,
  claims: { aud: string; scopes: readonly string[]; nowSeconds: number; subject?: string | undefined },
): string {
  const header = { alg: "RS256", typ: "JWT", ...(key.private_key_id ? { kid: key.private_key_id } : {}) };
  const payload = {
    iss: key.client_email,
    scope: claims.scopes.join(" "),
    aud: claims.aud,
    iat: claims.nowSeconds,
    exp: claims.nowSeconds + ASSERTION_LIFETIME_S,
    ...(claims.subject ? { sub: claims.subject } : {}),
  };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${base64url(sign("RSA-SHA256", Buffer.from(input), privateKey))}`;
}

/**
 * Tokens for a service account: a JWT signed with the key (RS256, node:crypto) is exchanged at
 * the key's `token_uri` (which lets tests and private deployments use their own endpoint).
 * The key is checked here, synchronously; it never appears in an error.
 *
 * @example
 * gcs({ auth: serviceAccount(await readFile("key.json", "utf8")) })
 */
export function serviceAccount(
  key: ServiceAccountKey | string,
  options: ServiceAccountOptions = {},
): GcsTokenProvider {
  const parsed = parseKey(key);
  const fetchFn = options.fetch ?? (globalThis.fetch as FetchLike);
  if (typeof fetchFn !== "function")
    throw new InvalidOptionsError("gcs: serviceAccount() fetch must be a function");
  return {
    name: "service-account",
    // The same account, key, impersonated user and token endpoint: the same tokens.
    identity: JSON.stringify([
      "service-account",
      parsed.key.client_email,
      parsed.key.private_key_id ?? "",
      options.subject ?? "",
      parsed.tokenUri,
    ]),
    fetchToken({ scopes, now }: TokenRequest): Promise<AccessToken> {
      const assertion = signAssertion(parsed.key, parsed.privateKey, {
        aud: parsed.tokenUri,
        scopes,
        nowSeconds: Math.floor(now() / 1000),
        subject: options.subject,
      });
      return requestToken({
        provider: "service-account",
        fetch: fetchFn,
        url: parsed.tokenUri,
        init: {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
            assertion,
          }).toString(),
        },
        now,
        secrets: [assertion],
      });
    },
  };
}
