import type { Next } from "@switchyard/core";
import { Context, HttpRequest, HttpResponse, notBeforeKey } from "@switchyard/core";
import { fakeClock } from "@switchyard/testkit/clock";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RetryAfterTooLongError } from "./errors.ts";
import { retryAfter } from "./retry-after.ts";

const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);

// Any header-safe text, plausible delays, and dates around now in the IMF-fixdate form.
const anyValue = fc.oneof(
  fc.string({ maxLength: 40 }).filter((s) => !/[\r\n\0]/.test(s)),
  fc.nat({ max: 10_000 }).map(String),
  fc.bigInt({ min: 0n, max: 10n ** 25n }).map(String),
  fc.integer({ min: -7200, max: 7200 }).map((s) => new Date(NOW + s * 1000).toUTCString()),
);

describe("retryAfter (properties)", () => {
  it("never waits longer than maxWait nor hints past it; farther deadlines fail fast", async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, fc.integer({ min: 0, max: 120_000 }), async (value, maxWait) => {
        const clock = fakeClock(NOW);
        const middleware = retryAfter({ maxWait, now: clock.now, sleep: clock.sleep });
        const request = new HttpRequest("http://127.0.0.1:9/x");
        const next: Next = async (r) =>
          new HttpResponse({ status: 503, headers: { "retry-after": value }, url: r.url });
        const first = new Context();
        await middleware.handle(request, next, first);
        const hint = first.get(notBeforeKey);
        if (hint !== undefined && (hint <= NOW || hint - NOW > maxWait)) return false;
        try {
          await middleware.handle(request, next, new Context());
        } catch (error) {
          if (!(error instanceof RetryAfterTooLongError) || !(error.waitMs > maxWait)) return false;
          if (error.deadline.getTime() - NOW !== error.waitMs) return false;
        }
        return clock.delays.every((d) => d > 0 && d <= maxWait) && middleware.store.size <= 1;
      }),
      { numRuns: 500 },
    );
  });

  it("waits exactly the delay-seconds when within maxWait", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 60 }), async (seconds) => {
        const clock = fakeClock(NOW);
        const middleware = retryAfter({ now: clock.now, sleep: clock.sleep });
        const request = new HttpRequest("http://127.0.0.1:9/");
        let calls = 0;
        const next: Next = async (r) =>
          new HttpResponse({
            status: calls++ === 0 ? 429 : 200,
            headers: { "retry-after": String(seconds) },
            url: r.url,
          });
        await middleware.handle(request, next, new Context());
        await middleware.handle(request, next, new Context());
        expect(clock.delays).toEqual([seconds * 1000]);
      }),
    );
  });
});
