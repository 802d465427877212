import { describe, expect, it } from "vitest";
import { exportTargets, factoryName, tarballProblems } from "./pick-and-mix.mjs";
import {
  CALLERS_MODULE_MARK,
  declarationProblems,
  importedPackages,
  moduleSpecifiers,
  packageOf,
  testImportProblems,
} from "./pick-and-mix-imports.mjs";

describe("moduleSpecifiers", () => {
  it.each([
    ['import { a } from "undici";', "x.js", ["undici"]],
    ['import type { A } from "@scope/pkg/sub";', "x.ts", ["@scope/pkg/sub"]],
    ['export { a } from "./a.js";', "x.js", ["./a.js"]],
    ['export * as ns from "ns-pkg";', "x.js", ["ns-pkg"]],
    ['const m = await import("dyn");', "x.js", ["dyn"]],
    ['const P = "@napi-rs/keyring";\nconst load = () => import(P);', "x.js", ["@napi-rs/keyring"]],
    ['const P = "k";\nconst load = () => import(__rewriteRelativeImportExtension(P));', "x.js", ["k"]],
    [
      'import { createRequire } from "node:module";\nconst S = createRequire(import.meta.url)("s3rver");',
      "x.js",
      ["node:module", "s3rver"],
    ],
    ['const p = require.resolve("resolved-pkg/package.json");', "x.js", ["resolved-pkg/package.json"]],
    ['const p = import.meta.resolve("meta-pkg");', "x.js", ["meta-pkg"]],
    ['const x = require("cjs-pkg");', "x.cjs", ["cjs-pkg"]],
    ['export declare function f(): import("undici").Dispatcher;', "x.d.ts", ["undici"]],
    [
      '/// <reference types="node" />\n/// <reference types="vitest/globals" />\nexport {};',
      "x.d.ts",
      ["vitest/globals"],
    ],
    ['// import { no } from "in-a-comment";\nconst s = "import(\\"in-a-string\\")";', "x.js", []],
  ])("%s", (text, file, expected) => {
    expect(moduleSpecifiers(text, file).specifiers).toEqual(expected);
  });

  it("reports a load it cannot name instead of guessing", () => {
    const found = moduleSpecifiers("export const load = (name) => import(name);", "x.js");
    expect(found).toEqual({ specifiers: [], dynamic: ["name"] });
  });

  it("leaves out a load marked as the caller's own module, and only that one", () => {
    const text = `// ${CALLERS_MODULE_MARK}\nexport const a = (m) => import(m);\nexport const b = (n) => import(n);`;
    expect(moduleSpecifiers(text, "x.js")).toEqual({ specifiers: [], dynamic: ["n"] });
  });
});

describe("packageOf", () => {
  it.each([
    ["undici", "undici"],
    ["undici/lib/x.js", "undici"],
    ["@smithy/signature-v4", "@smithy/signature-v4"],
    ["@switchyard/testkit/servers", "@switchyard/testkit"],
    ["node:http", undefined],
    ["fs", undefined],
    ["./local.js", undefined],
    ["/abs/path.js", undefined],
    ["data:text/javascript,1", undefined],
  ])("%s -> %s", (specifier, expected) => {
    expect(packageOf(specifier)).toBe(expected);
  });
});

describe("declarationProblems", () => {
  const used = (entries) => new Map(entries.map(([name, file]) => [name, [file]]));

  it("passes a manifest that declares exactly what is imported", () => {
    const manifest = {
      name: "@switchyard/s3",
      dependencies: { "@smithy/signature-v4": "5.7.5" },
      peerDependencies: { "@switchyard/core": "^0.1.0" },
    };
    const imports = used([
      ["@switchyard/core", "dist/a.js"],
      ["@smithy/signature-v4", "dist/sign.js"],
      ["@switchyard/s3", "dist/self.d.ts"],
    ]);
    expect(declarationProblems(manifest, imports)).toEqual({ problems: [], integrations: [] });
  });

  it("flags an import that is only a devDependency", () => {
    const manifest = { name: "t", devDependencies: { undici: "8.12.4" }, peerDependencies: {} };
    const { problems } = declarationProblems(manifest, used([["undici", "dist/push.js"]]));
    expect(problems).toEqual([
      'imports "undici" (dist/push.js) but does not declare it (only a devDependency: users do not get it)',
    ]);
  });

  it("flags a dependency or required peer nothing imports", () => {
    const manifest = {
      name: "t",
      dependencies: { leftover: "1.0.0" },
      peerDependencies: { "@switchyard/core": "^0.1.0" },
    };
    const { problems } = declarationProblems(manifest, used([]));
    expect(problems).toEqual([
      'declares "@switchyard/core" but no published file imports it',
      'declares "leftover" but no published file imports it',
    ]);
  });

  it("lists an optional peer nothing imports as an integration, not a problem", () => {
    const manifest = {
      name: "t",
      peerDependencies: { vitest: ">=3.0.0" },
      peerDependenciesMeta: { vitest: { optional: true } },
    };
    expect(declarationProblems(manifest, used([]))).toEqual({ problems: [], integrations: ["vitest"] });
  });

  it("accepts types from an @types package declared at runtime", () => {
    const manifest = { name: "t", dependencies: { aws4: "1.13.2", "@types/aws4": "1.11.6" } };
    expect(declarationProblems(manifest, used([["aws4", "dist/a.d.ts"]])).problems).toEqual([]);
  });
});

