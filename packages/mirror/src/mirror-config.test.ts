import { InvalidOptionsError } from "@switchyard/core";
import { describe, expect, it } from "vitest";
import type { MirrorsConfig } from "./mirror-config.ts";
import { parseMirrorsConfig } from "./mirror-config.ts";

const defaults = { maxFailures: 3, fallbackToOrigin: false };

describe("parseMirrorsConfig", () => {
  it("normalises prefixes and mirrors, keeping userinfo only in the rewrite base", () => {
    const [p] = parseMirrorsConfig(
      {
        "https://conda.anaconda.org/conda-forge/": [
          "https://user:s3cret@mirror.example/cf//",
          { url: "oci://ghcr.io/channel-mirrors/conda-forge", maxFailures: 5, noZstd: true },
        ],
      },
      defaults,
    );
    expect(p!.prefix.key).toBe("https://conda.anaconda.org/conda-forge");
    expect(p!.fallbackToOrigin).toBe(false);
    const [a, b] = p!.mirrors;
    expect(a!.base).toBe("https://user:s3cret@mirror.example/cf");
    expect(a!.key).toBe("https://mirror.example/cf");
    expect(a!.redacted).not.toContain("s3cret");
    expect(a!.secrets).toContain("s3cret");
    expect(a!.maxFailures).toBe(3);
    expect(b!.base).toBe("oci://ghcr.io/channel-mirrors/conda-forge");
    expect(b!.origin).toBe("oci://ghcr.io");
    expect(b!.maxFailures).toBe(5);
  });

  it.each<[string, string, boolean, boolean]>([
    ["noZstd skips .json.zst", "/linux-64/repodata.json.zst", true, false],
    ["noZstd keeps .json", "/linux-64/repodata.json", true, true],
    ["noZstd keeps packages", "/linux-64/x-1.0-0.conda", true, true],
    ["noBz2 skips .json.bz2", "/noarch/repodata.json.bz2", false, false],
    ["noBz2 keeps .tar.bz2 packages", "/noarch/x-1.0-0.tar.bz2", false, true],
  ])("%s", (_name, path, zstd, carried) => {
    const [p] = parseMirrorsConfig(
      { "https://h.example": [{ url: "https://m.example", noZstd: zstd, noBz2: !zstd }] },
      defaults,
    );
    expect(p!.mirrors[0]!.carries(path)).toBe(carried);
  });

  it("applies a custom skip rule to the path below the prefix", () => {
    const seen: string[] = [];
    const [p] = parseMirrorsConfig(
      {
        "https://h.example/ch": [
          {
            url: "https://m.example",
            skip: (path) => {
              seen.push(path);
              return path.startsWith("/private/");
            },
          },
        ],
      },
      defaults,
    );
    expect(p!.mirrors[0]!.carries("/private/a")).toBe(false);
    expect(p!.mirrors[0]!.carries("/public/a")).toBe(true);
    expect(seen).toEqual(["/private/a", "/public/a"]);
  });

  it("takes per-prefix fallbackToOrigin over the default", () => {
    const parsed = parseMirrorsConfig(
      {
        "https://a.example": { mirrors: ["https://m.example"], fallbackToOrigin: true },
        "https://b.example": ["https://m.example"],
      },
      defaults,
    );
    expect(parsed.map((p) => p.fallbackToOrigin)).toEqual([true, false]);
  });

  it.each<[string, unknown, RegExp]>([
    ["not an object", "https://x", /must be an object/],
    ["a bad prefix", { "not a url": ["https://m.example"] }, /not a valid URL/],
    ["a prefix with a query", { "https://h.example/?a=1": ["https://m.example"] }, /must not have a query/],
    ["a prefix with userinfo", { "https://u:p@h.example/": ["https://m.example"] }, /userinfo/],
    ["no mirrors", { "https://h.example": [] }, /non-empty list/],
    ["a bad mirror", { "https://h.example": ["::"] }, /not a valid URL/],
    ["a mirror with a fragment", { "https://h.example": ["https://m.example/#x"] }, /fragment/],
    [
      "a mirror listed twice",
      { "https://h.example": ["https://m.example/a", "https://m.example/a/"] },
      /twice/,
    ],
    [
      "a prefix listed twice",
      { "https://h.example/a": ["https://m.example"], "https://h.example/a/": ["https://m.example"] },
      /twice/,
    ],
    [
      "a bad maxFailures",
      { "https://h.example": [{ url: "https://m.example", maxFailures: 0 }] },
      /maxFailures/,
    ],
    ["a bad flag", { "https://h.example": [{ url: "https://m.example", noZstd: "yes" }] }, /noZstd/],
    ["a bad skip", { "https://h.example": [{ url: "https://m.example", skip: true }] }, /skip/],
    ["a number as mirror", { "https://h.example": [42] }, /must be a URL/],
  ])("rejects %s", (_name, config, message) => {
    expect(() => parseMirrorsConfig(config as MirrorsConfig, defaults)).toThrow(InvalidOptionsError);
    expect(() => parseMirrorsConfig(config as MirrorsConfig, defaults)).toThrow(message);
  });

  it("never puts a mirror's password in an error message", () => {
    try {
      parseMirrorsConfig(
        { "https://h.example": ["https://u:hunter2@m.example/", "https://u:hunter2@m.example"] },
        defaults,
      );
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain("hunter2");
    }
  });
});
