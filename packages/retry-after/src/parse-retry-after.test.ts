import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_DELAY_SECONDS, parseHttpDate, parseRetryAfter } from "./parse-retry-after.ts";

const NOW = Date.UTC(2025, 5, 15, 12, 0, 0); // Sun, 15 Jun 2025 12:00:00 GMT
const RFC_EXAMPLE = Date.UTC(1994, 10, 6, 8, 49, 37); // RFC 9110's "Sun, 06 Nov 1994 08:49:37 GMT"

describe("parseRetryAfter", () => {
  it.each([
    ["0", NOW],
    ["1", NOW + 1000],
    ["120", NOW + 120_000],
    ["  30  ", NOW + 30_000],
    ["\t5\t", NOW + 5000],
    ["007", NOW + 7000],
    ["0000000000000000000000003", NOW + 3000],
    ["2147483647", NOW + MAX_DELAY_SECONDS * 1000],
    ["2147483648", NOW + MAX_DELAY_SECONDS * 1000],
    ["99999999999999999999999999999999", NOW + MAX_DELAY_SECONDS * 1000],
  ])("reads delay-seconds %j", (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it.each([
    ["IMF-fixdate", "Sun, 06 Nov 1994 08:49:37 GMT", RFC_EXAMPLE],
    ["RFC 850", "Sunday, 06-Nov-94 08:49:37 GMT", RFC_EXAMPLE],
    ["asctime", "Sun Nov  6 08:49:37 1994", RFC_EXAMPLE],
    ["asctime two-digit day", "Thu Nov 16 08:49:37 2023", Date.UTC(2023, 10, 16, 8, 49, 37)],
    ["IMF-fixdate in the future", "Mon, 16 Jun 2025 12:00:00 GMT", NOW + 86_400_000],
    ["IMF-fixdate with surrounding spaces", "  Sun, 15 Jun 2025 12:00:05 GMT ", NOW + 5000],
    ["leap day", "Thu, 29 Feb 2024 00:00:00 GMT", Date.UTC(2024, 1, 29)],
    ["leap second", "Sun, 15 Jun 2025 11:59:60 GMT", NOW],
  ])("reads the %s form", (_form, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it("keeps a four-digit year below 100 literal (no 19xx reading)", () => {
    expect(new Date(parseRetryAfter("Mon, 01 Jan 0001 00:00:00 GMT", NOW)!).getUTCFullYear()).toBe(1);
  });

  it("reads an RFC 850 year more than 50 years ahead as the past century (RFC 9110 §5.6.7)", () => {
    expect(parseRetryAfter("Saturday, 01-Jan-80 00:00:00 GMT", NOW)).toBe(Date.UTC(1980, 0, 1));
    expect(parseRetryAfter("Thursday, 01-Jan-70 00:00:00 GMT", NOW)).toBe(Date.UTC(2070, 0, 1));
    expect(parseRetryAfter("Wednesday, 01-Jan-25 00:00:00 GMT", NOW)).toBe(Date.UTC(2025, 0, 1));
  });

  it("gives a date in the past as a deadline before now (no wait)", () => {
    expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).toBeLessThan(NOW);
  });

  it.each([
    ["empty", ""],
    ["blank", "   "],
    ["negative", "-1"],
    ["signed", "+5"],
    ["fractional", "1.5"],
    ["exponent", "1e3"],
    ["hex", "0x10"],
    ["inner space", "1 0"],
    ["unit", "10s"],
    ["words", "soon"],
    ["infinity", "Infinity"],
    ["NaN", "NaN"],
    ["two values", "10, 20"],
    ["lower-case GMT", "Sun, 06 Nov 1994 08:49:37 gmt"],
    ["other zone", "Sun, 06 Nov 1994 08:49:37 UTC"],
    ["numeric offset", "Sun, 06 Nov 1994 08:49:37 +0000"],
    ["ISO 8601", "1994-11-06T08:49:37Z"],
    ["missing weekday", "06 Nov 1994 08:49:37 GMT"],
    ["bad weekday", "Fun, 06 Nov 1994 08:49:37 GMT"],
    ["long weekday in IMF-fixdate", "Sunday, 06 Nov 1994 08:49:37 GMT"],
    ["bad month", "Sun, 06 Foo 1994 08:49:37 GMT"],
    ["day 00", "Sun, 00 Nov 1994 08:49:37 GMT"],
    ["31 Feb", "Mon, 31 Feb 2025 00:00:00 GMT"],
    ["29 Feb in a common year", "Sat, 29 Feb 2025 00:00:00 GMT"],
    ["hour 24", "Sun, 06 Nov 1994 24:00:00 GMT"],
    ["minute 60", "Sun, 06 Nov 1994 08:60:00 GMT"],
    ["second 61", "Sun, 06 Nov 1994 08:49:61 GMT"],
    ["one-digit day in IMF-fixdate", "Sun, 6 Nov 1994 08:49:37 GMT"],
    ["four-digit year in RFC 850", "Sunday, 06-Nov-1994 08:49:37 GMT"],
    ["asctime without padding", "Sun Nov 6 08:49:37 1994"],
    ["asctime with GMT", "Sun Nov  6 08:49:37 1994 GMT"],
    ["overlong", `${"1".repeat(70)}`],
    ["control characters", "1\u00000"],
  ])("ignores %s", (_what, value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it.each([[undefined], [null]])("ignores a missing value (%j)", (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it("never throws and returns a finite deadline or undefined, for any string", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80 }),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        (value, now) => {
          const got = parseRetryAfter(value, now);
          return got === undefined || Number.isFinite(got);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("reads every non-negative integer as now + that many seconds, within the clamp", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), (n) => {
        const expected = NOW + Number(n > BigInt(MAX_DELAY_SECONDS) ? BigInt(MAX_DELAY_SECONDS) : n) * 1000;
        return parseRetryAfter(n.toString(), NOW) === expected;
      }),
    );
  });

  it("round-trips any IMF-fixdate that Date.toUTCString produces", () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) }), (ms) => {
        const whole = Math.floor(ms / 1000) * 1000;
        return parseHttpDate(new Date(whole).toUTCString(), NOW) === whole;
      }),
    );
  });
});
