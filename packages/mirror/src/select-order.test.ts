import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Availability, MirrorStanding } from "./select-order.ts";
import { availabilityOf, decayFailures, orderMirrors, shuffleInPlace } from "./select-order.ts";

const h = (failures: number): MirrorStanding => ({ failures, availability: "healthy" });
const probe = (failures: number): MirrorStanding => ({ failures, availability: "probe" });
const cooling = (failures: number): MirrorStanding => ({ failures, availability: "cooling" });
const noRandom = (): number => {
  throw new Error("random must not be called in list order");
};

describe("orderMirrors", () => {
  it.each<[string, MirrorStanding[], number[]]>([
    ["all healthy, no failures: list order", [h(0), h(0), h(0)], [0, 1, 2]],
    ["fewest failures first", [h(2), h(0), h(1)], [1, 2, 0]],
    ["ties keep list order", [h(1), h(0), h(1), h(0)], [1, 3, 0, 2]],
    ["cooling mirrors are left out", [cooling(3), h(1), cooling(5)], [1]],
    ["a mirror due for a probe goes first", [h(0), probe(3), h(1)], [1, 0, 2]],
    ["only one probe per request, the first listed", [probe(4), probe(3), h(0)], [0, 2]],
    ["nothing available", [cooling(3), cooling(3)], []],
    ["a lone probe", [cooling(3), probe(3)], [1]],
    ["empty pool", [], []],
  ])("%s", (_name, mirrors, expected) => {
    expect(orderMirrors(mirrors, "list", noRandom)).toEqual(expected);
  });

  it("shuffles ties with the injected random but still sorts by failures", () => {
    // random() = 0 makes Fisher-Yates rotate: [0,1,2] -> [1,2,0]
    expect(orderMirrors([h(0), h(0), h(0)], "shuffle", () => 0)).toEqual([1, 2, 0]);
    // near-1 keeps every element in place
    expect(orderMirrors([h(0), h(0), h(0)], "shuffle", () => 0.999)).toEqual([0, 1, 2]);
    // failures still dominate the shuffle
    expect(orderMirrors([h(0), h(5), h(0)], "shuffle", () => 0)).toEqual([2, 0, 1]);
  });

  it("keeps every healthy mirror when a custom random returns NaN", () => {
    expect(orderMirrors([h(0), h(0), h(0)], "shuffle", () => Number.NaN).sort()).toEqual([0, 1, 2]);
  });

  const availability = fc.constantFrom<Availability>("healthy", "probe", "cooling");
  const standing = fc.record({ failures: fc.nat({ max: 6 }), availability });
  const mirrors = fc.array(standing, { maxLength: 12 });

  it("returns distinct indexes: every healthy mirror, at most one probe, no cooling (property)", () => {
    fc.assert(
      fc.property(
        mirrors,
        fc.boolean(),
        fc.infiniteStream(fc.double({ min: 0, max: 0.9999 })),
        (list, shuffle, rnd) => {
          const it = rnd[Symbol.iterator]();
          const order = orderMirrors(list, shuffle ? "shuffle" : "list", () => it.next().value as number);
          expect(new Set(order).size).toBe(order.length);
          const healthy = list.flatMap((m, i) => (m.availability === "healthy" ? [i] : []));
          expect(order.filter((i) => list[i]!.availability === "healthy").sort((a, b) => a - b)).toEqual(
            healthy,
          );
          const probes = order.filter((i) => list[i]!.availability === "probe");
          expect(probes.length).toBe(list.some((m) => m.availability === "probe") ? 1 : 0);
          if (probes.length === 1) expect(order[0]).toBe(probes[0]);
          expect(order.some((i) => list[i]!.availability === "cooling")).toBe(false);
        },
      ),
    );
  });

  it("orders healthy mirrors by failures, ties in list order unless shuffled (property)", () => {
    fc.assert(
      fc.property(mirrors, (list) => {
        const order = orderMirrors(list, "list", noRandom).filter((i) => list[i]!.availability === "healthy");
        for (let k = 1; k < order.length; k++) {
          const a = list[order[k - 1]!]!;
          const b = list[order[k]!]!;
          expect(a.failures).toBeLessThanOrEqual(b.failures);
          if (a.failures === b.failures) expect(order[k - 1]!).toBeLessThan(order[k]!);
        }
      }),
    );
  });
});

describe("shuffleInPlace", () => {
  it("is a permutation whatever the random numbers, even out of range ones and NaN (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.array(fc.double(), { minLength: 1 }), (items, rs) => {
        let k = 0;
        const out = shuffleInPlace([...items], () => rs[k++ % rs.length]!);
        expect([...out].sort()).toEqual([...items].sort());
      }),
    );
  });
});

describe("decayFailures", () => {
  it.each([
    ["no failures stay at zero", { failures: 0, anchor: 0 }, 1e9, 1000, { failures: 0, anchor: 0 }],
    [
      "less than one period changes nothing",
      { failures: 3, anchor: 1000 },
      1999,
      1000,
      { failures: 3, anchor: 1000 },
    ],
    ["one period forgives one", { failures: 3, anchor: 1000 }, 2000, 1000, { failures: 2, anchor: 2000 }],
    ["partial periods carry over", { failures: 3, anchor: 1000 }, 3500, 1000, { failures: 1, anchor: 3000 }],
    ["never below zero", { failures: 2, anchor: 0 }, 1e6, 1000, { failures: 0, anchor: 2000 }],
    [
      "Infinity disables decay",
      { failures: 2, anchor: 0 },
      1e12,
      Number.POSITIVE_INFINITY,
      { failures: 2, anchor: 0 },
    ],
    [
      "a clock going back changes nothing",
      { failures: 2, anchor: 5000 },
      1000,
      1000,
      { failures: 2, anchor: 5000 },
    ],
  ])("%s", (_name, state, now, decayMs, expected) => {
    expect(decayFailures(state, now, decayMs)).toEqual(expected);
  });

  it("gives the same result read once or in many small steps (property)", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 20 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.array(fc.nat({ max: 5000 }), { maxLength: 20 }),
        (failures, decayMs, steps) => {
          let state = { failures, anchor: 0 };
          let now = 0;
          for (const step of steps) {
            now += step;
            state = decayFailures(state, now, decayMs);
          }
          const once = decayFailures({ failures, anchor: 0 }, now, decayMs);
          expect(state.failures).toBe(once.failures);
          expect(state.failures).toBe(Math.max(0, failures - Math.floor(now / decayMs)));
        },
      ),
    );
  });
});

describe("availabilityOf", () => {
  const base = { maxFailures: 3, lastFailure: 10_000, probing: false, now: 20_000, cooldownMs: 30_000 };
  it.each<[string, Partial<typeof base> & { failures: number }, Availability]>([
    ["under the limit", { failures: 2 }, "healthy"],
    ["at the limit, cooling", { failures: 3 }, "cooling"],
    ["at the limit, cool-down over", { failures: 3, now: 40_000 }, "probe"],
    ["cool-down over but already probed", { failures: 4, now: 40_000, probing: true }, "cooling"],
    ["no limit", { failures: 99, maxFailures: Number.POSITIVE_INFINITY }, "healthy"],
    [
      "over the limit with no failure time (restored history)",
      { failures: 3, lastFailure: undefined as never },
      "probe",
    ],
  ])("%s", (_name, input, expected) => {
    expect(availabilityOf({ ...base, ...input })).toBe(expected);
  });
});
