import { inspect } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "./errors.ts";
import { HttpRequest } from "./request.ts";
import { parseUrlView } from "./url-view.ts";

const FIELDS = [
  "href",
  "protocol",
  "username",
  "password",
  "host",
  "hostname",
  "port",
  "pathname",
  "search",
  "hash",
  "origin",
] as const;

// Texts the WHATWG parser rewrites in ways a hand-rolled parse would miss; Node's URL is the oracle.
const TEXTS = [
  "http://127.0.0.1:8080/a/b",
  "HTTP://EXAMPLE.test:80/./a/../b/%2e%2e/c",
  "https://example.test:443/",
  "https://example.test:0443/x",
  "http://0x7f.1/",
  "http://[::1]:8080/a b/<c>",
  "https://xn--nxasmq6b.example/",
  "https://ünicode.example/päth",
  "http://example.test\\a\\b",
  "http://example.test/a\t\nb",
  "https://user:pa%20ss@example.test/x",
  "https://example.test/search?q=1&token=abc#frag",
  "https://conda.example/t/tk-123/channel",
  "oci://registry.example/org/image:1",
  "s3://bucket/key with space",
  "file:///tmp/x",
];

function fieldsOf(parts: Record<(typeof FIELDS)[number], string>): Record<string, string> {
  return Object.fromEntries(FIELDS.map((f) => [f, parts[f]]));
}

describe("parseUrlView", () => {
  it("gives the fields Node's URL gives, on the first parse and on every later one", () => {
    for (const text of TEXTS) {
      const oracle = fieldsOf(new URL(text));
      expect(fieldsOf(parseUrlView(text)), text).toEqual(oracle);
      expect(fieldsOf(parseUrlView(text)), text).toEqual(oracle);
      expect(fieldsOf(new HttpRequest(text).urlParts), text).toEqual(oracle);
    }
  });

  it("gives Node's URL fields for generated texts, parsed fresh or from the cache (property)", () => {
    const scheme = fc.constantFrom("http", "HTTPS", "oci", "s3", "ws");
    const host = fc.constantFrom(
      "h.example",
      "H.Example",
      "127.0.0.1",
      "0x7f.1",
      "[::1]",
      "xn--nxasmq6b.example",
    );
    const port = fc.constantFrom("", ":80", ":443", ":0080", ":8080");
    const segment = fc.constantFrom("a", ".", "..", "%2e", "b c", "<d>", "%41", "ü", "e\\f", "g\t");
    fc.assert(
      fc.property(scheme, host, port, fc.array(segment, { maxLength: 5 }), (s, h, p, segments) => {
        const text = `${s}://${h}${p}/${segments.join("/")}`;
        let oracle: Record<string, string> | undefined;
        try {
          oracle = fieldsOf(new URL(text));
        } catch {
          expect(() => parseUrlView(text)).toThrow(InvalidRequestError);
          return;
        }
        expect(fieldsOf(parseUrlView(text))).toEqual(oracle);
        expect(fieldsOf(parseUrlView(text))).toEqual(oracle);
      }),
      { numRuns: 300 },
    );
  });

  it("shares one view between requests made from the same text that carries no secret", () => {
    const a = new HttpRequest("https://shared.example/index.json");
    const b = new HttpRequest("https://shared.example/index.json", { method: "HEAD" });
    expect(b.urlParts).toBe(a.urlParts);
    expect(a.with({ url: "https://shared.example/index.json" }).urlParts).toBe(a.urlParts);
    // A URL object is keyed by its text; changing it afterwards changes nothing already made.
    const object = new URL("https://shared.example/index.json");
    const c = new HttpRequest(object);
    object.pathname = "/changed";
    expect(c.urlParts).toBe(a.urlParts);
    expect(c.url).toBe("https://shared.example/index.json");
    expect(new HttpRequest("https://shared.example/index.json").urlParts.pathname).toBe("/index.json");
  });

  it("keeps no text that may carry a secret: userinfo, a query, a fragment, a conda token", () => {
    for (const text of [
      "https://user:secret-pass@example.test/x",
      "https://example.test/x?access_token=secret-token",
      "https://example.test/x#secret",
      "https://conda.example/t/secret-token/channel",
    ]) {
      expect(parseUrlView(text), text).not.toBe(parseUrlView(text));
    }
  });

  it("keeps no text longer than 2 KiB", () => {
    const long = `https://example.test/${"a".repeat(3000)}`;
    expect(parseUrlView(long)).not.toBe(parseUrlView(long));
    expect(parseUrlView(long).pathname).toBe(new URL(long).pathname);
  });

  it("never prints a URL's userinfo when a view is inspected", () => {
    const request = new HttpRequest("https://user:secret-pass@example.test/x");
    expect(inspect(request.urlParts, { showHidden: true, depth: 5 })).not.toContain("secret-pass");
    expect(JSON.stringify(request.urlParts)).not.toContain("secret-pass");
  });

  it("refuses a text that does not parse, every time, without echoing a secret", () => {
    for (let i = 0; i < 2; i++) {
      let caught: unknown;
      try {
        parseUrlView("https://user:secret-pass@exa mple.test/");
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidRequestError);
      expect(inspect(caught, { depth: 5 })).not.toContain("secret-pass");
    }
    expect(() => parseUrlView("/relative/path")).toThrow(InvalidRequestError);
  });

  it("stays right past its bound: more distinct texts than it keeps, then the first ones again", () => {
    const texts = Array.from({ length: 600 }, (_, i) => `http://127.0.0.1:9/file-${i}.tar.bz2`);
    for (const round of [0, 1]) {
      for (const text of texts) {
        const view = parseUrlView(text);
        expect(view.href, `round ${round}`).toBe(text);
        expect(view.pathname).toBe(new URL(text).pathname);
      }
    }
  });
});
