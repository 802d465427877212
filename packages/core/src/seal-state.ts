import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { InvalidOptionsError } from "./errors.ts";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Checks a sealing key: 32 bytes (AES-256), as a `Uint8Array`/`Buffer` or a base64 string of 32
 * bytes (how it usually arrives from an environment variable or a secret manager). Throws
 * {@link InvalidOptionsError} otherwise (without quoting the key). For plugin factories.
 */
export function checkSealKey(key: Uint8Array | string, option = "sealKey"): Uint8Array {
  const bytes = typeof key === "string" ? Buffer.from(key, "base64") : key;
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== 32) {
    throw new InvalidOptionsError(
      `${option} must be 32 random bytes (a Uint8Array, or base64 of 32 bytes: \`openssl rand -base64 32\`)`,
    );
  }
  return bytes;
}

/**
 * Encrypts `plaintext` (a token) with AES-256-GCM under the caller's 32-byte `key`, so that a
 * shared store never holds a secret in the clear. `context` (usually the state key) is bound as
 * additional authenticated data: a sealed value copied to another key does not open there.
 * The result is `v1.` followed by base64url of a random 96-bit IV, the ciphertext and the tag.
 *
 * @example
 * ```ts
 * const sealed = sealState(key, token, stateKey);
 * await store.set(stateKey, sealed, ttlMs);
 * const token = openState(key, (await store.get(stateKey))?.value ?? "", stateKey);
 * ```
 */
export function sealState(key: Uint8Array | string, plaintext: string, context = ""): string {
  const bytes = checkSealKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", bytes, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url")}`;
}

/**
 * Decrypts what {@link sealState} produced with the same key and context. Answers `undefined`
 * when the value does not open (another key, another context, altered or not sealed at all): a
 * plugin treats it as absent and does its own work, rather than failing a request on shared state.
 */
export function openState(key: Uint8Array | string, sealed: string, context = ""): string | undefined {
  const bytes = checkSealKey(key);
  if (typeof sealed !== "string" || !sealed.startsWith(`${VERSION}.`)) return undefined;
  const raw = Buffer.from(sealed.slice(VERSION.length + 1), "base64url");
  if (raw.byteLength < IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", bytes, raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(raw.subarray(raw.byteLength - TAG_BYTES));
    const body = raw.subarray(IV_BYTES, raw.byteLength - TAG_BYTES);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    return undefined;
  }
}
