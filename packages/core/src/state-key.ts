import { createHash } from "node:crypto";
import { InvalidOptionsError } from "./errors.ts";

const NAMESPACE = /^[a-z0-9][a-z0-9-]*(?::[a-z0-9][a-z0-9-]*)*$/;

/**
 * A state-store key for `plugin` (a namespace such as `"retry-after"` or `"oci:token"`) and the
 * identity in `parts`: `<plugin>:<hash>`, the hash being 128 bits of SHA-256 over the parts, so a
 * key never holds a secret, a user name or a URL, whatever the parts hold, and has a fixed length.
 * Subscribe to `<plugin>:` to see every key a plugin writes.
 *
 * @example
 * ```ts
 * stateKey("oci:token", registry, scope, credentialIdentity); // "oci:token:3q2-7w..."
 * ```
 */
export function stateKey(plugin: string, ...parts: readonly string[]): string {
  if (typeof plugin !== "string" || !NAMESPACE.test(plugin)) {
    throw new InvalidOptionsError(
      `stateKey: the namespace must be lowercase words joined by "-" or ":", got ${JSON.stringify(String(plugin))}`,
    );
  }
  const hash = createHash("sha256");
  for (const part of parts) {
    if (typeof part !== "string") throw new InvalidOptionsError("stateKey: every part must be a string");
    // Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
    hash.update(`${part.length}:`).update(part);
  }
  return `${plugin}:${hash.digest().subarray(0, 16).toString("base64url")}`;
}
