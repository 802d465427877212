import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeKey, formatQuery, parseQuery, percentDecode } from "./s3-key.ts";
import { parseS3Url, s3Url } from "./s3-url.ts";

describe("parseS3Url", () => {
  it.each([
    ["s3://bucket/key.txt", "bucket", "key.txt"],
    ["s3://bucket/dir/sub/file", "bucket", "dir/sub/file"],
    ["s3://bucket", "bucket", ""],
    ["s3://bucket/", "bucket", ""],
    ["s3://bucket/my key.txt", "bucket", "my key.txt"],
    ["s3://bucket/my%20key.txt", "bucket", "my key.txt"],
    ["s3://bucket/a+b", "bucket", "a+b"],
    ["s3://bucket/a%2Bb", "bucket", "a+b"],
    ["s3://bucket/caf%C3%A9/%E2%9C%93", "bucket", "café/✓"],
    ["s3://bucket/café/✓", "bucket", "café/✓"],
    ["s3://bucket/100%", "bucket", "100%"],
    ["s3://bucket/a%3Fb%23c", "bucket", "a?b#c"],
    ["s3://bucket//leading", "bucket", "/leading"],
    ["s3://bucket/a//b/", "bucket", "a//b/"],
    ["s3://my.dotted.bucket/k", "my.dotted.bucket", "k"],
    ["s3://bucket/k#fragment", "bucket", "k"],
  ])("%s -> bucket %s, key %j", (url, bucket, key) => {
    const parsed = parseS3Url(url);
    expect(parsed).toMatchObject({ ok: true, location: { bucket, key } });
  });

  it("accepts legacy and S3-compatible names with bucketNames: relaxed", () => {
    expect(parseS3Url("s3://Legacy_Bucket/k", { bucketNames: "relaxed" })).toMatchObject({
      ok: true,
      location: { bucket: "Legacy_Bucket", key: "k" },
    });
    expect(parseS3Url(`s3://${"b".repeat(64)}/k`, { bucketNames: "relaxed" })).toMatchObject({ ok: true });
    expect(parseS3Url("s3://bad..bucket/k", { bucketNames: "relaxed" })).toMatchObject({ ok: false });
  });

  it("says which rule a name breaks and where the escape hatch is", () => {
    expect(parseS3Url("s3://bucket--ol-s3/k")).toMatchObject({
      ok: false,
      detail:
        'bucket name "bucket--ol-s3" ends with the reserved suffix "--ol-s3" (an S3-compatible store that allows it: bucketNames: "relaxed")',
    });
  });

  it.each([
    ["s3:///key", "no-bucket"],
    ["s3://user:pw@bucket/key", "userinfo"],
    ["s3://bucket:9000/key", "port"],
    ["s3://-bucket/key", "bad-bucket"],
    ["s3://a/key", "bad-bucket"],
    ["s3://bad..bucket/key", "bad-bucket"],
    [`s3://${"b".repeat(64)}/key`, "bad-bucket"],
    ["s3://bucket-/key", "bad-bucket"],
    ["s3://192.168.5.4/key", "bad-bucket"],
    ["s3://xn--bucket/key", "bad-bucket"],
    ["s3://Legacy_Bucket/k", "bad-bucket"],
    ["s3://bucket/%FF%FE", "bad-encoding"],
    ["s3://bucket/k?x=%FF", "bad-encoding"],
  ])("refuses %s (%s)", (url, problem) => {
    expect(parseS3Url(url)).toMatchObject({ ok: false, problem });
  });

  it("keeps query parameters in order with + as a literal plus", () => {
    const parsed = parseS3Url("s3://bucket/k?versionId=a+b%2Fc&response-content-type=text%2Fplain&flag");
    expect(parsed.ok && parsed.location.query).toEqual([
      { name: "versionId", value: "a+b/c" },
      { name: "response-content-type", value: "text/plain" },
      { name: "flag", value: undefined },
    ]);
  });
});

describe("encodeKey", () => {
  it.each([
    ["plain/key.txt", "plain/key.txt"],
    ["my key", "my%20key"],
    ["a+b", "a%2Bb"],
    ["café", "caf%C3%A9"],
    ["100%", "100%25"],
    ["a?b#c&d=e", "a%3Fb%23c%26d%3De"],
    ["(x)!*'", "%28x%29%21%2A%27"],
    ["~-._", "~-._"],
    ["😀", "%F0%9F%98%80"],
  ])("%j -> %s", (key, encoded) => {
    expect(encodeKey(key)).toBe(encoded);
  });
});

// Keys that a URL can carry: WHATWG parsing removes `.` and `..` segments, even encoded ones.
const urlSafeKey = fc
  .string({ unit: "grapheme", maxLength: 40 })
  .filter((k) => !k.split("/").some((s) => s === "." || s === ".." || /^(%2e|\.)+$/i.test(s)));

describe("s3 URL properties", () => {
  it("s3Url then parseS3Url gives back the bucket and key", () => {
    fc.assert(
      fc.property(urlSafeKey, (key) => {
        const parsed = parseS3Url(s3Url("bucket-1", key));
        expect(parsed).toEqual({ ok: true, location: { bucket: "bucket-1", key, query: [] } });
      }),
    );
  });

  it("the encoded key holds only unreserved characters, / and %XX", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (key) => {
        const encoded = encodeKey(key);
        expect(encoded).toMatch(/^(?:[A-Za-z0-9\-._~/]|%[0-9A-F]{2})*$/);
        expect(percentDecode(encoded)).toBe(key);
      }),
    );
  });

  it("an encoded path survives WHATWG URL parsing unchanged", () => {
    fc.assert(
      fc.property(urlSafeKey, (key) => {
        const path = `/bucket/${encodeKey(key)}`;
        expect(new URL(`https://example.com${path}`).pathname).toBe(path);
      }),
    );
  });

  it("formatQuery then parseQuery is the identity", () => {
    const param = fc.record({
      name: fc.string({ unit: "grapheme", minLength: 1, maxLength: 10 }),
      value: fc.option(fc.string({ unit: "grapheme", maxLength: 10 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(param, { maxLength: 5 }), (params) => {
        expect(parseQuery(formatQuery(params))).toEqual(params);
      }),
    );
  });

  it("parseS3Url never throws on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (tail) => {
        const result = parseS3Url(`s3://${tail}`);
        expect(typeof result.ok).toBe("boolean");
      }),
    );
  });
});
