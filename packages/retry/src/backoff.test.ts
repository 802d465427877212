import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BackoffSettings, Jitter } from "./backoff.ts";
import { backoffDelay } from "./backoff.ts";

const settings = (jitter: Jitter, over: Partial<BackoffSettings> = {}): BackoffSettings => ({
  minDelay: 100,
  maxDelay: 20_000,
  base: 2,
  jitter,
  ...over,
});

describe("backoffDelay", () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [8, 12_800],
    [9, 20_000],
    [50, 20_000],
    [100_000, 20_000],
  ])("without jitter, retry %i waits %i ms", (retry, expected) => {
    expect(backoffDelay(settings("none"), retry, () => 0.5)).toBe(expected);
  });

  it.each([
    ["full", 0, 0],
    ["full", 0.5, 200],
    ["full", 0.999, 399.6],
    ["bounded", 0, 100],
    ["bounded", 0.5, 250],
    ["bounded", 0.999, 399.7],
  ] as const)("with %s jitter and random %d, retry 3 waits %d ms", (jitter, r, expected) => {
    expect(backoffDelay(settings(jitter), 3, () => r)).toBeCloseTo(expected, 6);
  });

  it.each([
    ["base 1 keeps the delay flat", settings("none", { base: 1 }), 5, 100],
    ["base 3 grows faster", settings("none", { base: 3 }), 3, 900],
    ["a zero floor stays zero", settings("none", { minDelay: 0 }), 4, 0],
    ["min equal to max", settings("bounded", { minDelay: 500, maxDelay: 500 }), 7, 500],
  ])("%s", (_what, s, retry, expected) => {
    expect(backoffDelay(s, retry, () => 0.3)).toBe(expected);
  });

  it.each([[-1], [2], [Number.NaN]])("clamps a misbehaving random source (%d) into the bounds", (r) => {
    const d = backoffDelay(settings("full"), 2, () => r);
    expect(d).toBeGreaterThanOrEqual(0);
    expect(d).toBeLessThanOrEqual(200);
  });

  const anySettings = fc
    .record({
      minDelay: fc.integer({ min: 0, max: 10_000 }),
      span: fc.integer({ min: 0, max: 100_000 }),
      base: fc.double({ min: 1, max: 10, noNaN: true }),
      jitter: fc.constantFrom<Jitter>("full", "bounded", "none"),
    })
    .map(({ minDelay, span, base, jitter }) => ({ minDelay, maxDelay: minDelay + span, base, jitter }));

  it("always stays within [0, maxDelay], and above minDelay unless the jitter is full", () => {
    fc.assert(
      fc.property(
        anySettings,
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 0.9999999 }),
        (s, retry, r) => {
          const d = backoffDelay(s, retry, () => r);
          if (!(d >= 0 && d <= s.maxDelay)) return false;
          return s.jitter === "full" || d >= s.minDelay;
        },
      ),
    );
  });

  it("never shrinks from one retry to the next without jitter", () => {
    fc.assert(
      fc.property(anySettings, fc.integer({ min: 1, max: 2000 }), (s, retry) => {
        const none = { ...s, jitter: "none" as const };
        return backoffDelay(none, retry + 1, Math.random) >= backoffDelay(none, retry, Math.random);
      }),
    );
  });
});
