import { InvalidRequestError, type SwitchyardErrorOptions } from "./errors.ts";

/** A digest algorithm an integrity value may name. */
export type IntegrityAlgorithm = "sha256" | "sha384" | "sha512";

/** One acceptable digest of the body. */
export interface IntegrityDigest {
  readonly algorithm: IntegrityAlgorithm;
  readonly digest: Buffer;
}

/** A parsed integrity value: the body must match one of `digests`, all of the same algorithm. */
export interface ParsedIntegrity {
  /** The strongest algorithm named: the only one checked (as SRI does). */
  readonly algorithm: IntegrityAlgorithm;
  /** The acceptable digests in that algorithm (SRI allows several, e.g. during a key rollover). */
  readonly digests: readonly IntegrityDigest[];
  /** The value as given, for messages. */
  readonly text: string;
}

const SIZES: Readonly<Record<IntegrityAlgorithm, number>> = { sha256: 32, sha384: 48, sha512: 64 };
const STRENGTH: Readonly<Record<IntegrityAlgorithm, number>> = { sha256: 1, sha384: 2, sha512: 3 };
const SRI_TOKEN = /^(sha256|sha384|sha512)-([A-Za-z0-9+/]+={0,2})(\?.*)?$/;
const HEX_TOKEN = /^(sha256|sha384|sha512):([0-9a-fA-F]+)$/;
const OTHER_SRI = /^[a-z0-9]+-/i;

function parseToken(token: string, options: SwitchyardErrorOptions): IntegrityDigest | undefined {
  const sri = SRI_TOKEN.exec(token);
  const hex = sri ? undefined : HEX_TOKEN.exec(token);
  const match = sri ?? hex;
  if (!match) {
    // SRI: entries with an algorithm we do not know are skipped, as browsers and npm skip them.
    if (OTHER_SRI.test(token) && !/^sha(256|384|512)[-:]/i.test(token)) return undefined;
    throw new InvalidRequestError(
      `integrity entry ${JSON.stringify(token)} is neither SRI (sha256-, sha384-, sha512- and base64) nor a digest (sha256:<hex>)`,
      options,
    );
  }
  const algorithm = match[1] as IntegrityAlgorithm;
  const digest = Buffer.from(match[2] ?? "", sri ? "base64" : "hex");
  if (digest.length !== SIZES[algorithm] || (hex && (match[2] ?? "").length !== SIZES[algorithm] * 2)) {
    throw new InvalidRequestError(
      `integrity entry ${JSON.stringify(token)} has a ${algorithm} digest of the wrong length (${SIZES[algorithm]} bytes expected)`,
      options,
    );
  }
  return { algorithm, digest };
}

/**
 * Parses an integrity value: SRI as npm lockfiles and browsers write it (`sha512-<base64>`,
 * several entries separated by blanks, `?options` ignored, unknown algorithms skipped) or a
 * digest as OCI and conda write it (`sha256:<hex>`). Only the strongest algorithm named counts,
 * and the body must match one of its digests (the SRI rule). Throws InvalidRequestError when no
 * usable entry remains or an entry is malformed.
 *
 * @example
 * parseIntegrity("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
 * parseIntegrity("sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC sha512-...")
 */
export function parseIntegrity(value: string, options: SwitchyardErrorOptions = {}): ParsedIntegrity {
  if (typeof value !== "string") throw new InvalidRequestError("integrity must be a string", options);
  const digests: IntegrityDigest[] = [];
  for (const token of value.trim().split(/\s+/)) {
    if (token === "") continue;
    const parsed = parseToken(token, options);
    if (parsed !== undefined) digests.push(parsed);
  }
  if (digests.length === 0) {
    throw new InvalidRequestError(
      `integrity ${JSON.stringify(value)} names no sha256, sha384 or sha512 digest`,
      options,
    );
  }
  let algorithm: IntegrityAlgorithm = "sha256";
  for (const d of digests) if (STRENGTH[d.algorithm] > STRENGTH[algorithm]) algorithm = d.algorithm;
  return { algorithm, digests: digests.filter((d) => d.algorithm === algorithm), text: value };
}

const NEVER: Buffer = Buffer.alloc(0);
const BASE64ISH = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Parses `integrity` as fetch reads it (SRI metadata, as undici's fetch does): tokens separated by
 * spaces, `?options` dropped, tokens whose first six characters are not sha256/sha384/sha512
 * skipped, and never an error. A digest may be base64 or base64url, padded or not; a value that is
 * not the canonical encoding of a digest can never match (fetch compares the encodings). Only the
 * strongest algorithm named counts. `undefined` when no token names a known algorithm: fetch then
 * accepts any body.
 */
export function parseFetchIntegrity(value: string): ParsedIntegrity | undefined {
  const digests: IntegrityDigest[] = [];
  for (const token of value.split(" ")) {
    const expression = token.split("?", 1)[0] as string;
    const algorithm = expression.slice(0, 6);
    if (algorithm !== "sha256" && algorithm !== "sha384" && algorithm !== "sha512") continue;
    const text = expression.slice(7);
    let digest = NEVER;
    if (BASE64ISH.test(text)) {
      const bytes = Buffer.from(text, "base64");
      const canonical = text.replace(/=+$/, "").replaceAll("-", "+").replaceAll("_", "/");
      if (bytes.toString("base64").replace(/=+$/, "") === canonical) digest = bytes;
    }
    digests.push({ algorithm, digest });
  }
  if (digests.length === 0) return undefined;
  let algorithm: IntegrityAlgorithm = "sha256";
  for (const d of digests) if (STRENGTH[d.algorithm] > STRENGTH[algorithm]) algorithm = d.algorithm;
  return { algorithm, digests: digests.filter((d) => d.algorithm === algorithm), text: value };
}
