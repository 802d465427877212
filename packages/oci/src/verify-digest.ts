import { pipeline, type Readable, Transform, type TransformCallback } from "node:stream";
import type { SwitchyardErrorOptions } from "@switchyard/core";
import { hashFor } from "./digest.ts";
import { DigestMismatchError } from "./errors.ts";

/** What a blob must hash to. */
export interface ExpectedBlob {
  /** `sha256:<hex>` or `sha512:<hex>`. */
  readonly digest: string;
  /** The descriptor's size, when known: more bytes fail at once, fewer at the end. */
  readonly size?: number | undefined;
}

/**
 * A pass-through stream that hashes the bytes on the fly and fails with a DigestMismatchError
 * instead of ending when they do not match. It holds back the latest chunk until the next one
 * arrives (or the check passes), so a consumer never receives the whole of a corrupt blob and
 * never sees `end` for one; memory stays at one chunk whatever the blob's size.
 */
export function createDigestVerifier(expected: ExpectedBlob, where: SwitchyardErrorOptions = {}): Transform {
  const hash = hashFor(expected.digest);
  let received = 0;
  let pending: Buffer | undefined;
  const mismatch = (actual: string | undefined, reason: "digest" | "size"): DigestMismatchError =>
    new DigestMismatchError(
      { expected: expected.digest, actual, reason, expectedSize: expected.size, actualSize: received },
      where,
    );
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      received += chunk.length;
      if (expected.size !== undefined && received > expected.size) {
        callback(mismatch(undefined, "size"));
        return;
      }
      hash.update(chunk);
      const previous = pending;
      pending = chunk;
      callback(null, previous);
    },
    flush(callback: TransformCallback) {
      if (expected.size !== undefined && received !== expected.size) {
        callback(mismatch(undefined, "size"));
        return;
      }
      const algorithm = expected.digest.slice(0, expected.digest.indexOf(":"));
      const actual = `${algorithm}:${hash.digest("hex")}`;
      if (actual !== expected.digest) {
        callback(mismatch(actual, "digest"));
        return;
      }
      callback(null, pending);
    },
  });
}

/**
 * Pipes `body` through a digest verifier and returns the verifier: reading it reads the body,
 * destroying it destroys the body, and an error on either side reaches the reader.
 */
export function verifyStream(
  body: Readable,
  expected: ExpectedBlob,
  where: SwitchyardErrorOptions = {},
): Readable {
  const verifier = createDigestVerifier(expected, where);
  pipeline(body, verifier, () => {
    // Errors surface on the verifier, which the reader holds.
  });
  return verifier;
}
