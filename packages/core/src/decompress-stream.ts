import type { Readable } from "node:stream";
import { pipeline, Transform } from "node:stream";
import zlib from "node:zlib";

/** At most this many codings in one Content-Encoding are decoded, as fetch allows. */
export const MAX_CODINGS = 5;

const ZLIB_OPTIONS = Object.freeze({
  // Lenient as fetch and curl are: a body cut after a sync flush still gives what it holds.
  flush: zlib.constants.Z_SYNC_FLUSH,
  finishFlush: zlib.constants.Z_SYNC_FLUSH,
});
const BROTLI_OPTIONS = Object.freeze({
  flush: zlib.constants.BROTLI_OPERATION_FLUSH,
  finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
});

// `deflate` is zlib-wrapped by the RFC, but servers send raw deflate too: the first byte tells.
class Inflate extends Transform {
  #inner: zlib.Inflate | zlib.InflateRaw | undefined;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.#inner === undefined) {
      // A zlib header's first byte has compression method 8 in its low nibble.
      const inner =
        (chunk[0]! & 0x0f) === 0x08 ? zlib.createInflate(ZLIB_OPTIONS) : zlib.createInflateRaw(ZLIB_OPTIONS);
      inner.on("data", (data: Buffer) => {
        if (!this.push(data)) inner.pause();
      });
      inner.on("error", (error: Error) => this.destroy(error));
      this.#inner = inner;
    }
    this.#inner.write(chunk, () => done());
  }

  override _read(size: number): void {
    this.#inner?.resume();
    super._read(size);
  }

  override _flush(done: (error?: Error | null) => void): void {
    const inner = this.#inner;
    if (inner === undefined) {
      done();
      return;
    }
    inner.once("end", () => done());
    inner.end();
    inner.resume();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#inner?.destroy();
    done(error);
  }
}

function decoderFor(coding: string): Transform | undefined {
  switch (coding) {
    case "gzip":
    case "x-gzip":
      return zlib.createGunzip(ZLIB_OPTIONS);
    case "deflate":
      return new Inflate();
    case "br":
      return zlib.createBrotliDecompress(BROTLI_OPTIONS);
    case "zstd":
      // Node's zlib has zstd from 22.15; the window is capped as RFC 9659 asks of HTTP.
      return typeof zlib.createZstdDecompress === "function"
        ? zlib.createZstdDecompress({
            flush: zlib.constants.ZSTD_e_continue,
            finishFlush: zlib.constants.ZSTD_e_end,
            params: { [zlib.constants.ZSTD_d_windowLogMax]: 23 },
          })
        : undefined;
    default:
      return undefined;
  }
}

/** The codings of a Content-Encoding value, lower case, in the order they were applied. */
export function parseCodings(contentEncoding: string): string[] {
  const codings: string[] = [];
  for (const part of contentEncoding.toLowerCase().split(",")) {
    const coding = part.trim();
    if (coding !== "" && coding !== "identity") codings.push(coding);
  }
  return codings;
}

/**
 * Decoders for `codings`, last applied first, as fetch builds them; `undefined` when one of them is
 * not known (the body is then left as the server sent it, as fetch leaves it).
 */
export function decodersFor(codings: readonly string[]): Transform[] | undefined {
  const decoders: Transform[] = [];
  for (let i = codings.length - 1; i >= 0; i--) {
    const decoder = decoderFor(codings[i]!);
    if (decoder === undefined) {
      for (const d of decoders) d.destroy();
      return undefined;
    }
    decoders.push(decoder);
  }
  return decoders;
}

/** Bounds on what a body may decode to. */
export interface DecodeLimits {
  readonly maxBytes?: number | undefined;
  readonly maxRatio?: number | undefined;
}

/** The ratio is only judged past this many decoded bytes: small bodies compress very well too. */
export const RATIO_FLOOR: number = 1024 * 1024;

/**
 * `source` piped through `decoders` (and a guard enforcing `limits`); any failure destroys the
 * returned stream with what `wrap` makes of it, and destroying the result destroys the source.
 */
export function decodeStream(
  source: Readable,
  decoders: Transform[],
  limits: DecodeLimits | undefined,
  wrap: (error: unknown, limit?: "bytes" | "ratio", value?: number) => Error,
): Readable {
  let encoded = 0;
  let decoded = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      decoded += chunk.length;
      const maxBytes = limits?.maxBytes;
      const maxRatio = limits?.maxRatio;
      if (maxBytes !== undefined && decoded > maxBytes) return done(wrap(undefined, "bytes", maxBytes));
      if (maxRatio !== undefined && decoded > RATIO_FLOOR && decoded > encoded * maxRatio) {
        return done(wrap(undefined, "ratio", maxRatio));
      }
      done(null, chunk);
    },
  });
  const meter = (chunk: Buffer): void => {
    encoded += chunk.length;
  };
  if (limits?.maxRatio !== undefined) source.on("data", meter);
  // Registered before pipeline's own handlers: the caller's stream fails with the wrapped error.
  for (const decoder of decoders) {
    decoder.on("error", (error: unknown) => {
      if (!counter.destroyed) counter.destroy(wrap(error));
    });
  }
  return pipeline([source, ...decoders, counter], ignorePipelineResult) as unknown as Readable;
}

function ignorePipelineResult(): void {
  // Errors reach the reader through the returned stream.
}
