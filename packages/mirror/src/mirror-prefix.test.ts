import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { longestPrefix, parsePrefix, restBelow, trimTrailingSlashes } from "./mirror-prefix.ts";

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
