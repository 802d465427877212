import { describe, expect, it } from "vitest";
import { entryPoints, factoryName, publishedPackages } from "./pack-smoke.mjs";

describe("factoryName", () => {
  it.each([
    ["@switchyard/core", "createClient"],
    ["@switchyard/retry", "retry"],
    ["@switchyard/retry-after", "retryAfter"],
    ["@switchyard/oci", "oci"],
  ])("%s exports %s", (name, factory) => {
    expect(factoryName(name)).toBe(factory);
  });
});

describe("publishedPackages", () => {
  it("lists the non-private packages under packages/", () => {
    const found = publishedPackages();
    expect(found.map((p) => p.name)).toContain("@switchyard/core");
    expect(found.every((p) => !p.manifest.private && p.name.startsWith("@switchyard/"))).toBe(true);
  });
});

describe("entryPoints", () => {
  it("checks the factory of a package with a root entry", () => {
    const manifest = {
      name: "@switchyard/retry-after",
      publishConfig: { exports: { ".": "./dist/index.js" } },
    };
    expect(entryPoints(manifest)).toEqual([{ specifier: "@switchyard/retry-after", factory: "retryAfter" }]);
  });

  it("imports each subpath of a package without a root entry, and skips patterns", () => {
    const manifest = {
      name: "@switchyard/testkit",
      exports: { "./servers": "./src/servers/index.ts" },
      publishConfig: {
        exports: { "./servers": { default: "./dist/servers/index.js" }, "./x/*": "./dist/x/*.js" },
      },
    };
    expect(entryPoints(manifest)).toEqual([{ specifier: "@switchyard/testkit/servers" }]);
  });
});
