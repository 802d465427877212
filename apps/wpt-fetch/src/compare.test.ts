import { describe, expect, it } from "vitest";
import { compareRuns } from "./compare.ts";
import { type Expectations, indexDifferences } from "./expectations.ts";
import { PAGE_SUBTEST, type PageResult } from "./run-pages.ts";

function page(results: Record<string, boolean>): PageResult {
  const subtests = new Map(
    Object.entries(results).map(([n, pass]) => [n, { pass, message: pass ? "" : "x" }]),
  );
  subtests.set(PAGE_SUBTEST, { pass: true, message: "" });
  return { subtests, ms: 1 };
}

const listed: Expectations = {
  alsoRun: [],
  differences: [{ kind: "defect", category: "c", why: "w", subtests: { "/p": ["listed"] } }],
};

describe("compareRuns", () => {
  it("flags a subtest Node passes and client.fetch fails, unless it is listed", () => {
    const node = new Map([["/p", page({ a: true, listed: true })]]);
    const client = new Map([["/p", page({ a: false, listed: false })]]);
    const c = compareRuns(node, client, listed);
    expect(c.misses.map((m) => [m.name, m.difference?.category])).toEqual([
      ["a", undefined],
      ["listed", "c"],
    ]);
  });

  it("does not require what Node's fetch fails, and counts what only client.fetch passes", () => {
    const c = compareRuns(
      new Map([["/p", page({ a: false })]]),
      new Map([["/p", page({ a: true })]]),
      listed,
    );
    expect(c.misses).toEqual([]);
    expect(c.clientOnly).toBe(1);
  });

  it("treats a subtest client.fetch never reported as failed", () => {
    const c = compareRuns(new Map([["/p", page({ a: true })]]), new Map([["/p", page({})]]), listed);
    expect(c.misses[0]?.message).toMatch(/not reported/);
  });

  it("reports a listed subtest that now passes as stale", () => {
    const both = new Map([["/p", page({ listed: true })]]);
    expect(compareRuns(both, both, listed).stale.map((s) => s.name)).toEqual(["listed"]);
  });

  it("counts page pseudo-subtests apart from WPT's subtests", () => {
    const both = new Map([["/p", page({ a: true, b: false })]]);
    expect(compareRuns(both, both, listed).node).toEqual({ passed: 1, total: 2, pagesClean: 1, pages: 1 });
  });

  it("leaves out pages only one side ran (a run cut short by its budget)", () => {
    const node = new Map([
      ["/p", page({ a: true })],
      ["/q", page({ b: true })],
    ]);
    const c = compareRuns(node, new Map([["/p", page({ a: true })]]), listed);
    expect(c.misses).toEqual([]);
    expect(c.node.pages).toBe(1);
  });
});

describe("differences limited to one Node major", () => {
  const only22: Expectations = {
    alsoRun: [],
    differences: [{ kind: "defect", category: "c22", why: "w", node: "22", subtests: { "/p": ["x"] } }],
  };

  it("explain a miss only on that major", () => {
    expect(indexDifferences(only22, "22").size).toBe(1);
    expect(indexDifferences(only22, "26").size).toBe(0);
  });
});
