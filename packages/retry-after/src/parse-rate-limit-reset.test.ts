import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRateLimitReset, parseXRateLimitReset } from "./parse-rate-limit-reset.ts";
import { MAX_DELAY_SECONDS } from "./parse-retry-after.ts";

const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);

describe("parseRateLimitReset", () => {
  it.each([
    ["0", NOW],
    ["60", NOW + 60_000],
    [" 5 ", NOW + 5000],
    ["1700000000", NOW + 1_700_000_000_000],
    ["99999999999999", NOW + MAX_DELAY_SECONDS * 1000],
  ])("reads %j as a delay in seconds", (value, expected) => {
    expect(parseRateLimitReset(value, NOW)).toBe(expected);
  });

  it.each([
    [""],
    ["-1"],
    ["1.5"],
    ["soon"],
    ["Sun, 15 Jun 2025 12:00:00 GMT"],
    ["1".repeat(40)],
    [undefined],
  ])("ignores %j", (value) => {
    expect(parseRateLimitReset(value, NOW)).toBeUndefined();
  });
});

describe("parseXRateLimitReset", () => {
  it.each([
    ["a delay", "30", NOW + 30_000],
    ["a Unix time in seconds", "1750000000", 1_750_000_000_000],
    ["the threshold itself as a Unix time", "1000000000", 1_000_000_000_000],
    ["just below the threshold as a delay", "999999999", NOW + 999_999_999_000],
  ])("reads %s", (_what, value, expected) => {
    expect(parseXRateLimitReset(value, NOW)).toBe(expected);
  });

  it.each([[""], ["-5"], ["1e9"], ["12.5"], [null]])("ignores %j", (value) => {
    expect(parseXRateLimitReset(value, NOW)).toBeUndefined();
  });

  it("never throws and yields a finite number or undefined", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (value) => {
        const a = parseRateLimitReset(value, NOW);
        const b = parseXRateLimitReset(value, NOW);
        return (a === undefined || Number.isFinite(a)) && (b === undefined || Number.isFinite(b));
      }),
    );
  });
});