describe("testImportProblems", () => {
  it("accepts dev dependencies and root dev dependencies, flags the rest", () => {
    const manifest = { name: "@switchyard/retry", devDependencies: { "@switchyard/testkit": "workspace:*" } };
    const rootManifest = { devDependencies: { vitest: "5.1.1", "fast-check": "4.10.2" } };
    const imports = new Map([
      ["vitest", ["src/a.test.ts"]],
      ["@switchyard/testkit", ["src/a.test.ts"]],
      ["@switchyard/retry", ["test/e2e.test.ts"]],
      ["undici", ["test/e2e.test.ts"]],
    ]);
    expect(testImportProblems(manifest, rootManifest, imports)).toEqual([
      'tests import "undici" (test/e2e.test.ts) but nothing declares it',
    ]);
  });
});

describe("importedPackages", () => {
  it("groups files by the package they import and collects unnamed loads", () => {
    const dynamic = [];
    const used = importedPackages(
      [
        { path: "dist/a.js", text: 'import "undici";\nimport "./b.js";' },
        { path: "dist/b.d.ts", text: 'import type { X } from "undici/types";' },
        { path: "dist/c.js", text: "export const f = (m) => import(m);" },
      ],
      dynamic,
    );
    expect([...used]).toEqual([["undici", ["dist/a.js", "dist/b.d.ts"]]]);
    expect(dynamic).toEqual(["dist/c.js: m"]);
  });
});

describe("tarballProblems", () => {
  const manifest = {
    name: "@switchyard/testkit",
    version: "0.1.0",
    exports: { "./servers": { types: "./dist/servers/index.d.ts", default: "./dist/servers/index.js" } },
    dependencies: { undici: "^8.12.4" },
    peerDependencies: { "@switchyard/core": "^0.1.0" },
  };

  it("passes a clean tarball", () => {
    expect(
      tarballProblems(manifest, ["package.json", "dist/servers/index.js", "dist/servers/index.d.ts"]),
    ).toEqual([]);
  });

  it("flags missing targets, workspace ranges, a version past 0.x and an unapplied publishConfig", () => {
    const bad = {
      ...manifest,
      version: "1.0.0",
      peerDependencies: { "@switchyard/core": "workspace:^" },
      publishConfig: { exports: {} },
    };
    expect(tarballProblems(bad, ["package.json", "dist/servers/index.js"])).toEqual([
      "exports target ./dist/servers/index.d.ts is not in the tarball",
      'peerDependencies.@switchyard/core is "workspace:^"',
      "version 1.0.0 is not 0.x",
      "publishConfig was not applied (packed with npm?)",
    ]);
  });
});

describe("exportTargets and factoryName", () => {
  it("walks conditions and subpaths", () => {
    expect(exportTargets({ ".": { types: "./a.d.ts", default: "./a.js" }, "./b": "./b.js" })).toEqual([
      "./a.d.ts",
      "./a.js",
      "./b.js",
    ]);
  });

  it.each([
    ["@switchyard/core", "createClient"],
    ["@switchyard/retry-after", "retryAfter"],
    ["@switchyard/example-request-id", "exampleRequestId"],
  ])("%s -> %s", (name, factory) => {
    expect(factoryName(name)).toBe(factory);
  });
});
