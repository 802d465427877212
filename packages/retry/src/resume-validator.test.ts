import { HttpHeaders } from "@switchyard/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkContinuation, parseContentRange, resumePoint } from "./resume-validator.ts";

const h = (record: Record<string, string>) => HttpHeaders.from(record);
const base = { "accept-ranges": "bytes", "content-length": "1000" };

describe("resumePoint", () => {
  it.each([
    ["a strong ETag", { ...base, etag: '"abc"' }, { validator: '"abc"', isEtag: true, length: 1000 }],
    ["an empty strong ETag", { ...base, etag: '""' }, { validator: '""', isEtag: true, length: 1000 }],
    [
      "Accept-Ranges in a list",
      { ...base, "accept-ranges": "none, Bytes", etag: '"x"' },
      { validator: '"x"', isEtag: true, length: 1000 },
    ],
    [
      "no length",
      { "accept-ranges": "bytes", etag: '"x"' },
      { validator: '"x"', isEtag: true, length: undefined },
    ],
    [
      "identity coding",
      { ...base, etag: '"x"', "content-encoding": "identity" },
      { validator: '"x"', isEtag: true, length: 1000 },
    ],
    [
      "a Last-Modified a second or more before Date",
      { ...base, "last-modified": "Sun, 06 Nov 1994 08:49:37 GMT", date: "Sun, 06 Nov 1994 08:49:38 GMT" },
      { validator: "Sun, 06 Nov 1994 08:49:37 GMT", isEtag: false, length: 1000 },
    ],
  ])("resumes with %s", (_what, headers, expected) => {
    expect(resumePoint(200, h(headers))).toEqual(expected);
  });

  it.each([
    ["a status other than 200", 206, { ...base, etag: '"x"' }],
    ["no Accept-Ranges", 200, { "content-length": "10", etag: '"x"' }],
    ["Accept-Ranges: none", 200, { ...base, "accept-ranges": "none", etag: '"x"' }],
    ["a weak ETag", 200, { ...base, etag: 'W/"x"' }],
    [
      "a weak ETag even with Last-Modified",
      200,
      {
        ...base,
        etag: 'W/"x"',
        "last-modified": "Sun, 06 Nov 1994 08:49:37 GMT",
        date: "Mon, 07 Nov 1994 08:49:37 GMT",
      },
    ],
    ["an unquoted ETag", 200, { ...base, etag: "abc" }],
    ["a gzip body", 200, { ...base, etag: '"x"', "content-encoding": "gzip" }],
    ["no validator", 200, base],
    ["Last-Modified without Date", 200, { ...base, "last-modified": "Sun, 06 Nov 1994 08:49:37 GMT" }],
    [
      "Last-Modified equal to Date (weak, §8.8.2.2)",
      200,
      { ...base, "last-modified": "Sun, 06 Nov 1994 08:49:37 GMT", date: "Sun, 06 Nov 1994 08:49:37 GMT" },
    ],
    [
      "an unparseable Last-Modified",
      200,
      { ...base, "last-modified": "yesterday", date: "Sun, 06 Nov 1994 08:49:37 GMT" },
    ],
  ])("does not resume with %s", (_what, status, headers) => {
    expect(resumePoint(status, h(headers))).toBeUndefined();
  });
});

describe("parseContentRange", () => {
  it.each([
    ["bytes 0-499/1000", { first: 0, last: 499, complete: 1000 }],
    ["bytes 500-999/1000", { first: 500, last: 999, complete: 1000 }],
    ["bytes 500-999/*", { first: 500, last: 999, complete: undefined }],
    [" bytes 7-7/8 ", { first: 7, last: 7, complete: 8 }],
  ])("reads %j", (value, expected) => {
    expect(parseContentRange(value)).toEqual(expected);
  });

  it.each([
    [undefined],
    [""],
    ["bytes */1000"],
    ["bytes 500-499/1000"],
    ["bytes 0-1000/1000"],
    ["items 0-1/2"],
    ["bytes 0-1"],
    ["bytes -1-5/10"],
    ["bytes 1.5-2/3"],
    [`bytes 0-${"9".repeat(20)}/*`],
  ])("refuses %j", (value) => {
    expect(parseContentRange(value)).toBeUndefined();
  });

  it("never throws, and whatever it accepts is a well-formed range", () => {
    const anyRange = fc.oneof(
      fc.string(),
      fc.tuple(fc.nat(), fc.nat(), fc.option(fc.nat())).map(([a, b, c]) => `bytes ${a}-${b}/${c ?? "*"}`),
    );
    fc.assert(
      fc.property(anyRange, (s) => {
        const r = parseContentRange(s);
        return r === undefined || (r.first <= r.last && (r.complete === undefined || r.last < r.complete));
      }),
    );
  });
});

describe("checkContinuation", () => {
  const point = { validator: '"v1"', isEtag: true, length: 1000 };
  it("accepts the exact continuation", () => {
    expect(
      checkContinuation(point, 400, h({ "content-range": "bytes 400-999/1000", etag: '"v1"' })),
    ).toBeUndefined();
    expect(checkContinuation(point, 400, h({ "content-range": "bytes 400-999/*" }))).toBeUndefined();
  });

  it.each([
    ["no Content-Range", {}, /no valid Content-Range/],
    ["another start", { "content-range": "bytes 0-999/1000" }, /starts at byte 0, not 400/],
    ["another length", { "content-range": "bytes 400-1199/1200" }, /now 1200 bytes long, not 1000/],
    ["a short range", { "content-range": "bytes 400-499/1000" }, /ends at byte 499/],
    ["another ETag", { "content-range": "bytes 400-999/1000", etag: '"v2"' }, /ETag changed/],
  ])("refuses %s", (_what, headers, message) => {
    expect(checkContinuation(point, 400, h(headers))).toMatch(message);
  });
});
