import { describe, expect, it } from "vitest";
import { exportTargets, manifestProblems, staleOutputs } from "./check-package.mjs";

const good = {
  name: "@switchyard/x",
  exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } },
  engines: { node: ">=22.19.0" },
  peerDependencies: { "@switchyard/core": "^0.1.0" },
};
const files = ["package.json", "README.md", "dist/index.js", "dist/index.d.ts"];

describe("exportTargets", () => {
  it("lists every target with its condition path", () => {
    expect(exportTargets({ ".": { types: "./a.d.ts", default: "./a.js" }, "./b": "./b.js" })).toEqual([
      { path: ". > types", target: "./a.d.ts" },
      { path: ". > default", target: "./a.js" },
      { path: "./b", target: "./b.js" },
    ]);
  });
});

describe("manifestProblems", () => {
  it("passes a packed manifest whose targets are all there", () => {
    expect(manifestProblems(good, files, "22.19.0")).toEqual([]);
  });

  it.each([
    [
      "an export target missing from the tarball",
      { ...good },
      files.filter((f) => f !== "dist/index.d.ts"),
      /types -> \.\/dist\/index\.d\.ts is not in the tarball/,
    ],
    [
      "exports still pointing at TypeScript source (publishConfig not applied)",
      { ...good, exports: { ".": "./src/index.ts" } },
      [...files, "src/index.ts"],
      /points at TypeScript source/,
    ],
    [
      "a workspace: range left in",
      { ...good, peerDependencies: { "@switchyard/core": "workspace:^" } },
      files,
      /peerDependencies\.@switchyard\/core is workspace:\^/,
    ],
    ["another engines floor", { ...good, engines: { node: ">=20" } }, files, /engines\.node/],
    ["no README", good, files.filter((f) => f !== "README.md"), /no README/],
    ["a private package", { ...good, private: true }, files, /private/],
  ])("reports %s", (_what, manifest, list, problem) => {
    expect(manifestProblems(manifest, list, "22.19.0").join("\n")).toMatch(problem);
  });
});

describe("staleOutputs", () => {
  it("finds dist files that no source compiles to", () => {
    const packed = [
      "dist/a.js",
      "dist/a.js.map",
      "dist/a.d.ts",
      "dist/old.js",
      "dist/sub/gone.d.ts",
      "README.md",
    ];
    expect(staleOutputs(packed, ["a.ts", "a.test.ts"])).toEqual(["dist/old.js", "dist/sub/gone.d.ts"]);
  });
});
