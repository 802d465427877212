import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { redactHeaders, redactSecrets, redactUrl, redactUrlError } from "./redact.ts";

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
    ["https://host.test/cb#access_token=abc&state=1", "https://host.test/cb#access_token=***&state=1"],
    // Strings the URL parser refuses: the same rules on the rough shape.
    ["http://exa mple.com/?access_token=SECRET", "http://exa mple.com/?access_token=***"],
    ["http://u:pw@exa mple.com/x?a=1&sig=S;b=2#c", "http://***@exa mple.com/x?a=1&sig=***;b=2#c"],
    ["http://exa mple.com/t/tk-123/x", "http://exa mple.com/t/***/x"],
    ["http://[::1/x?X-Amz-Signature=abc", "http://[::1/x?X-Amz-Signature=***"],
    ["exa mple.com/?Access%5FToken=SECRET", "exa mple.com/?Access%5FToken=***"],
    ["//user:pw@exa mple.com/?token=SECRET", "//***@exa mple.com/?token=***"],
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

describe("redactUrlError", () => {
  it("redacts the raw input Node's URL parser keeps on its error", () => {
    let error: unknown;
    try {
      new URL("http://u:hunter22@exa mple.com/?access_token=SECRET");
    } catch (e) {
      error = redactUrlError(e);
    }
    expect((error as { input: string }).input).toBe("http://***@exa mple.com/?access_token=***");
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

describe("redactUrl on URLs with nothing to redact (remembered, bounded)", () => {
  it("answers the parser's href, the same the second time and as a URL object", () => {
    for (let i = 0; i < 2; i++) {
      expect(redactUrl("HTTP://Example.COM")).toBe("http://example.com/");
      expect(redactUrl("https://host.test/a/b")).toBe("https://host.test/a/b");
      expect(redactUrl(new URL("https://host.test/a/b"))).toBe("https://host.test/a/b");
    }
  });

  it("still redacts what the parser turns into userinfo, a token segment or a query", () => {
    // `\` is `/` in http URLs, tabs and newlines are dropped: the fast test must not be fooled.
    expect(redactUrl("https://conda.test\\t\\tk-1\\x")).toBe("https://conda.test/t/***/x");
    expect(redactUrl("https://conda.test/\tt/tk-1/x")).toBe("https://conda.test/t/***/x");
    expect(redactUrl("https://conda.test/t/tk-1/x")).toBe("https://conda.test/t/***/x");
    expect(redactUrl("https://u:p@host.test/")).toBe("https://***@host.test/");
  });

  it("gives the same answers past the memo's bound", () => {
    for (let i = 0; i < 1100; i++) expect(redactUrl(`https://h${i}.test/p`)).toBe(`https://h${i}.test/p`);
    expect(redactUrl("https://h0.test/p")).toBe("https://h0.test/p");
  });
});
