import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { digestOf } from "./digest.ts";
import { DigestMismatchError } from "./errors.ts";
import { createDigestVerifier, verifyStream } from "./verify-digest.ts";

async function collect(stream: Readable): Promise<{ bytes: Buffer; error: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return { bytes: Buffer.concat(chunks), error: undefined };
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
}

const chunksOf = (data: Buffer, size: number) => {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
};

describe("createDigestVerifier", () => {
  it("passes matching bytes through unchanged", async () => {
    const data = Buffer.from("hello, registry");
    const out = await collect(
      verifyStream(Readable.from(chunksOf(data, 4)), { digest: digestOf(data), size: data.length }),
    );
    expect(out.error).toBeUndefined();
    expect(out.bytes.equals(data)).toBe(true);
  });

  it("checks sha512 digests too", async () => {
    const data = Buffer.from("x".repeat(1000));
    const digest = `sha512:${createHash("sha512").update(data).digest("hex")}`;
    const out = await collect(verifyStream(Readable.from([data]), { digest }));
    expect(out.error).toBeUndefined();
  });

  it("fails with DigestMismatchError and never hands over the last chunk of corrupt bytes", async () => {
    const good = Buffer.from("a".repeat(100));
    const bad = Buffer.from(good);
    bad[99] = 0x62;
    const out = await collect(
      verifyStream(Readable.from(chunksOf(bad, 10)), { digest: digestOf(good), size: 100 }),
    );
    expect(out.error).toBeInstanceOf(DigestMismatchError);
    const error = out.error as DigestMismatchError;
    expect(error.code).toBe("SWITCHYARD_ERR_OCI_DIGEST_MISMATCH");
    expect(error.expected).toBe(digestOf(good));
    expect(error.actual).toBe(digestOf(bad));
    expect(error.reason).toBe("digest");
    expect(out.bytes.length).toBeLessThan(100);
  });

  it("fails as soon as more bytes than the size arrive", async () => {
    const data = Buffer.alloc(50);
    const out = await collect(
      verifyStream(Readable.from(chunksOf(data, 10)), { digest: digestOf(data.subarray(0, 20)), size: 20 }),
    );
    expect(out.error).toMatchObject({ reason: "size", expectedSize: 20, actualSize: 30 });
  });

  it("fails on a short body", async () => {
    const data = Buffer.alloc(10);
    const out = await collect(
      verifyStream(Readable.from([data]), { digest: digestOf(Buffer.alloc(20)), size: 20 }),
    );
    expect(out.error).toMatchObject({ reason: "size", expectedSize: 20, actualSize: 10 });
  });

  it("passes the source's own error to the reader", async () => {
    const source = new Readable({
      read() {
        this.destroy(new Error("socket reset"));
      },
    });
    const out = await collect(verifyStream(source, { digest: digestOf("") }));
    expect((out.error as Error).message).toBe("socket reset");
  });

  it("destroys the source when the reader gives up", async () => {
    let destroyed = false;
    const source = new Readable({
      read() {
        this.push(Buffer.alloc(1024));
      },
      destroy(error, callback) {
        destroyed = true;
        callback(error);
      },
    });
    const verified = verifyStream(source, { digest: digestOf("") });
    verified.once("data", () => verified.destroy());
    await new Promise((resolve) => verified.once("close", resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(destroyed).toBe(true);
  });

  it("accepts exactly the bytes of the digest, however they are chunked", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        async (bytes, size, corrupt) => {
          const data = Buffer.from(bytes);
          const sent = Buffer.from(data);
          if (corrupt && sent.length > 0) sent[sent.length >> 1] = (sent[sent.length >> 1]! + 1) & 0xff;
          const verifier = createDigestVerifier({ digest: digestOf(data), size: data.length });
          const received: Buffer[] = [];
          let failed: unknown;
          try {
            await pipeline(
              Readable.from(chunksOf(sent, size)),
              verifier,
              async (source: AsyncIterable<Buffer>) => {
                for await (const chunk of source) received.push(chunk);
              },
            );
          } catch (error) {
            failed = error;
          }
          if (corrupt && sent.length > 0) {
            expect(failed).toBeInstanceOf(DigestMismatchError);
          } else {
            expect(failed).toBeUndefined();
            expect(Buffer.concat(received).equals(data)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
