import { describe, expect, it } from "vitest";
import { codeForStatus, parseS3ErrorXml } from "./parse-s3-error.ts";

describe("parseS3ErrorXml", () => {
  it.each([
    [
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a b</Key><RequestId>4442587FB7D0A2F9</RequestId></Error>',
      { code: "NoSuchKey", message: "The specified key does not exist.", requestId: "4442587FB7D0A2F9" },
    ],
    [
      "<Error>\n  <Code>AccessDenied</Code>\n  <Message>Access &amp; more &lt;denied&gt; &#x41;&#66;</Message>\n</Error>",
      { code: "AccessDenied", message: "Access & more <denied> AB", requestId: undefined },
    ],
    [
      "<Error><Code>PermanentRedirect</Code><Message>m</Message><Endpoint>b.s3.eu-west-1.amazonaws.com</Endpoint></Error>",
      { code: "PermanentRedirect", endpoint: "b.s3.eu-west-1.amazonaws.com" },
    ],
    [
      "<Error><Code>AuthorizationHeaderMalformed</Code><Message><![CDATA[bad <region>]]></Message><Region>eu-central-1</Region></Error>",
      { code: "AuthorizationHeaderMalformed", message: "bad <region>", region: "eu-central-1" },
    ],
  ])("reads %#", (xml, expected) => {
    expect(parseS3ErrorXml(xml)).toMatchObject(expected);
  });

  it.each([
    [""],
    ["not xml"],
    ["<Error><Message>no code</Message></Error>"],
    ['{"error":"x"}'],
    ["<Error><Code></Code></Error>"],
  ])("gives undefined for %j", (text) => {
    expect(parseS3ErrorXml(text)).toBeUndefined();
  });

  // Regression: &#1114112; in a 403 body threw RangeError from String.fromCodePoint, so the
  // call failed with SWITCHYARD_ERR_UNKNOWN instead of S3Error.
  it.each([
    ["&#1114112;", "&#1114112;"],
    ["&#x110000;", "&#x110000;"],
    ["&#x7fffffff;", "&#x7fffffff;"],
    ["&#99999999999999999999999;", "&#99999999999999999999999;"],
    ["&#xD800;", "&#xD800;"],
    ["&#57343;", "&#57343;"],
    ["&#x10FFFF;", "\u{10FFFF}"],
    ["&#x1F600;", "\u{1F600}"],
    ["&#xFFFD;", "\uFFFD"],
    ["a&#x110000;b&#65;", "a&#x110000;bA"],
  ])("keeps the character reference %s as written when it names no Unicode scalar value", (ref, text) => {
    expect(
      parseS3ErrorXml(`<Error><Code>AccessDenied</Code><Message>${ref}</Message></Error>`),
    ).toMatchObject({
      code: "AccessDenied",
      message: text,
    });
  });

  it("never returns the string to sign or canonical request S3 echoes", () => {
    const xml =
      "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message><StringToSign>AWS4-HMAC-SHA256 secret-ish</StringToSign><CanonicalRequest>GET /</CanonicalRequest></Error>";
    expect(JSON.stringify(parseS3ErrorXml(xml))).not.toMatch(/secret-ish|CanonicalRequest|GET \//);
  });
});

describe("codeForStatus", () => {
  it.each([
    [404, "NotFound"],
    [403, "Forbidden"],
    [301, "PermanentRedirect"],
    [503, "ServiceUnavailable"],
    [418, "Http418"],
  ])("%i -> %s", (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });
});
