import { createHash, type Hash } from "node:crypto";

// Digest algorithms whose bytes this package can check, with their hex lengths (OCI image spec
// "Digests": sha256 and sha512 are registered).
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** Whether `digest` is a `sha256:`/`sha512:` digest this package can verify. */
export function isSupportedDigest(digest: string): boolean {
  return DIGEST.test(digest);
}

/** A hash for the digest's algorithm (`sha256` or `sha512`). */
export function hashFor(digest: string): Hash {
  return createHash(digest.startsWith("sha512:") ? "sha512" : "sha256");
}

/** The digest of `bytes` with the same algorithm as `like` (sha256 by default). */
export function digestOf(bytes: Uint8Array | string, like = "sha256:"): string {
  const algorithm = like.startsWith("sha512:") ? "sha512" : "sha256";
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}
