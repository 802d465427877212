import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  baseEnd,
  hasUserinfo,
  longestPrefix,
  parsePrefix,
  restBelow,
  startsWithBase,
  trimTrailingSlashes,
  WITH_USERINFO,
} from "./mirror-prefix.ts";

const prefix = (url: string) => parsePrefix(new URL(url));

describe("parsePrefix", () => {
  it.each([
    ["https://conda.anaconda.org/conda-forge", "https://conda.anaconda.org", "/conda-forge"],
    ["https://conda.anaconda.org/conda-forge/", "https://conda.anaconda.org", "/conda-forge"],
    ["https://conda.anaconda.org/conda-forge///", "https://conda.anaconda.org", "/conda-forge"],
    ["https://Conda.Anaconda.ORG:443/", "https://conda.anaconda.org", ""],
    ["https://conda.anaconda.org", "https://conda.anaconda.org", ""],
    ["http://127.0.0.1:8080/a/b/", "http://127.0.0.1:8080", "/a/b"],
    ["https://user:pw@host.example/x", "https://host.example", "/x"],
    ["oci://ghcr.io/channel-mirrors/conda-forge/", "oci://ghcr.io", "/channel-mirrors/conda-forge"],
    ["s3://bucket/channel", "s3://bucket", "/channel"],
  ])("%s -> base %s, path %s", (input, base, path) => {
    const p = prefix(input);
    expect(p.base).toBe(base);
    expect(p.path).toBe(path);
    expect(p.key).toBe(base + path);
  });
});

describe("restBelow", () => {
  it.each([
    ["https://h.example/conda", "https://h.example/conda/linux-64/x.conda", "/linux-64/x.conda"],
    ["https://h.example/conda/", "https://h.example/conda/linux-64/x.conda", "/linux-64/x.conda"],
    ["https://h.example/conda", "https://h.example/conda", ""],
    ["https://h.example/conda", "https://h.example/conda/", "/"],
    ["https://h.example/conda", "https://h.example/conda/a?x=1&y=2", "/a?x=1&y=2"],
    ["https://h.example/conda", "https://h.example/conda?x=1", "?x=1"],
    ["https://h.example/conda", "https://h.example/conda/a%20b/c", "/a%20b/c"],
    ["https://h.example", "https://h.example/anything/at/all", "/anything/at/all"],
    ["https://h.example/", "https://h.example/", "/"],
    ["https://h.example/conda", "https://h.example/conda/a#frag", "/a"],
    ["https://h.example/conda", "https://user:pw@h.example/conda/a", "/a"],
  ])("%s over %s leaves %s", (p, url, rest) => {
    expect(restBelow(prefix(p), new URL(url))).toBe(rest);
  });

  it.each([
    ["https://h.example/conda", "https://h.example/conda-forge/x"],
    ["https://h.example/conda", "https://h.example/cond"],
    ["https://h.example/conda", "http://h.example/conda/x"],
    ["https://h.example/conda", "https://h.example:8443/conda/x"],
    ["https://h.example/conda", "https://other.example/conda/x"],
    ["https://h.example/conda", "https://h.example/Conda/x"],
    // Same length as the prefix's origin, different scheme and host.
    ["https://ab.example/conda", "http://xab.example/conda/x"],
    ["https://ab.example/conda", "https://ab.exampl:1/conda/x"],
  ])("%s does not cover %s", (p, url) => {
    expect(restBelow(prefix(p), new URL(url))).toBeUndefined();
  });

  it("matches a prefix built by hand, as the exported type allows", () => {
    const literal = { base: "https://h.example", path: "/conda", key: "https://h.example/conda" };
    expect(restBelow(literal, new URL("https://h.example/conda/a"))).toBe("/a");
    expect(restBelow(literal, new URL("https://h.example.org/conda/a"))).toBeUndefined();
  });
});

