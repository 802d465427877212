import { createHash } from "node:crypto";
import type { Context, HttpRequest } from "@switchyard/core";
import { credentialKey, isSecretHeader } from "@switchyard/core";
import { LRUCache } from "lru-cache";

/** Prefix of every key the cache writes (stores and state stores): `cache:<version>:`. */
export const KEY_PREFIX = "cache:v1:";

// Hashing costs more per call than a no-store request's whole pass through the cache: URLs asked
// for again (the common case) reuse their key. Keyed by the URL itself, held only in this process.
const recentKeys = new LRUCache<string, string>({ max: 2048 });

/**
 * The entry key for `url`: the URL without fragment and userinfo, hashed (sha256), so no URL, and
 * no token in a path or query, is ever written to a store's index or a state store. The URL the
 * caller asked for is used as is (an `oci:`, `s3:` or `gs:` URL before it is resolved).
 */
export function entryKey(url: string): string {
  let key = recentKeys.get(url);
  if (key === undefined) {
    key =
      KEY_PREFIX +
      createHash("sha256")
        .update(`GET ${withoutSecrets(url)}`)
        .digest("hex");
    recentKeys.set(url, key);
  }
  return key;
}

function withoutSecrets(url: string): string {
  const hash = url.indexOf("#");
  const bare = hash === -1 ? url : url.slice(0, hash);
  const at = bare.indexOf("@");
  const slashes = bare.indexOf("//");
  // userinfo sits between "//" and the first "@" before the path.
  if (at === -1 || slashes === -1) return bare;
  const pathStart = bare.indexOf("/", slashes + 2);
  if (pathStart !== -1 && at > pathStart) return bare;
  return bare.slice(0, slashes + 2) + bare.slice(at + 1);
}

/**
 * Who is asking, hashed: the request's credential-bearing headers (Authorization, Cookie, API-key
 * headers), URL userinfo and per-call credentials from the context. `""` for an anonymous request.
 * A stored response is served only to the identity that fetched it, and concurrent fills are joined
 * only within one identity.
 */
export function credentialIdentity(request: HttpRequest, context: Context): string {
  let material = "";
  for (const [name, value] of request.headers) if (isSecretHeader(name)) material += `${name}:${value}\n`;
  const parts = request.urlParts;
  if (parts.username !== "" || parts.password !== "")
    material += `userinfo:${parts.username}:${parts.password}\n`;
  const credential = context.get(credentialKey);
  if (credential !== undefined) material += `credential:${JSON.stringify(credential)}\n`;
  return material === "" ? "" : createHash("sha256").update(material).digest("hex").slice(0, 32);
}
