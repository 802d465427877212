import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "./errors.ts";
import { parseIntegrity } from "./integrity.ts";
import { IntegrityError } from "./integrity-error.ts";
import { IntegrityStream } from "./integrity-stream.ts";

const BODY = Buffer.from("hello integrity\n");
const sri = (algorithm: string, data: Buffer = BODY): string =>
  `${algorithm}-${createHash(algorithm).update(data).digest("base64")}`;
const hex = (algorithm: string, data: Buffer = BODY): string =>
  `${algorithm}:${createHash(algorithm).update(data).digest("hex")}`;

describe("parseIntegrity", () => {
  it.each([
    ["SRI sha256", sri("sha256"), "sha256", 1],
    ["SRI sha384", sri("sha384"), "sha384", 1],
    ["SRI sha512", sri("sha512"), "sha512", 1],
    ["SRI with options", `${sri("sha512")}?foo=bar`, "sha512", 1],
    ["OCI/conda digest", hex("sha256"), "sha256", 1],
    ["uppercase hex", hex("sha256").toUpperCase().replace("SHA256", "sha256"), "sha256", 1],
    ["sha512 digest", hex("sha512"), "sha512", 1],
    ["strongest wins", `${sri("sha256")} ${sri("sha512")} ${sri("sha384")}`, "sha512", 1],
    ["two alternatives", `${sri("sha512")} ${sri("sha512", Buffer.from("other"))}`, "sha512", 2],
    [
      "unknown algorithms skipped (npm sha1)",
      `sha1-${createHash("sha1").update(BODY).digest("base64")} ${sri("sha256")}`,
      "sha256",
      1,
    ],
    ["blanks around", `  ${sri("sha256")}\n`, "sha256", 1],
  ] as const)("%s", (_name, value, algorithm, count) => {
    const parsed = parseIntegrity(value);
    expect(parsed.algorithm).toBe(algorithm);
    expect(parsed.digests).toHaveLength(count);
  });

  it.each([
    ["empty", ""],
    ["only unknown algorithms", "md5-XUFAKrxLKna5cZ2REBfFkg=="],
    ["short base64", "sha256-AAAA"],
    ["short hex", "sha256:abcd"],
    ["not base64", "sha512-!!!!"],
    ["no algorithm", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"],
    ["sha512 digest with a sha256 length", `sha512:${createHash("sha256").update(BODY).digest("hex")}`],
  ])("refuses %s with InvalidRequestError naming the call", (_name, value) => {
    expect(() => parseIntegrity(value, { method: "GET", url: "https://x.test/a" })).toThrow(
      InvalidRequestError,
    );
    expect(() => parseIntegrity(value, { method: "GET", url: "https://x.test/a" })).toThrow(
      /^GET https:\/\/x\.test\/a: /,
    );
  });
});

async function collect(stream: Readable): Promise<{ chunks: Buffer[]; error: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return { chunks, error: undefined };
  } catch (error) {
    return { chunks, error };
  }
}

describe("IntegrityStream", () => {
  const site = { method: "GET", url: "https://x.test/file" };
  const parts = [Buffer.from("hello "), Buffer.from("integ"), Buffer.from("rity\n")];

  it("passes every byte through when a digest matches", async () => {
    const checked = Readable.from(parts).pipe(new IntegrityStream(parseIntegrity(sri("sha384")), site));
    const { chunks, error } = await collect(checked);
    expect(error).toBeUndefined();
    expect(Buffer.concat(chunks).equals(BODY)).toBe(true);
  });

  it("fails instead of ending on a mismatch, and never hands over the last chunk", async () => {
    const expected = `${sri("sha256", Buffer.from("something else"))} ${sri("sha256", Buffer.from("nor this"))}`;
    const stream = new IntegrityStream(parseIntegrity(expected), site);
    const { chunks, error } = await collect(Readable.from(parts).pipe(stream));
    expect(error).toBeInstanceOf(IntegrityError);
    const e = error as IntegrityError;
    expect(e.code).toBe("SWITCHYARD_ERR_INTEGRITY");
    expect(e.transient).toBe(false);
    expect(e.bytes).toBe(BODY.length);
    expect(e.actual).toBe(sri("sha256"));
    expect(e.message).toBe(
      `GET https://x.test/file: the body (${BODY.length} bytes) does not match its integrity: expected ${expected}, got ${sri("sha256")}`,
    );
    // The consumer got at most the chunks before the last one: it never saw the whole body.
    const seen = Buffer.concat(chunks);
    expect(seen.length).toBeLessThanOrEqual(BODY.length - parts.at(-1)!.length);
    expect(BODY.subarray(0, seen.length).equals(seen)).toBe(true);
  });

  it("checks a body that arrives in one chunk without handing any of it over on a mismatch", async () => {
    const stream = new IntegrityStream(parseIntegrity(hex("sha256", Buffer.from("x"))), site);
    const { chunks, error } = await collect(Readable.from([BODY]).pipe(stream));
    expect(error).toBeInstanceOf(IntegrityError);
    expect(chunks).toEqual([]);
  });
});
