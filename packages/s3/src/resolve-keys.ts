import type { Context, CredentialStore, S3Credential } from "@switchyard/core";
import { credentialKey } from "@switchyard/core";
import type { S3Keys } from "./credentials.ts";
import type { BucketConfig, CredentialSource } from "./s3-options.ts";

/** Where the keys for one request came from, so a rejection can invalidate the right cache. */
export type KeysOrigin =
  | { readonly from: "explicit" }
  | { readonly from: "context" }
  | { readonly from: "keys" }
  | { readonly from: "provider"; readonly invalidate: () => void }
  | {
      readonly from: "store";
      readonly store: CredentialStore;
      readonly url: string;
      readonly credential: S3Credential;
    };

/** Keys for one request (undefined: send unsigned), with their origin and region hint. */
export interface ResolvedKeys {
  readonly keys: S3Keys | undefined;
  readonly origin: KeysOrigin | undefined;
  /** A region carried by a stored credential. */
  readonly region: string | undefined;
}

const ANONYMOUS: ResolvedKeys = { keys: undefined, origin: undefined, region: undefined };

function fromCredential(credential: S3Credential, origin: KeysOrigin): ResolvedKeys {
  return {
    keys: {
      accessKeyId: credential.accessKeyId,
      secretAccessKey: credential.secretAccessKey,
      ...(credential.sessionToken ? { sessionToken: credential.sessionToken } : {}),
    },
    origin,
    region: credential.region,
  };
}

async function fromSource(source: CredentialSource): Promise<ResolvedKeys> {
  switch (source.kind) {
    case "anonymous":
      return ANONYMOUS;
    case "keys":
      return { keys: source.keys, origin: { from: "keys" }, region: undefined };
    case "provider": {
      const provider = source.provider;
      return {
        keys: await provider.get(),
        origin: { from: "provider", invalidate: () => provider.invalidate() },
        region: undefined,
      };
    }
  }
}

async function fromStore(store: CredentialStore, urls: readonly string[]): Promise<ResolvedKeys | undefined> {
  for (const url of urls) {
    const credential = await store.get(url);
    if (credential?.kind === "s3")
      return fromCredential(credential, { from: "store", store, url, credential });
  }
  return undefined;
}

/**
 * Picks the keys for one request. Order: an `s3` credential in the call's context; for buckets on
 * a custom endpoint, the store, then the bucket's or plugin's `credentials`; for AWS, those
 * `credentials` first, then the store. Nothing found means an unsigned (anonymous) request.
 */
export async function resolveKeys(
  context: Context,
  bucket: BucketConfig,
  store: CredentialStore | undefined,
  storeUrls: readonly string[],
): Promise<ResolvedKeys> {
  const perCall = context.get(credentialKey);
  if (perCall?.kind === "s3") return fromCredential(perCall, { from: "context" });
  if (store && !bucket.isDefaultEndpoint) {
    const stored = await fromStore(store, storeUrls);
    if (stored) return stored;
  }
  if (bucket.credentials) return fromSource(bucket.credentials);
  if (store && bucket.isDefaultEndpoint) {
    const stored = await fromStore(store, storeUrls);
    if (stored) return stored;
  }
  return ANONYMOUS;
}
