import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hostPatterns, lookupTarget, parseKey, pathCovers } from "./credential-key.ts";
import { createMatcher } from "./credential-matcher.ts";

function matcherOf(keys: string[]) {
  return createMatcher(
    keys.map((k) => {
      const parsed = parseKey(k);
      if (!parsed.ok) throw new Error(`bad key in test: ${k}`);
      return { key: parsed.key, value: k };
    }),
  );
}

describe("parseKey", () => {
  it.each([
    ["example.com", "example.com"],
    ["Example.COM", "example.com"],
    ["example.com.", "example.com"],
    ["example.com/", "example.com"],
    ["example.com/a/b/", "example.com/a/b"],
    ["example.com:8443", "example.com:8443"],
    ["https://example.com", "https://example.com"],
    ["HTTPS://Example.com:443/x", "https://example.com:443/x"],
    ["*.example.com", "*.example.com"],
    ["*.Example.com/channel", "*.example.com/channel"],
    ["s3://my-bucket/prefix", "s3://my-bucket/prefix"],
    ["127.0.0.1:5000", "127.0.0.1:5000"],
    ["[::1]:5000", "[::1]:5000"],
    ["[0:0::1]", "[::1]"],
    ["bücher.example", "xn--bcher-kva.example"],
    ["  example.com  ", "example.com"],
  ])("normalises %s to %s", (input, text) => {
    const parsed = parseKey(input);
    expect(parsed.ok && parsed.key.text).toBe(text);
  });

  it.each([
    ["", "empty"],
    ["*", "wildcard"],
    ["a.*.example.com", "wildcard"],
    ["*.127.0.0.1", "IP"],
    ["example.com:0", "port"],
    ["example.com:70000", "port"],
    ["example.com:abc", "port"],
    ["user:pass@example.com", "user information"],
    ["example.com/a?x=1", "query"],
    ["exa mple.com", "white space"],
    ["://example.com", "scheme"],
  ])("rejects %j (%s)", (input, why) => {
    const parsed = parseKey(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(new RegExp(why === "IP" ? "IP address" : why, "i"));
  });

  it("never echoes the key in its reason", () => {
    const secret = "user:S3CRET-in-key@example.com";
    const parsed = parseKey(secret);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).not.toContain("S3CRET");
  });
});

describe("lookupTarget", () => {
  it.each([
    ["https://Example.com/a", { scheme: "https", host: "example.com", port: 443, path: "/a" }],
    ["http://example.com:8080/", { scheme: "http", host: "example.com", port: 8080, path: "/" }],
    ["https://example.com./x", { scheme: "https", host: "example.com", port: 443, path: "/x" }],
    ["s3://My-Bucket/key/x", { scheme: "s3", host: "my-bucket", port: undefined, path: "/key/x" }],
    [
      "https://conda.example.com/t/tok-123/channel/x",
      {
        scheme: "https",
        host: "conda.example.com",
        path: "/t/tok-123/channel/x",
        tokenlessPath: "/channel/x",
      },
    ],
    [
      "https://conda.example.com/t/tok-123",
      { scheme: "https", host: "conda.example.com", path: "/t/tok-123", tokenlessPath: "" },
    ],
  ])("reads %s", (url, expected) => {
    expect(lookupTarget(url)).toMatchObject(expected);
  });

  it("gives undefined for a URL without host or an invalid URL", () => {
    expect(lookupTarget("mailto:x@example.com")).toBeUndefined();
    expect(lookupTarget("not a url")).toBeUndefined();
  });

  it("reads parsed fields (a URL, core's request.urlParts) as it reads the text", () => {
    const url = "https://Conda.Example.com.:443/t/tok/x";
    const fields = new URL(url);
    expect(lookupTarget(fields)).toEqual(lookupTarget(url));
    const { protocol, hostname, port, pathname } = fields;
    expect(lookupTarget({ protocol, hostname, port, pathname })).toEqual(lookupTarget(url));
  });
});

describe("pathCovers", () => {
  it.each([
    ["", "/anything", true],
    ["/a", "/a", true],
    ["/a", "/a/", true],
    ["/a", "/a/b", true],
    ["/a", "/ab", false],
    ["/a/b", "/a", false],
  ])("%j covers %j: %s", (prefix, path, expected) => {
    expect(pathCovers(prefix, path)).toBe(expected);
  });
});

