import { describe, expect, it } from "vitest";
import { AwsChunkedError, type AwsChunkedTrailers, decodeAwsChunked } from "./aws-chunked-decoder.ts";

async function decode(pieces: string[]): Promise<{ body: string; trailers: Record<string, string> }> {
  const trailers: AwsChunkedTrailers = { values: {} };
  const out: Buffer[] = [];
  async function* source() {
    for (const piece of pieces) yield Buffer.from(piece, "latin1");
  }
  for await (const chunk of decodeAwsChunked(source(), trailers)) out.push(chunk);
  return { body: Buffer.concat(out).toString("latin1"), trailers: trailers.values };
}

const framed = "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";

describe("decodeAwsChunked", () => {
  it("decodes chunks and trailers", async () => {
    expect(await decode([framed])).toEqual({
      body: "hello world",
      trailers: { "x-amz-checksum-crc32": "DUoRhQ==" },
    });
  });

  it("decodes the same body split at every byte boundary", async () => {
    for (let cut = 1; cut < framed.length; cut++) {
      expect((await decode([framed.slice(0, cut), framed.slice(cut)])).body).toBe("hello world");
    }
  });

  it("accepts chunk signatures in size lines", async () => {
    expect(
      (await decode([`3;chunk-signature=${"a".repeat(64)}\r\nabc\r\n0;chunk-signature=x\r\n\r\n`])).body,
    ).toBe("abc");
  });

  it.each([
    ["a bad size line", "zz\r\nabc\r\n0\r\n\r\n"],
    ["a missing CRLF after data", "3\r\nabcX\r\n0\r\n\r\n"],
    ["an early end", "5\r\nhel"],
  ])("rejects %s", async (_name, body) => {
    await expect(decode([body])).rejects.toThrow(AwsChunkedError);
  });
});
