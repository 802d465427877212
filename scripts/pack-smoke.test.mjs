import { describe, expect, it } from "vitest";
import { factoryName, publishedPackages } from "./pack-smoke.mjs";

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
  it("leaves private packages out", () => {
    const names = publishedPackages().map((p) => p.name);
    expect(names).not.toContain("@switchyard/testkit");
    expect(names.every((n) => n.startsWith("@switchyard/"))).toBe(true);
  });
});
