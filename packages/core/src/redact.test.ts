import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redactHeaders, redactSecrets, redactUrl } from "./redact.ts";

describe("redactUrl", () => {
  it.each([
    ["https://user:pass@host.test/x", "https://***@host.test/x"],
    [
      "https://host.test/x?X-Amz-Signature=abc&X-Amz-Credential=k&a=1",
      "https://host.test/x?X-Amz-Signature=***&X-Amz-Credential=***&a=1",
    ],
    ["https://host.test/x?token=abc", "https://host.test/x?token=***"],
    [
      "https://conda.test/t/tk-123/channel/noarch/repodata.json",
      "https://conda.test/t/***/channel/noarch/repodata.json",
    ],
    ["https://host.test/plain", "https://host.test/plain"],
    ["s3://bucket/key?X-Amz-Security-Token=zzz", "s3://bucket/key?X-Amz-Security-Token=***"],
  ])("redacts %s", (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it("strips userinfo even from strings that are not URLs", () => {
    expect(redactUrl("//user:secret@[broken")).not.toContain("secret");
  });

  it("never throws and never keeps a password", () => {
    fc.assert(
      fc.property(fc.string(), fc.webUrl({ withQueryParameters: true }), (junk, url) => {
        expect(typeof redactUrl(junk)).toBe("string");
        const withPassword = url.replace("://", "://u:sekretpw1@");
        expect(redactUrl(withPassword)).not.toContain("sekretpw1");
      }),
    );
  });
});

describe("redactHeaders", () => {
  it("keeps the scheme of Authorization and hides secrets", () => {
    expect(
      redactHeaders({
        authorization: "Bearer abc.def",
        "x-api-key": "k",
        cookie: "a=b",
        accept: "text/plain",
      }),
    ).toEqual({ authorization: "Bearer ***", "x-api-key": "***", cookie: "***", accept: "text/plain" });
  });
});

describe("redactSecrets", () => {
  it("replaces every occurrence, longest first", () => {
    expect(redactSecrets("a secret-long and secret", ["secret", "secret-long"])).toBe("a *** and ***");
  });
});
