import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  generatedBodyBytes,
  generatedBodyChunks,
  generatedBodySha256,
  generatedBodyStream,
} from "./generated-body.ts";

const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");

describe("generated bodies", () => {
  it("depend on seed and offset only, not on the chunk size", () => {
    const a = Buffer.concat([...generatedBodyChunks({ size: 100_003, chunk: 7 })]);
    const b = Buffer.concat([...generatedBodyChunks({ size: 100_003, chunk: 65_536 })]);
    expect(a.length).toBe(100_003);
    expect(a.equals(b)).toBe(true);
    expect(generatedBodyBytes({ size: 100_003 }).equals(a)).toBe(true);
  });

  it("share a prefix for one seed and differ across seeds", () => {
    const short = generatedBodyBytes({ size: 1000, seed: "x" });
    const long = generatedBodyBytes({ size: 5000, seed: "x" });
    expect(long.subarray(0, 1000).equals(short)).toBe(true);
    expect(generatedBodyBytes({ size: 1000, seed: "y" }).equals(short)).toBe(false);
    expect(generatedBodyBytes({ size: 1000, seed: 0 }).equals(generatedBodyBytes({ size: 1000 }))).toBe(true);
  });

  it("have no short period (a dropped chunk changes the bytes)", () => {
    const bytes = generatedBodyBytes({ size: 256 * 1024 });
    expect(bytes.subarray(0, 65_536).equals(bytes.subarray(65_536, 131_072))).toBe(false);
    expect(new Set(bytes.subarray(0, 4096)).size).toBeGreaterThan(200);
  });

  it("report the sha256 of exactly the bytes produced", () => {
    for (const size of [0, 1, 65_535, 65_536, 65_537, 300_000]) {
      expect(generatedBodySha256({ size, seed: 3 })).toBe(sha256(generatedBodyBytes({ size, seed: 3 })));
    }
    expect(generatedBodySha256({ size: 0 })).toBe(sha256(Buffer.alloc(0)));
  });

  it("stream lazily: a paused consumer holds only what it pulled", async () => {
    const stream = generatedBodyStream({ size: 1024 * 1024 * 1024, chunk: 65_536 });
    let pulled = 0;
    for await (const chunk of stream) {
      pulled += (chunk as Buffer).length;
      if (pulled >= 4 * 65_536) break;
    }
    // A 1 GiB body was never materialised: the generator was only asked for what was read.
    expect(pulled).toBe(4 * 65_536);
    expect(stream.destroyed).toBe(true);
  });

  it("stream the same bytes as the chunks", async () => {
    const hash = createHash("sha256");
    let size = 0;
    for await (const chunk of generatedBodyStream({ size: 200_000, seed: "s" })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    expect(size).toBe(200_000);
    expect(hash.digest("hex")).toBe(generatedBodySha256({ size: 200_000, seed: "s" }));
  });

  it.each([[{ size: -1 }], [{ size: 1.5 }], [{ size: Number.NaN }], [{ size: 10, chunk: 0 }]])(
    "rejects a bad spec %j",
    (spec) => {
      expect(() => generatedBodySha256(spec)).toThrow(RangeError);
      expect(() => generatedBodyChunks(spec).next()).toThrow(RangeError);
    },
  );
});
