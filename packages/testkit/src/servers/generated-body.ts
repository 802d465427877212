import { createCipheriv, createHash } from "node:crypto";
import { Readable } from "node:stream";

/**
 * A deterministic body of any size, produced on the fly: the AES-128-CTR keystream of a key derived
 * from `seed`. The bytes look random (no compression, no repeating period that could hide a dropped or
 * duplicated chunk), depend only on `seed` and the byte offset, and are generated at well over 1 GB/s.
 */
export interface GeneratedBody {
  /** Length in bytes (0 up to `Number.MAX_SAFE_INTEGER`). */
  readonly size: number;
  /**
   * Size of the chunks the body is produced in; it does not change the bytes.
   * @default 65536
   */
  readonly chunk?: number;
  /**
   * Selects the byte sequence; two bodies with the same seed share their common prefix.
   * @default 0
   */
  readonly seed?: string | number;
}

const DEFAULT_CHUNK = 64 * 1024;

/** Throws a `RangeError` for a size or chunk that is not a safe non-negative integer (chunk: positive). */
export function validateGeneratedBody(spec: GeneratedBody): void {
  if (!Number.isSafeInteger(spec.size) || spec.size < 0) {
    throw new RangeError(`generated body size must be a non-negative safe integer, got ${spec.size}`);
  }
  if (spec.chunk !== undefined && (!Number.isSafeInteger(spec.chunk) || spec.chunk <= 0)) {
    throw new RangeError(`generated body chunk must be a positive integer, got ${spec.chunk}`);
  }
}

/**
 * Yields the bytes of a generated body chunk by chunk, lazily: only one chunk exists at a time, so any
 * size streams in constant memory. Each call starts again from byte 0.
 */
export function* generatedBodyChunks(spec: GeneratedBody): Generator<Buffer, void, undefined> {
  validateGeneratedBody(spec);
  const key = createHash("sha256")
    .update(`switchyard-testkit:${spec.seed ?? 0}`)
    .digest()
    .subarray(0, 16);
  const cipher = createCipheriv("aes-128-ctr", key, Buffer.alloc(16));
  const chunk = spec.chunk ?? DEFAULT_CHUNK;
  const zeros = Buffer.alloc(Math.min(chunk, Math.max(spec.size, 1)));
  let left = spec.size;
  while (left > 0) {
    const n = Math.min(left, zeros.length);
    // Encrypting zeros yields the keystream itself; CTR keeps its counter across calls.
    yield cipher.update(n === zeros.length ? zeros : zeros.subarray(0, n));
    left -= n;
  }
}

/**
 * A fresh `Readable` of a generated body, for uploads (`body: generatedBodyStream({ size })`). It
 * produces a chunk only when the consumer asks for one, so it follows backpressure.
 */
export function generatedBodyStream(spec: GeneratedBody): Readable {
  return Readable.from(generatedBodyChunks(spec), { objectMode: false });
}

/** The whole generated body in one buffer; for small sizes only (up to 64 MiB). */
export function generatedBodyBytes(spec: GeneratedBody): Buffer {
  validateGeneratedBody(spec);
  if (spec.size > 64 * 1024 * 1024)
    throw new RangeError("generatedBodyBytes is for bodies up to 64 MiB; stream it");
  return Buffer.concat([...generatedBodyChunks(spec)], spec.size);
}

const digests = new Map<string, string>();

/**
 * The hex sha256 of a generated body, computed by generating it (about 0.5 s per GiB here) and
 * cached per seed and size.
 */
export function generatedBodySha256(spec: GeneratedBody): string {
  validateGeneratedBody(spec);
  const cacheKey = `${spec.seed ?? 0}:${spec.size}`;
  const cached = digests.get(cacheKey);
  if (cached !== undefined) return cached;
  const hash = createHash("sha256");
  for (const chunk of generatedBodyChunks({ ...spec, chunk: 1024 * 1024 })) hash.update(chunk);
  const digest = hash.digest("hex");
  digests.set(cacheKey, digest);
  return digest;
}
