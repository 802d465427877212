import { HttpRequest } from "@switchyard/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MirrorsConfig } from "./mirror-config.ts";
import { longestPrefix } from "./mirror-prefix.ts";
import { MirrorTable } from "./mirror-table.ts";

const settings = {
  cooldownMs: 10_000,
  failureDecayMs: 60_000,
  defaults: { maxFailures: 2, fallbackToOrigin: false },
  now: () => 0,
};

function table(prefixes: readonly string[]): MirrorTable {
  const config: Record<string, string[]> = {};
  for (const p of prefixes) config[p] = ["https://mirror.example/m"];
  return new MirrorTable(config as MirrorsConfig, settings);
}

// What the table answers, as the prefix key and the rest, to compare with the scan of every prefix.
function matched(t: MirrorTable, url: string): string | undefined {
  const found = t.match(new HttpRequest(url));
  return found === undefined ? undefined : `${found.pool.urlPrefix.key} ${found.rest}`;
}

function scanned(t: MirrorTable, url: string): string | undefined {
  const prefixes = t.snapshot().map((s) => t.pool(s.prefix)!.urlPrefix);
  const found = longestPrefix(prefixes, new URL(url));
  return found === undefined ? undefined : `${found.prefix.key} ${found.rest}`;
}

const PREFIXES = [
  "https://h.example/conda",
  "https://h.example/conda/forge",
  "https://h.example:8443/conda",
  "http://h.example/conda",
  "https://other.example",
  "http://127.0.0.1:8080/mirrored",
  "http://[::1]:8080/v6",
  "oci://ghcr.io/channel-mirrors/conda-forge",
  "s3://bucket/channel",
];

describe("MirrorTable.match", () => {
  it.each([
    ["https://h.example/conda/linux-64/x.conda", "https://h.example/conda /linux-64/x.conda"],
    ["https://h.example/conda/forge/x?y=1", "https://h.example/conda/forge /x?y=1"],
    ["https://user:pw@h.example/conda/a", "https://h.example/conda /a"],
    ["https://H.EXAMPLE:443/conda/a", "https://h.example/conda /a"],
    ["https://h.example:8443/conda/a", "https://h.example:8443/conda /a"],
    ["http://h.example/conda/a", "http://h.example/conda /a"],
    ["https://other.example/anything", "https://other.example /anything"],
    ["http://127.0.0.1:8080/mirrored/pkg", "http://127.0.0.1:8080/mirrored /pkg"],
    ["http://[::1]:8080/v6/x", "http://[::1]:8080/v6 /x"],
    [
      "oci://ghcr.io/channel-mirrors/conda-forge/noarch/x",
      "oci://ghcr.io/channel-mirrors/conda-forge /noarch/x",
    ],
    ["s3://bucket/channel/x", "s3://bucket/channel /x"],
  ])("%s falls under %s", (url, expected) => {
    expect(matched(table(PREFIXES), url)).toBe(expected);
  });

  it.each([
    "http://127.0.0.1:8080/",
    "http://127.0.0.1:8080/elsewhere",
    "https://h.example/conda-forge/x",
    "https://h.example:8444/conda/x",
    "https://repo.example.com/conda/x",
    "http://other.example/x",
    "ws://h.example/conda/x",
    "blob:https://h.example/conda",
    // The origin of its inner URL has a prefix with an empty path: only the scheme tells them apart.
    "blob:https://other.example/x",
    "oci://ghcr.io/other/x",
    "file:///conda/x",
    "mailto:someone@h.example",
    "urn:conda:x",
  ])("%s falls under no prefix", (url) => {
    expect(matched(table(PREFIXES), url)).toBeUndefined();
  });

  const host = fc.constantFrom("h.example", "h.example:8443", "other.example", "127.0.0.1:8080", "[::1]");
  const scheme = fc.constantFrom("https", "http", "oci", "s3", "ws");
  const segment = fc.constantFrom("a", "b", "conda", "forge", "x");
  const path = fc.array(segment, { maxLength: 4 }).map((p) => p.join("/"));

  it("finds what a scan of every prefix finds (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(scheme, host, path), {
          minLength: 1,
          maxLength: 6,
          selector: ([s, h, p]) => `${s}://${h}/${p}`,
        }),
        scheme,
        host,
        path,
        fc.boolean(),
        fc.boolean(),
        (prefixes, s, h, p, userinfo, many) => {
          // Past eight bases the table looks bases up in a map instead of comparing them in place.
          const padding = many ? Array.from({ length: 10 }, (_, i) => `https://pad${i}.example/x`) : [];
          const t = table([...prefixes.map(([ps, ph, pp]) => `${ps}://${ph}/${pp}`), ...padding]);
          const url = `${s}://${userinfo ? "u:p@" : ""}${h}/${p}?q=1`;
          expect(matched(t, url)).toBe(scanned(t, url));
        },
      ),
    );
  });

  it("finds prefixes among many bases as among a few", () => {
    const many = [...PREFIXES, ...Array.from({ length: 10 }, (_, i) => `https://pad${i}.example/x`)];
    const t = table(many);
    expect(matched(t, "https://h.example/conda/forge/x")).toBe("https://h.example/conda/forge /x");
    expect(matched(t, "https://u@pad3.example/x/y")).toBe("https://pad3.example/x /y");
    expect(matched(t, "oci://ghcr.io/channel-mirrors/conda-forge/x")).toBe(
      "oci://ghcr.io/channel-mirrors/conda-forge /x",
    );
    expect(matched(t, "https://pad10.example/x/y")).toBeUndefined();
    expect(matched(t, "http://127.0.0.1:8080/")).toBeUndefined();
  });

  it("follows setMirrors: a new table's prefixes are found, the old ones no longer", () => {
    const t = table(["https://h.example/conda"]);
    expect(matched(t, "https://h.example/conda/x")).toBe("https://h.example/conda /x");
    t.set({ "https://other.example/conda": ["https://mirror.example/m"] });
    expect(matched(t, "https://h.example/conda/x")).toBeUndefined();
    expect(matched(t, "https://other.example/conda/x")).toBe("https://other.example/conda /x");
  });

  it("finds a URL it passed over once setMirrors adds its prefix, and passes it over again after", () => {
    const t = table(["https://h.example/conda"]);
    const url = "https://other.example/conda/x";
    expect(matched(t, url)).toBeUndefined();
    expect(matched(t, url)).toBeUndefined();
    t.set({ "https://other.example/conda": ["https://mirror.example/m"] });
    expect(matched(t, url)).toBe("https://other.example/conda /x");
    expect(matched(t, url)).toBe("https://other.example/conda /x");
    t.set({ "https://h.example/conda": ["https://mirror.example/m"] });
    expect(matched(t, url)).toBeUndefined();
    // The same text after another miss in between still answers the same.
    expect(matched(t, "https://h.example/elsewhere")).toBeUndefined();
    expect(matched(t, "https://h.example/conda/y")).toBe("https://h.example/conda /y");
    expect(matched(t, url)).toBeUndefined();
  });
});
