// fast-check properties of the S3 error-body parser: it reads back any well-formed document and
// never throws, whatever the server sends.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseS3ErrorXml } from "./parse-s3-error.ts";

const RUNS = { numRuns: 500 };

describe("parseS3ErrorXml (property)", () => {
  const escapeXml = (s: string) =>
    s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const text = fc.string({ maxLength: 30 }).filter((s) => s.trim() === s && s !== "");

  it("reads back code and message of any well-formed error document", () => {
    fc.assert(
      fc.property(text, text, (code, message) => {
        const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message><StringToSign>secret-ish</StringToSign></Error>`;
        const parsed = parseS3ErrorXml(xml);
        expect(parsed?.code).toBe(code);
        expect(parsed?.message).toBe(message);
        expect(JSON.stringify(parsed)).not.toContain("secret-ish");
      }),
      RUNS,
    );
  });

  // Regression (found by this property, fixed in s3 7964af1): a numeric character reference past
  // U+10FFFF (`&#1114112;`) made String.fromCodePoint throw, and the call failed with
  // SWITCHYARD_ERR_UNKNOWN instead of S3Error.
  it("never throws, whatever the server sends", () => {
    const entity = fc.oneof(
      fc.integer({ min: 0, max: 0x7fffffff }).map((n) => `&#${n};`),
      fc.integer({ min: 0, max: 0x7fffffff }).map((n) => `&#x${n.toString(16)};`),
      fc.constantFrom("&amp;", "&lt;", "&bogus;", "&"),
    );
    const inner = fc
      .array(fc.oneof(fc.string({ maxLength: 5 }), entity), { maxLength: 6 })
      .map((p) => p.join(""));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          inner.map((c) => `<Error><Code>${c}</Code><Message>${c}</Message></Error>`),
        ),
        (xml) => {
          parseS3ErrorXml(xml);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
