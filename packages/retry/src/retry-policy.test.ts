import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_STATUSES, IDEMPOTENT_METHODS } from "./classify.ts";
import type { RetryPolicyOptions } from "./retry-policy.ts";
import { isRetryPolicy, retryPolicy } from "./retry-policy.ts";

describe("retryPolicy", () => {
  it("fills in the documented defaults", () => {
    const p = retryPolicy();
    expect(p).toMatchObject({
      maxRetries: 3,
      maxElapsed: Number.POSITIVE_INFINITY,
      minDelay: 100,
      maxDelay: 20_000,
      base: 2,
      jitter: "full",
      delay: undefined,
      shouldRetry: undefined,
      retryNonIdempotent: false,
      onExhausted: "return",
      resume: false,
    });
    expect([...p.statuses]).toEqual(DEFAULT_RETRY_STATUSES);
    expect([...p.methods]).toEqual(IDEMPOTENT_METHODS);
    expect(isRetryPolicy(p)).toBe(true);
    expect(Object.isFrozen(p)).toBe(true);
  });

  it("tells policies from look-alikes", () => {
    expect(isRetryPolicy({ ...retryPolicy() })).toBe(true); // the brand is an own symbol property
    expect(isRetryPolicy({ maxRetries: 3 })).toBe(false);
    expect(isRetryPolicy(null)).toBe(false);
  });

  it.each<[RetryPolicyOptions, RegExp]>([
    [{ maxRetries: -1 }, /maxRetries must be an integer >= 0/],
    [{ maxRetries: 1.5 }, /maxRetries/],
    [{ maxElapsed: -5 }, /maxElapsed/],
    [{ maxElapsed: Number.NaN }, /maxElapsed/],
    [{ minDelay: -1 }, /minDelay/],
    [{ maxDelay: Number.POSITIVE_INFINITY }, /maxDelay/],
    [{ minDelay: 500, maxDelay: 100 }, /maxDelay \(100\) must not be below minDelay \(500\)/],
    [{ base: 0.5 }, /base/],
    [{ jitter: "equal" as never }, /jitter/],
    [{ statuses: [503, 99] }, /statuses/],
    [{ statuses: "503" as never }, /statuses/],
    [{ methods: [""] }, /methods/],
    [{ onExhausted: "ignore" as never }, /onExhausted/],
    [{ delay: 100 as never }, /delay must be a function/],
    [{ shouldRetry: true as never }, /shouldRetry must be a function/],
    [{ resume: "yes" as never }, /resume must be a boolean/],
    [{ retryNonIdempotent: 1 as never }, /retryNonIdempotent must be a boolean/],
  ])("refuses %j synchronously", (options, message) => {
    expect(() => retryPolicy(options)).toThrow(message);
  });
});
