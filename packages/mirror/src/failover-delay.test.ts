import { AbortError, TimeoutError } from "@switchyard/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { abortableSleep, defaultFailoverDelay, FAILOVER_DELAY_CAP_MS } from "./failover-delay.ts";

const where = { method: "GET", url: "https://h.example/x" };

describe("defaultFailoverDelay", () => {
  it.each([
    [0, 0],
    [-1, 0],
    [Number.NaN, 0],
    [1, 50],
    [2, 100],
    [3, 200],
    [4, 400],
    [6, 1600],
    [7, 2000],
    [50, 2000],
    [Number.POSITIVE_INFINITY, 2000],
  ])("failover %d waits %d ms", (n, ms) => {
    expect(defaultFailoverDelay(n)).toBe(ms);
  });

  it("never decreases and never passes the cap (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (n) => {
        expect(defaultFailoverDelay(n + 1)).toBeGreaterThanOrEqual(defaultFailoverDelay(n));
        expect(defaultFailoverDelay(n)).toBeLessThanOrEqual(FAILOVER_DELAY_CAP_MS);
      }),
    );
  });
});

describe("abortableSleep", () => {
  it("returns at once for 0 ms", async () => {
    // No timer: it settles in microtasks, so before any setImmediate callback, however busy the machine.
    const first = await Promise.race([
      abortableSleep(0, undefined, where).then(() => "sleep"),
      new Promise((resolve) => setImmediate(() => resolve("immediate"))),
    ]);
    expect(first).toBe("sleep");
  });

  it("rejects with AbortError at once when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(abortableSleep(60_000, controller.signal, where)).rejects.toBeInstanceOf(AbortError);
  });

  it("stops a long wait when the signal aborts, with the signal's Switchyard reason", async () => {
    const controller = new AbortController();
    const reason = new TimeoutError("request", "the call did not complete within 20 ms");
    const begin = performance.now();
    const sleeping = abortableSleep(60_000, controller.signal, where);
    setTimeout(() => controller.abort(reason), 20);
    await expect(sleeping).rejects.toBe(reason);
    expect(performance.now() - begin).toBeLessThan(2000);
  });
});
