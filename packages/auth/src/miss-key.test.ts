import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lookupTarget } from "./credential-key.ts";
import { missKey } from "./miss-key.ts";

describe("missKey", () => {
  it.each([
    ["https://A.Example.com:443/x?q=1#f", "https://a.example.com/x"],
    ["https://a.example.com", "https://a.example.com/"],
    ["http://127.0.0.1:8080/a/b/", "http://127.0.0.1:8080/a/b/"],
    ["s3://Bucket/key?versionId=1", "s3://Bucket/key"],
    ["https://a.example.com/#frag?x", "https://a.example.com/"],
  ])("%s is remembered as %s", (url, key) => {
    expect(missKey(url)).toBe(key);
    expect(missKey(new URL(url))).toBe(key);
  });

  it.each([
    "https://user@a.example.com/",
    "https://:pw@a.example.com/x",
    "file:///etc/passwd",
    "mailto:x@y.z",
    "nope",
  ])("never gives a key for %s", (url) => {
    expect(missKey(url)).toBeUndefined();
  });

  it("gives one key only to URLs with one lookup target", () => {
    const url = fc.webUrl({ withQueryParameters: true, withFragments: true });
    fc.assert(
      fc.property(url, url, (a, b) => {
        const ka = missKey(a);
        if (ka === undefined || ka !== missKey(b)) return;
        expect(lookupTarget(a)).toEqual(lookupTarget(b));
      }),
    );
    // Spellings of one host, port and path that parse alike or almost alike.
    const spelled = fc
      .tuple(
        fc.constantFrom("http", "https", "s3", "HTTPS"),
        fc.constantFrom(
          "a.example.com",
          "A.example.com",
          "a.example.com.",
          "b.example.com",
          "10.0.0.1",
          "[::1]",
        ),
        fc.constantFrom("", ":80", ":443", ":8080"),
        fc.constantFrom("/", "/x", "/t/tok/x", "/x/", "/X"),
      )
      .map(([scheme, host, port, path]) => `${scheme}://${host}${port}${path}`);
    fc.assert(
      fc.property(spelled, spelled, (a, b) => {
        const ka = missKey(a);
        if (ka === undefined || ka !== missKey(b)) return;
        expect(lookupTarget(a)).toEqual(lookupTarget(b));
      }),
    );
    // The same property where keys do collide: one URL with different queries and fragments.
    fc.assert(
      fc.property(fc.webUrl(), fc.webQueryParameters(), fc.webFragments(), (base, query, fragment) => {
        const href = new URL(base);
        href.username = "";
        href.password = "";
        const other = `${href.href.split(/[?#]/)[0]}?${query}#${fragment}`;
        expect(missKey(other)).toBe(missKey(href.href));
        expect(lookupTarget(other)).toEqual(lookupTarget(href.href));
      }),
    );
  });
});
