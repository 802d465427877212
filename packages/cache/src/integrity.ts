import { createHash, type Hash } from "node:crypto";

/** The one digest the cache records: sha256, written as Subresource Integrity (`sha256-<base64>`). */
export const INTEGRITY_ALGORITHM = "sha256";

/** A running sha256 over a body. */
export function createDigest(): Hash {
  return createHash(INTEGRITY_ALGORITHM);
}

/** The SRI string of a finished digest. */
export function integrityOf(hash: Hash): string {
  return `${INTEGRITY_ALGORITHM}-${hash.digest("base64")}`;
}

/** Whether `integrity` is a sha256 SRI string this cache writes. */
export function isIntegrity(integrity: string): boolean {
  return /^sha256-[A-Za-z0-9+/]{43}=$/.test(integrity);
}