describe("hostPatterns", () => {
  it("walks up from the host, rattler's order", () => {
    expect(hostPatterns({ host: "a.b.example.com", ip: false })).toEqual([
      "a.b.example.com",
      "*.a.b.example.com",
      "*.b.example.com",
      "*.example.com",
      "*.com",
    ]);
  });
  it("does not walk IP addresses", () => {
    expect(hostPatterns({ host: "127.0.0.1", ip: true })).toEqual(["127.0.0.1"]);
  });
});

describe("createMatcher", () => {
  const keys = [
    "example.com",
    "example.com/private",
    "example.com/private/deeper",
    "*.example.com",
    "*.b.example.com",
    "example.com:8443",
    "https://example.com/https-only",
    "s3://bucket/prefix",
    "bucket",
    "example.com/t/tokpath",
    "localhost:5000",
    "127.0.0.1",
    "[::1]:5000",
  ];
  const m = matcherOf(keys);

  it.each([
    // exact host beats every wildcard
    ["https://example.com/x", "example.com"],
    // within a host, the longest path prefix wins
    ["https://example.com/private/file", "example.com/private"],
    ["https://example.com/private/deeper/file", "example.com/private/deeper"],
    ["https://example.com/privateer", "example.com"],
    // a key with a port matches only that port; a key without a port matches any port
    ["https://example.com:8443/x", "example.com:8443"],
    ["https://example.com:9000/x", "example.com"],
    // a key with a scheme matches only that scheme
    ["https://example.com/https-only/x", "https://example.com/https-only"],
    ["http://example.com/https-only/x", "example.com"],
    // wildcards walk up; the nearest wins
    ["https://a.example.com/x", "*.example.com"],
    ["https://x.a.b.example.com/x", "*.b.example.com"],
    ["https://b.example.com/x", "*.b.example.com"],
    // s3 URLs use the same lookup: the bucket is the host
    ["s3://bucket/prefix/key", "s3://bucket/prefix"],
    ["s3://bucket/other", "bucket"],
    ["https://bucket/other", "bucket"],
    ["http://localhost:5000/v2/", "localhost:5000"],
    ["http://127.0.0.1:9999/", "127.0.0.1"],
    ["http://[::1]:5000/", "[::1]:5000"],
    // a conda token already in the path does not hide a path key, and a key may include it
    ["https://example.com/t/abc/private/x", "example.com/private"],
    ["https://example.com/t/tokpath/x", "example.com/t/tokpath"],
  ])("%s -> %s", (url, key) => {
    expect(m.match(url)?.value).toBe(key);
  });

  it.each([
    "https://example.org/",
    "https://notexample.com/",
    "http://localhost:5001/",
    "http://[::1]:5001/",
    "s3://other-bucket/x",
  ])("%s matches nothing", (url) => {
    expect(m.match(url)).toBeUndefined();
  });

  it("follows rattler: *.example.com also covers example.com itself", () => {
    expect(matcherOf(["*.example.com"]).match("https://example.com/")?.value).toBe("*.example.com");
  });

  it("falls through to a wildcard when the exact host's keys all have other paths", () => {
    const mm = matcherOf(["example.com/private", "*.example.com"]);
    expect(mm.match("https://example.com/public")?.value).toBe("*.example.com");
  });

  it("breaks ties by the order given", () => {
    const mm = createMatcher([
      { key: (parseKey("example.com") as { ok: true; key: never }).key, value: "first" },
      { key: (parseKey("EXAMPLE.com") as { ok: true; key: never }).key, value: "second" },
    ]);
    expect(mm.match("https://example.com/")?.value).toBe("first");
  });
});

// No "--" (an `xn--` label must be valid punycode) and no hyphen at the ends.
const label = fc.stringMatching(/^[a-z0-9]{1,4}(-[a-z0-9]{1,3})?$/);
// The last label starts with a letter: an all-numeric last label makes WHATWG parse an IPv4 address.
const lastLabel = fc.stringMatching(/^[a-z][a-z0-9]{0,3}(-[a-z0-9]{1,3})?$/);
const domain = fc
  .tuple(fc.array(label, { maxLength: 3 }), lastLabel)
  .map(([l, last]) => [...l, last].join("."));
