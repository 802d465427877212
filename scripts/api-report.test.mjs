import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { computeReports, publishedPackages, reportPath } from "./api-report.mjs";

const packages = publishedPackages();
const reports = computeReports(packages);

describe("the public API of each published package", () => {
  it("covers every published package", () => {
    expect(packages.map((p) => p.name)).toContain("@switchyard/core");
    for (const pkg of packages) expect(pkg.entries.length, pkg.name).toBeGreaterThan(0);
  });

  it.each(packages.map((p) => [p.name, p]))(
    "%s matches its committed api-report.md (run `node scripts/api-report.mjs --write` when a change is meant)",
    (_name, pkg) => {
      const path = reportPath(pkg);
      expect(existsSync(path), `${path} is missing`).toBe(true);
      expect(reports[pkg.name]).toBe(readFileSync(path, "utf8"));
    },
  );
});
