import { describe, expect, it } from "vitest";
import { MATRIX_PLUGIN_NAMES, PLUGIN_NAMES } from "../plugin-names.ts";
import { mulberry32, shuffled } from "./prng.ts";
import { allSubsets, hasPlugin } from "./subsets.ts";

describe("allSubsets", () => {
  it("lists 128 distinct subsets, every subset of the seven first-round plugins once", () => {
    const rows = allSubsets(42);
    expect(rows).toHaveLength(128);
    expect(new Set(rows.map((r) => r.mask)).size).toBe(128);
    expect(new Set(rows.map((r) => r.mask & 0x7f)).size).toBe(128);
  });

  it("puts each plugin in half the rows and each pair together in a quarter", () => {
    const rows = allSubsets(42);
    for (const a of MATRIX_PLUGIN_NAMES) {
      expect(rows.filter((r) => hasPlugin(r, a))).toHaveLength(64);
      for (const b of MATRIX_PLUGIN_NAMES) {
        if (a < b)
          expect(
            rows.filter((r) => hasPlugin(r, a) && hasPlugin(r, b)),
            `${a}+${b}`,
          ).toHaveLength(32);
      }
    }
  });

  it("lists every one of the 1024 subsets with the full plan", () => {
    const rows = allSubsets(3, "full");
    expect(rows).toHaveLength(1024);
    expect(new Set(rows.map((r) => [...r.listed].sort().join(","))).size).toBe(1024);
  });

  it("lists exactly the members of each mask, in some order", () => {
    for (const row of allSubsets(7)) {
      const members = MATRIX_PLUGIN_NAMES.filter((name) => hasPlugin(row, name));
      expect([...row.listed].sort()).toEqual([...members].sort());
    }
  });

  it("gives the same order for the same seed and another for another seed", () => {
    expect(allSubsets(123)).toEqual(allSubsets(123));
    const a = allSubsets(1).map((r) => r.listed.join(","));
    const b = allSubsets(2).map((r) => r.listed.join(","));
    expect(a).not.toEqual(b);
  });

  it("puts the seven first-round plugins' full row in more than one order across seeds", () => {
    const full = (1 << PLUGIN_NAMES.length) - 1;
    const orders = new Set(
      Array.from({ length: 20 }, (_, seed) =>
        allSubsets(seed)
          .find((r) => (r.mask & 0x7f) === full)!
          .listed.join(","),
      ),
    );
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
