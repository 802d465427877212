import { createHash, type Hash, timingSafeEqual } from "node:crypto";
import diagnosticsChannel from "node:diagnostics_channel";
import { Transform, type TransformCallback } from "node:stream";
import type { ParsedIntegrity } from "./integrity.ts";
import { IntegrityError } from "./integrity-error.ts";

/**
 * `switchyard:core:integrity` `{ method, url, algorithm, ok, bytes, context }` when a body checked
 * against an integrity value ends (URL redacted; digests are not secrets but are left out).
 */
export const integrityChannel: diagnosticsChannel.Channel =
  diagnosticsChannel.channel("switchyard:core:integrity");

/** Where the body came from, for the error and the event. */
export interface IntegritySite {
  readonly method: string;
  /** Already redacted. */
  readonly url: string;
  readonly context?: import("./context.ts").Context;
}

/**
 * A pass-through stream that hashes what flows through it and, at the end, fails with
 * {@link IntegrityError} instead of ending when the digest matches none of `expected`. It holds
 * back the latest chunk until the next one arrives (or the check passes), so a consumer never
 * receives the complete body before the check: memory is one chunk.
 */
export class IntegrityStream extends Transform {
  readonly #expected: ParsedIntegrity;
  readonly #site: IntegritySite;
  readonly #hash: Hash;
  #held: Buffer | undefined;
  #bytes = 0;

  constructor(expected: ParsedIntegrity, site: IntegritySite) {
    super();
    this.#expected = expected;
    this.#site = site;
    this.#hash = createHash(expected.algorithm);
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    this.#hash.update(buf);
    this.#bytes += buf.length;
    const previous = this.#held;
    this.#held = buf;
    done(null, previous);
  }

  override _flush(done: TransformCallback): void {
    const digest = this.#hash.digest();
    const ok = this.#expected.digests.some(
      (d) => d.digest.length === digest.length && timingSafeEqual(d.digest, digest),
    );
    if (integrityChannel.hasSubscribers) {
      integrityChannel.publish({
        method: this.#site.method,
        url: this.#site.url,
        algorithm: this.#expected.algorithm,
        ok,
        bytes: this.#bytes,
        context: this.#site.context,
      });
    }
    if (!ok) {
      this.#held = undefined;
      done(
        new IntegrityError({
          method: this.#site.method,
          url: this.#site.url,
          context: this.#site.context,
          expected: this.#expected.text,
          actual: `${this.#expected.algorithm}-${digest.toString("base64")}`,
          bytes: this.#bytes,
        }),
      );
      return;
    }
    const last = this.#held;
    this.#held = undefined;
    done(null, last);
  }
}
