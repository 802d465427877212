import { describe, expect, it } from "vitest";
import { siblingRangeProblems, summarizePack, withoutPlaceholder } from "./release.mjs";

describe("withoutPlaceholder", () => {
  it("reduces a changelog with no version entry to its title", () => {
    const text = "# @switchyard/core\n\n## Unreleased\n\nNot published yet.\n";
    expect(withoutPlaceholder(text)).toBe("# @switchyard/core\n");
  });

  it("leaves a changelog with a version entry alone", () => {
    const text = "# @switchyard/core\n\n## 0.2.0\n\n### Minor Changes\n\n- First release\n";
    expect(withoutPlaceholder(text)).toBeUndefined();
  });
});

describe("siblingRangeProblems", () => {
  const versions = new Map([
    ["@switchyard/core", "0.2.0"],
    ["@switchyard/testkit", "0.2.0"],
  ]);

  it.each([
    ["^0.2.0", []],
    ["0.2.0", []],
    ["~0.2.0", []],
    ["^0.1.0", ['peerDependencies.@switchyard/core is "^0.1.0", which excludes 0.2.0']],
    ["^0.3.0", ['peerDependencies.@switchyard/core is "^0.3.0", which excludes 0.2.0']],
    ["workspace:^", ['peerDependencies.@switchyard/core is "workspace:^"']],
    [">=0.1.0", ['peerDependencies.@switchyard/core is ">=0.1.0", which excludes 0.2.0']],
  ])("peer range %s on core 0.2.0", (range, expected) => {
    expect(siblingRangeProblems({ peerDependencies: { "@switchyard/core": range } }, versions)).toEqual(
      expected,
    );
  });

  it("ignores packages outside the release and devDependencies", () => {
    const manifest = {
      dependencies: { undici: "^8.12.4" },
      devDependencies: { "@switchyard/testkit": "workspace:*" },
    };
    expect(siblingRangeProblems(manifest, versions)).toEqual([]);
  });

  it("follows ^ on 1.x and 0.0.x the way npm does", () => {
    const v = (version) => new Map([["p", version]]);
    expect(siblingRangeProblems({ dependencies: { p: "^1.2.0" } }, v("1.9.0"))).toEqual([]);
    expect(siblingRangeProblems({ dependencies: { p: "^1.2.0" } }, v("2.0.0"))).toHaveLength(1);
    expect(siblingRangeProblems({ dependencies: { p: "^0.0.3" } }, v("0.0.4"))).toHaveLength(1);
  });
});

describe("summarizePack", () => {
  it("reads npm's dry-run JSON, keyed by package name", () => {
    const out = `npm notice Publishing (dry-run)\n${JSON.stringify({
      "@switchyard/retry": {
        name: "@switchyard/retry",
        version: "0.2.0",
        unpackedSize: 2048,
        files: [{}, {}],
      },
    })}\n`;
    expect(summarizePack(out, "x")).toBe("@switchyard/retry@0.2.0 (2 files, 2 kB unpacked)");
  });

  it("falls back to the name when the output is not JSON", () => {
    expect(summarizePack("npm error something", "@switchyard/retry")).toBe("@switchyard/retry");
  });
});
