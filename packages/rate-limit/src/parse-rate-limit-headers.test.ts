import { describe, expect, it } from "vitest";
import { parseRateLimitHeaders, parseRetryAfterMs } from "./parse-rate-limit-headers.ts";

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

function parse(headers: Record<string, string>) {
  return parseRateLimitHeaders((name) => headers[name], NOW);
}

describe("parseRateLimitHeaders", () => {
  it.each([
    ["nothing", {}, undefined],
    ["Retry-After seconds", { "retry-after": "7" }, { retryAfterMs: 7000 }],
    ["Retry-After date", { "retry-after": new Date(NOW + 9000).toUTCString() }, { retryAfterMs: 9000 }],
    ["Retry-After in the past", { "retry-after": new Date(NOW - 9000).toUTCString() }, { retryAfterMs: 0 }],
    ["Retry-After garbage", { "retry-after": "soon" }, undefined],
    [
      "draft-07 RateLimit",
      { ratelimit: "limit=100, remaining=0, reset=30" },
      { remaining: 0, resetMs: 30_000, limit: 100 },
    ],
    ["draft-08 RateLimit", { ratelimit: '"default";r=5;t=12' }, { remaining: 5, resetMs: 12_000 }],
    ["draft-07 RateLimit-Policy", { "ratelimit-policy": "100;w=60" }, { limit: 100, windowMs: 60_000 }],
    [
      "draft-08 RateLimit-Policy",
      { "ratelimit-policy": '"burst";q=100;w=60, "daily";q=1000;w=86400' },
      { limit: 100, windowMs: 60_000 },
    ],
    [
      "RateLimit-* fields",
      { "ratelimit-limit": "10", "ratelimit-remaining": "3", "ratelimit-reset": "4" },
      { limit: 10, remaining: 3, resetMs: 4000 },
    ],
    [
      "GitHub X-RateLimit-* with a Unix reset",
      {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": String(NOW / 1000 + 60),
      },
      { limit: 5000, remaining: 0, resetMs: 60_000 },
    ],
    ["Docker Hub limit with window", { "ratelimit-limit": "100;w=21600" }, { limit: 100 }],
    ["negative remaining ignored", { "x-ratelimit-remaining": "-1" }, undefined],
  ])("%s", (_name, headers, expected) => {
    expect(parse(headers)).toEqual(expected);
  });

  it("prefers the combined RateLimit field over the separate ones", () => {
    expect(parse({ ratelimit: "remaining=2, reset=5", "x-ratelimit-remaining": "9" })).toMatchObject({
      remaining: 2,
      resetMs: 5000,
    });
  });
});

describe("parseRetryAfterMs", () => {
  it("clamps huge delays to what a timer can wait", () => {
    expect(parseRetryAfterMs("99999999999", NOW)).toBe(2_147_483_647);
  });
  it("refuses fractions and signs", () => {
    expect(parseRetryAfterMs("1.5", NOW)).toBeUndefined();
    expect(parseRetryAfterMs("-3", NOW)).toBeUndefined();
  });
});
