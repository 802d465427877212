import { describe, expect, it } from "vitest";
import { PLUGIN_NAMES } from "../plugin-names.ts";
import { mulberry32, shuffled } from "./prng.ts";
import { allSubsets, hasPlugin } from "./subsets.ts";

describe("allSubsets", () => {
  it("lists each of the 128 subsets once", () => {
    const rows = allSubsets(42);
    expect(rows).toHaveLength(128);
    const keys = new Set(rows.map((r) => [...r.listed].sort().join(",")));
    expect(keys.size).toBe(128);
  });

  it("lists exactly the members of each mask, in some order", () => {
    for (const row of allSubsets(7)) {
      const members = PLUGIN_NAMES.filter((name) => hasPlugin(row, name));
      expect([...row.listed].sort()).toEqual([...members].sort());
    }
  });

  it("gives the same order for the same seed and another for another seed", () => {
    expect(allSubsets(123)).toEqual(allSubsets(123));
    const a = allSubsets(1).map((r) => r.listed.join(","));
    const b = allSubsets(2).map((r) => r.listed.join(","));
    expect(a).not.toEqual(b);
  });

  it("puts the full subset's plugins in more than one order across seeds", () => {
    const orders = new Set(Array.from({ length: 20 }, (_, seed) => allSubsets(seed)[127]!.listed.join(",")));
    expect(orders.size).toBeGreaterThan(10);
  });
});

describe("shuffled", () => {
  it.each([0, 1, 99, 2 ** 32 - 1])("is a permutation (seed %d)", (seed) => {
    const items = [1, 2, 3, 4, 5, 6, 7];
    const out = shuffled(items, mulberry32(seed));
    expect([...out].sort()).toEqual(items);
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