const segment = fc.stringMatching(/^[a-z0-9._-]{1,6}$/).filter((s) => s !== "." && s !== "..");
const path = fc.array(segment, { maxLength: 4 }).map((s) => (s.length === 0 ? "" : `/${s.join("/")}`));
const keySpec = fc.record({
  wildcard: fc.boolean(),
  host: domain,
  port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  scheme: fc.option(fc.constantFrom("https", "http", "s3"), { nil: undefined }),
  path,
});
type KeySpec = typeof keySpec extends fc.Arbitrary<infer T> ? T : never;
const keyText = (k: KeySpec) =>
  `${k.scheme ? `${k.scheme}://` : ""}${k.wildcard ? "*." : ""}${k.host}${k.port ? `:${k.port}` : ""}${k.path}`;

describe("createMatcher properties", () => {
  it("parses every generated key and normalises it idempotently", () => {
    fc.assert(
      fc.property(keySpec, (k) => {
        const parsed = parseKey(keyText(k));
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        const again = parseKey(parsed.key.text);
        expect(again.ok && again.key.text).toBe(parsed.key.text);
      }),
    );
  });

  it("never throws on arbitrary keys or URLs", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (key, url) => {
        const parsed = parseKey(key);
        const m = createMatcher(parsed.ok ? [{ key: parsed.key, value: 1 }] : []);
        m.match(url);
        m.match(`https://${url}`);
      }),
    );
  });

  it("only returns a key that accepts the URL: same host or a wildcard parent, scheme, port, path prefix", () => {
    fc.assert(
      fc.property(fc.array(keySpec, { maxLength: 8 }), keySpec, (specs, target) => {
        const url = `${target.scheme ?? "https"}://${target.host}${target.port ? `:${target.port}` : ""}${target.path}/file`;
        const m = matcherOf(specs.map(keyText));
        const found = m.match(url);
        const t = lookupTarget(url)!;
        if (found === undefined) return;
        const k = found.key;
        expect(k.wildcard ? t.host === k.host || t.host.endsWith(`.${k.host}`) : t.host === k.host).toBe(
          true,
        );
        if (k.scheme !== undefined) expect(k.scheme).toBe(t.scheme);
        if (k.port !== undefined) expect(k.port).toBe(t.port);
        expect(pathCovers(k.path, t.path) || pathCovers(k.path, t.tokenlessPath)).toBe(true);
      }),
    );
  });

  it("an exact-host key that accepts the URL always beats every wildcard", () => {
    fc.assert(
      fc.property(fc.array(keySpec, { maxLength: 6 }), domain, path, (specs, host, p) => {
        const keys = [...specs.map(keyText), host];
        const found = matcherOf(keys).match(`https://${host}${p}/x`);
        expect(found?.key.wildcard).toBe(false);
        expect(found?.key.host).toBe(host);
      }),
    );
  });

  it("the longest accepting path prefix wins on the same host", () => {
    fc.assert(
      fc.property(
        domain,
        fc.array(segment, { minLength: 1, maxLength: 5 }),
        fc.shuffledSubarray([0, 1, 2, 3, 4, 5]),
        (host, segs, picks) => {
          const prefixes = picks
            .filter((i) => i <= segs.length)
            .map((i) => `${host}${i === 0 ? "" : `/${segs.slice(0, i).join("/")}`}`);
          fc.pre(prefixes.length > 0);
          const found = matcherOf(prefixes).match(`https://${host}/${segs.join("/")}/leaf`);
          const longest = Math.max(...picks.filter((i) => i <= segs.length));
          expect((found?.key.path ?? "").split("/").length - 1).toBe(longest);
        },
      ),
    );
  });

  it("a wildcard never matches a host outside its domain", () => {
    fc.assert(
      fc.property(domain, domain, (a, b) => {
        fc.pre(a !== b && !a.endsWith(`.${b}`));
        expect(matcherOf([`*.${b}`]).match(`https://${a}/`)).toBeUndefined();
      }),
    );
  });
});