describe("longestPrefix", () => {
  const table = [
    prefix("https://h.example"),
    prefix("https://h.example/conda-forge/"),
    prefix("https://h.example/conda-forge/linux-64"),
    prefix("https://other.example/conda-forge"),
  ];
  it.each([
    ["https://h.example/conda-forge/linux-64/x.conda", "https://h.example/conda-forge/linux-64", "/x.conda"],
    ["https://h.example/conda-forge/noarch/x.conda", "https://h.example/conda-forge", "/noarch/x.conda"],
    ["https://h.example/bioconda/x", "https://h.example", "/bioconda/x"],
    ["https://h.example/conda-forge/linux-64", "https://h.example/conda-forge/linux-64", ""],
    ["https://other.example/conda-forge/x", "https://other.example/conda-forge", "/x"],
  ])("%s goes to %s", (url, key, rest) => {
    const found = longestPrefix(table, new URL(url));
    expect(found?.prefix.key).toBe(key);
    expect(found?.rest).toBe(rest);
  });

  it("finds nothing for other hosts and paths outside every prefix", () => {
    expect(longestPrefix(table, new URL("https://third.example/x"))).toBeUndefined();
    expect(longestPrefix(table, new URL("https://other.example/bioconda/x"))).toBeUndefined();
  });

  // No dot segments: URL parsing resolves "." and ".." away.
  const segment = fc.stringMatching(/^[a-z0-9_-][a-z0-9._-]{0,7}$/);
  const path = fc.array(segment, { maxLength: 5 });

  it("picks the same prefix whatever the table order, and rest rejoins the URL (property)", () => {
    fc.assert(
      fc.property(
        fc.array(path, { minLength: 1, maxLength: 6 }),
        path,
        fc.boolean(),
        fc.integer(),
        (prefixPaths, requestPath, slash, seed) => {
          const prefixes = prefixPaths.map((p) =>
            prefix(`https://h.example/${p.join("/")}${slash ? "/" : ""}`),
          );
          const url = new URL(`https://h.example/${requestPath.join("/")}?q=1`);
          const found = longestPrefix(prefixes, url);
          const shuffled = [...prefixes].sort(() => (seed % 2 === 0 ? 1 : -1));
          const again = longestPrefix(shuffled, url);
          expect(again?.prefix.key).toBe(found?.prefix.key);
          // Every prefix covering the URL is no longer than the one found.
          for (const p of prefixes) {
            const rest = restBelow(p, url);
            if (rest !== undefined) expect(p.path.length).toBeLessThanOrEqual(found!.prefix.path.length);
          }
          if (found !== undefined)
            expect(found.prefix.key + found.rest).toBe(`${url.origin}${url.pathname}${url.search}`);
        },
      ),
    );
  });

  it("only matches on whole path segments (property)", () => {
    fc.assert(
      fc.property(path, segment, segment, (base, a, b) => {
        const p = prefix(`https://h.example/${[...base, a].join("/")}`);
        const url = new URL(`https://h.example/${[...base, a + b].join("/")}`);
        expect(restBelow(p, url)).toBeUndefined();
      }),
    );
  });
});

describe("baseEnd", () => {
  it.each([
    ["https://h.example/conda/x", "https://h.example"],
    ["http://127.0.0.1:8080/", "http://127.0.0.1:8080"],
    ["http://[::1]:8080/x", "http://[::1]:8080"],
    ["oci://ghcr.io/channel-mirrors/x", "oci://ghcr.io"],
    ["s3://bucket?list", "s3://bucket"],
    ["s3://bucket#f", "s3://bucket"],
    ["s3://bucket", "s3://bucket"],
    ["foo:///x", "foo://"],
  ])("%s has the base %s", (url, base) => {
    const href = new URL(url).href;
    expect(href.slice(0, baseEnd(href))).toBe(base);
  });

  it.each(["mailto:a@h.example", "urn:x:y", "blob:https://h.example/x", "foo:/.//x"])(
    "%s has no base",
    (url) => {
      expect(baseEnd(new URL(url).href)).toBe(-1);
    },
  );

  it.each(["https://u@h.example/x", "https://u:p@h.example/x", "oci://u:%40@ghcr.io/x"])(
    "%s has userinfo before its host",
    (url) => {
      expect(baseEnd(new URL(url).href)).toBe(WITH_USERINFO);
    },
  );

  it("gives protocol//host for every URL with a host and no userinfo (property)", () => {
    fc.assert(
      fc.property(
        fc.webUrl({
          withQueryParameters: true,
          withFragments: true,
          authoritySettings: { withUserInfo: true, withPort: true, withIPv4: true, withIPv6: true },
        }),
        (url) => {
          const parsed = new URL(url);
          const end = baseEnd(parsed.href);
          if (parsed.username !== "" || parsed.password !== "") expect(end).toBe(WITH_USERINFO);
          else expect(parsed.href.slice(0, end)).toBe(`${parsed.protocol}//${parsed.host}`);
        },
      ),
    );
  });
});

describe("hasUserinfo and startsWithBase", () => {
  it.each([
    ["https://u@h.example/x", true],
    ["https://u:p@h.example/x", true],
    ["https://h.example/@scope/pkg", false],
    ["https://h.example/x?a=b@c", false],
    ["oci://u@ghcr.io/x", true],
    ["mailto:a@h.example", false],
  ])("%s has userinfo: %s", (url, expected) => {
    expect(hasUserinfo(new URL(url).href)).toBe(expected);
  });

  it.each([
    ["https://h.example/x", "https://h.example", true],
    ["https://h.example", "https://h.example", true],
    ["s3://bucket?list", "s3://bucket", true],
    ["s3://bucket#f", "s3://bucket", true],
    ["https://h.example:8443/x", "https://h.example", false],
    ["https://h.example.org/x", "https://h.example", false],
    ["http://127.0.0.1:80801/x", "http://127.0.0.1:8080", false],
  ])("%s starts with the base %s: %s", (href, base, expected) => {
    expect(startsWithBase(href, base)).toBe(expected);
  });
});

describe("trimTrailingSlashes", () => {
  it.each([
    ["", ""],
    ["/", ""],
    ["//", ""],
    ["/a/", "/a"],
    ["/a//", "/a"],
    ["/a/b", "/a/b"],
  ])("%j -> %j", (input, output) => {
    expect(trimTrailingSlashes(input)).toBe(output);
  });
});
