import { Readable } from "node:stream";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { replayable } from "./body.ts";
import { InvalidRequestError } from "./errors.ts";
import { HttpHeaders } from "./headers.ts";
import { HttpRequest } from "./request.ts";

describe("HttpRequest", () => {
  it("derives a new request and leaves the original untouched", () => {
    const original = new HttpRequest("https://example.test/a?x=1", { headers: { Accept: "text/plain" } });
    const derived = original.with({ url: "https://mirror.test/b", headers: { "X-Extra": "1" } });
    expect(original.url).toBe("https://example.test/a?x=1");
    expect(original.headers.has("x-extra")).toBe(false);
    expect(derived.url).toBe("https://mirror.test/b");
    expect(derived.headers.get("accept")).toBe("text/plain");
    expect(derived.headers.get("x-extra")).toBe("1");
  });

  it("keeps the caller's text in inputUrl when the parser removed dot segments", () => {
    const req = new HttpRequest("oci://reg/org/%2e%2e/../x:1");
    expect(req.url).toBe("oci://reg/x:1");
    expect(req.inputUrl).toBe("oci://reg/org/%2e%2e/../x:1");
    expect(req.with({ headers: { a: "1" } }).inputUrl).toBe("oci://reg/org/%2e%2e/../x:1");
    expect(req.with({ url: "oci://reg/y:1" }).inputUrl).toBe("oci://reg/y:1");
    expect(req.with({ url: "oci://reg/a/./y:1" }).inputUrl).toBe("oci://reg/a/./y:1");
    expect(new HttpRequest("https://x.test/a").inputUrl).toBe("https://x.test/a");
  });

  it("shares headers when they do not change", () => {
    const original = new HttpRequest("https://example.test/", { headers: { a: "1" } });
    expect(original.with({ method: "HEAD" }).headers).toBe(original.headers);
  });

  it("removes a header given as undefined and replaces all when given HttpHeaders", () => {
    const original = new HttpRequest("https://example.test/", { headers: { a: "1", b: "2" } });
    expect([...original.with({ headers: { a: undefined } }).headers]).toEqual([["b", "2"]]);
    expect([...original.with({ headers: HttpHeaders.from({ c: "3" }) }).headers]).toEqual([["c", "3"]]);
  });

  it("keeps the body holder across derivations so a one-shot body is known to be sent", async () => {
    const req = new HttpRequest("https://example.test/", { method: "PUT", body: Readable.from(["x"]) });
    const derived = req.with({ url: "https://other.test/" });
    expect(derived.bodyHolder).toBe(req.bodyHolder);
    expect(req.isReplayable).toBe(true);
    await req.bodyHolder!.open("retry", { method: "PUT", url: req.url });
    expect(derived.isReplayable).toBe(false);
    await expect(
      derived.bodyHolder!.open("a retry needs it", { method: "PUT", url: req.url }),
    ).rejects.toThrow(/a retry needs it, but the request body is a one-shot stream/);
  });

  it.each([
    ["string", "text", true],
    ["bytes", new Uint8Array([1, 2]), true],
    ["Blob", new Blob(["x"]), true],
    ["FormData", new FormData(), true],
    ["URLSearchParams", new URLSearchParams("a=1"), true],
    ["factory", () => Readable.from(["x"]), true],
    ["replayable()", replayable(() => Readable.from(["x"]), { length: 1 }), true],
    ["Readable", Readable.from(["x"]), false],
    ["web stream", new ReadableStream(), false],
    [
      "async iterable",
      (async function* () {
        yield new Uint8Array([1]);
      })(),
      false,
    ],
  ])("classifies a %s body (replayable: %s)", (_kind, body, replayableKind) => {
    const req = new HttpRequest("https://example.test/", { method: "POST", body });
    expect(req.hasReplayableBody).toBe(replayableKind);
  });

  it.each([
    ["an invalid URL", () => new HttpRequest("not a url")],
    ["an invalid method", () => new HttpRequest("https://x.test/", { method: "GE T" })],
    [
      "a header name with a space",
      () => new HttpRequest("https://x.test/", { headers: { "bad name": "1" } }),
    ],
    [
      "a header value with CRLF",
      () => new HttpRequest("https://x.test/", { headers: { a: "1\r\nInjected: 1" } }),
    ],
    ["a number as body", () => new HttpRequest("https://x.test/", { method: "POST", body: 42 as never })],
  ])("rejects %s with InvalidRequestError", (_what, build) => {
    expect(build).toThrow(InvalidRequestError);
  });

  it("never puts URL userinfo into the error for an invalid URL", () => {
    expect(() => new HttpRequest("http://user:hunter2@[bad/")).toThrow(/^(?!.*hunter2)/s);
  });

  it("redacts an unparseable URL in the message and in the wrapped parser error", () => {
    let error: unknown;
    try {
      new HttpRequest("http://user:hunter2@exa mple.com/?access_token=SECRET-TOKEN");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidRequestError);
    const seen = [
      inspect(error, { depth: 10 }),
      JSON.stringify(error),
      JSON.stringify((error as Error).cause),
    ];
    for (const text of seen) {
      expect(text).not.toContain("hunter2");
      expect(text).not.toContain("SECRET-TOKEN");
    }
    expect((error as Error).message).toContain("exa mple.com/?access_token=***");
  });

  it("upper-cases standard methods and keeps extension methods as given", () => {
    expect(new HttpRequest("https://x.test/", { method: "post" }).method).toBe("POST");
    expect(new HttpRequest("https://x.test/", { method: "QUERY" }).method).toBe("QUERY");
  });
});
