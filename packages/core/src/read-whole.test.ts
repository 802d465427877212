import { Readable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SwitchyardError } from "./errors.ts";
import { HttpResponse } from "./response.ts";

// Bodies that are not undici's (a cache hit, a decompressed stream): read by read-whole.ts. Node's
// own fetch `Response` is the oracle for what the bytes decode to.
const respond = (chunks: unknown[]) =>
  new HttpResponse({ status: 200, url: "http://127.0.0.1:9/", body: Readable.from(chunks) });

const split = (bytes: Uint8Array, cuts: number[]): Uint8Array[] => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    parts.push(bytes.subarray(from, p));
    from = p;
  }
  parts.push(bytes.subarray(from));
  return parts.filter((p) => p.length > 0);
};

describe("reading a whole body that is not undici's", () => {
  it("decodes text as fetch does, however the bytes are split (BOM dropped, bad bytes replaced)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 64 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        async (raw, cuts, bom) => {
          const bytes = bom ? Uint8Array.from([0xef, 0xbb, 0xbf, ...raw]) : raw;
          const expected = await new Response(bytes).text();
          expect(await respond(split(bytes, cuts)).text()).toBe(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("splits a multi-byte character across chunks without replacing it", async () => {
    const euro = Buffer.from("€uro ✓", "utf8");
    expect(await respond([euro.subarray(0, 1), euro.subarray(1, 2), euro.subarray(2)]).text()).toBe("€uro ✓");
  });

  it("gives arrayBuffer() and bytes() their own buffer, exactly the body's size", async () => {
    const source = Buffer.from("remembered by a cache");
    const ab = await respond([source]).arrayBuffer();
    expect(ab.byteLength).toBe(source.length);
    new Uint8Array(ab).fill(0);
    expect(source.toString()).toBe("remembered by a cache");

    const bytes = await respond([source.subarray(0, 5), source.subarray(5)]).bytes();
    expect(bytes.buffer.byteLength).toBe(source.length);
    expect(Buffer.from(bytes).equals(source)).toBe(true);
    bytes.fill(0);
    expect(source.toString()).toBe("remembered by a cache");
  });

  it("reads string chunks as UTF-8 and an empty body as empty", async () => {
    expect(Buffer.from(await respond(["a", "é"]).bytes()).toString()).toBe("aé");
    expect((await respond([]).arrayBuffer()).byteLength).toBe(0);
    expect(await respond([]).text()).toBe("");
  });

  it("rejects a body that yields something other than bytes or strings, with a typed error", async () => {
    const failed = await respond([Buffer.from("ok"), { not: "bytes" }])
      .arrayBuffer()
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(SwitchyardError);
    expect((failed as Error).cause).toBeInstanceOf(TypeError);
  });

  it("parses json() and rejects bad JSON with a typed error caused by the SyntaxError", async () => {
    expect(await respond(['{"a":', "[1,2]}"]).json()).toEqual({ a: [1, 2] });
    const bad = await respond(["{nope"])
      .json()
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(SwitchyardError);
    expect((bad as Error).cause).toBeInstanceOf(SyntaxError);
  });

  it("rejects with a typed error when the body fails or is destroyed before its end", async () => {
    // A body that sends a little, then is destroyed (with `error`, or without: a premature close).
    const cutShort = (error?: Error) => {
      const body = new Readable({ read() {} });
      body.push("partial");
      setImmediate(() => body.destroy(error));
      return new HttpResponse({ status: 200, url: "http://127.0.0.1:9/", body });
    };
    const failed = await cutShort(new Error("connection reset mid-body"))
      .arrayBuffer()
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(SwitchyardError);
    expect((failed as Error).cause).toMatchObject({ message: "connection reset mid-body" });

    const closed = await cutShort()
      .text()
      .catch((e: unknown) => e);
    expect(closed).toBeInstanceOf(SwitchyardError);
    expect((closed as Error).cause).toMatchObject({ code: "ERR_STREAM_PREMATURE_CLOSE" });
  });
});
