import { describe, expect, it } from "vitest";
import { type SigV4VerifyOptions, verifySigV4 } from "./sigv4-verify.ts";

// The worked examples of AWS's "Signature Version 4 for S3" documentation (examplebucket, 2013-05-24).
const example = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const credentials = [example];
const now = new Date("2013-05-24T00:00:00Z");
const EMPTY_SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const getObject = {
  method: "GET",
  url: "/test.txt",
  headers: {
    host: "examplebucket.s3.amazonaws.com",
    range: "bytes=0-9",
    "x-amz-content-sha256": EMPTY_SHA,
    "x-amz-date": "20130524T000000Z",
    authorization:
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
      "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date," +
      "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
  },
};

const presigned = {
  method: "GET",
  url:
    "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
    "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
  headers: { host: "examplebucket.s3.amazonaws.com" },
};

describe("verifySigV4", () => {
  it("accepts AWS's GET Object example (with a signed Range header)", () => {
    expect(verifySigV4(getObject, { credentials, region: "us-east-1", now })).toEqual({
      ok: true,
      kind: "header",
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      payloadHash: EMPTY_SHA,
    });
  });

  it("accepts AWS's presigned URL example and rejects it once expired", () => {
    expect(verifySigV4(presigned, { credentials, region: "us-east-1", now })).toMatchObject({
      ok: true,
      kind: "query",
    });
    const later = new Date(now.getTime() + 86401_000);
    expect(verifySigV4(presigned, { credentials, region: "us-east-1", now: later })).toMatchObject({
      ok: false,
      status: 403,
      code: "AccessDenied",
      message: "Request has expired",
    });
  });

  it.each<[string, Partial<SigV4VerifyOptions>, number, string]>([
    [
      "a wrong secret",
      { credentials: [{ ...example, secretAccessKey: "wrong" }] },
      403,
      "SignatureDoesNotMatch",
    ],
    [
      "an unknown key",
      { credentials: [{ accessKeyId: "OTHER", secretAccessKey: "x" }] },
      403,
      "InvalidAccessKeyId",
    ],
    ["another region", { region: "eu-west-1" }, 400, "AuthorizationHeaderMalformed"],
    ["a skewed clock", { now: new Date(now.getTime() + 16 * 60_000) }, 403, "RequestTimeTooSkewed"],
    ["a required session token", { credentials: [{ ...example, sessionToken: "t" }] }, 403, "InvalidToken"],
  ])("rejects %s", (_name, override, status, code) => {
    const result = verifySigV4(getObject, { credentials, region: "us-east-1", now, ...override });
    expect(result).toMatchObject({ ok: false, status, code });
  });

  it.each([
    ["a changed signed header", { range: "bytes=0-10" }, "SignatureDoesNotMatch"],
    ["a changed payload hash", { "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }, "SignatureDoesNotMatch"],
    ["an unsigned x-amz header", { "x-amz-meta-extra": "1" }, "AccessDenied"],
    ["a SigV2 header", { authorization: "AWS AKIAIOSFODNN7EXAMPLE:abc" }, "InvalidRequest"],
  ])("rejects %s", (_name, headers, code) => {
    const result = verifySigV4(
      { ...getObject, headers: { ...getObject.headers, ...headers } },
      { credentials, region: "us-east-1", now },
    );
    expect(result).toMatchObject({ ok: false, code });
  });

  it("includes the canonical request in a SignatureDoesNotMatch failure", () => {
    const result = verifySigV4(
      { ...getObject, url: "/other.txt" },
      { credentials, region: "us-east-1", now },
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.details?.CanonicalRequest).toMatch(/^GET\n\/other\.txt\n\nhost:examplebucket/);
  });

  it("lets unsigned requests through as anonymous", () => {
    expect(
      verifySigV4(
        { method: "GET", url: "/b/k", headers: { host: "h" } },
        { credentials, region: "us-east-1" },
      ),
    ).toEqual({ ok: true, kind: "anonymous", payloadHash: "UNSIGNED-PAYLOAD" });
  });
});

describe("verifySigV4 on malformed input", () => {
  it("answers InvalidURI for malformed percent-encoding instead of throwing", () => {
    const result = verifySigV4({ ...getObject, url: "/bad%zz" }, { credentials, region: "us-east-1", now });
    expect(result).toMatchObject({ ok: false, status: 400, code: "InvalidURI" });
  });
});
