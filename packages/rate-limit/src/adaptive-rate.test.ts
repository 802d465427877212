import { describe, expect, it } from "vitest";
import { AdaptiveRate } from "./adaptive-rate.ts";

const settings = { ceiling: Number.POSITIVE_INFINITY, beta: 0.5, increase: 1, minRate: 0.5 };

// Sends `perSecond` requests a second for `seconds`, from `start`; returns the time after.
function sendAt(rate: AdaptiveRate, start: number, perSecond: number, seconds: number): number {
  const gap = 1000 / perSecond;
  let t = start;
  for (let i = 0; i < perSecond * seconds; i++, t += gap) rate.recordSend(t);
  return t;
}

describe("AdaptiveRate", () => {
  it("is unlimited until the first throttle", () => {
    const r = new AdaptiveRate(settings);
    expect(r.rate).toBe(Number.POSITIVE_INFINITY);
    expect(r.success(1000)).toBeUndefined();
    expect(r.rate).toBe(Number.POSITIVE_INFINITY);
  });

  it("cuts from the measured send rate on the first throttle", () => {
    const r = new AdaptiveRate(settings);
    const t = sendAt(r, 0, 20, 10);
    expect(r.measured).toBeGreaterThan(18);
    expect(r.measured).toBeLessThanOrEqual(20);
    // The last half-second slice held 10 requests: 20/s, above the smoothed figure.
    expect(r.throttle(t)).toBe(Number.POSITIVE_INFINITY);
    expect(r.rate).toBeCloseTo(10, 5);
    expect(r.recoverTo).toBeCloseTo(20, 5);
  });

  it("cuts again on each throttle, never below minRate", () => {
    const r = new AdaptiveRate({ ...settings, ceiling: 8 });
    r.recordSend(0);
    r.throttle(0); // measured is the one request in this slice: 2/s
    expect(r.rate).toBe(1);
    r.throttle(1);
    expect(r.rate).toBe(0.5);
    r.throttle(2);
    expect(r.rate).toBe(0.5);
    expect(r.throttles).toBe(3);
  });

  it("recovers additively with time and lets an unconfigured origin go once back", () => {
    const r = new AdaptiveRate(settings);
    const t = sendAt(r, 0, 10, 10);
    r.throttle(t);
    const start = r.rate;
    const target = r.recoverTo;
    expect(r.success(t + 1000)).toBeUndefined();
    expect(r.rate).toBeCloseTo(start + 1, 5);
    expect(r.success(t + 3000)).toBeUndefined();
    expect(r.rate).toBeCloseTo(start + 3, 5);
    const needed = Math.ceil(target - start) * 1000;
    expect(r.success(t + needed)).toBe("recovered");
    expect(r.rate).toBe(Number.POSITIVE_INFINITY);
  });

  it("recovers to a configured ceiling and stays there", () => {
    const r = new AdaptiveRate({ ...settings, ceiling: 4 });
    r.throttle(0);
    expect(r.rate).toBe(2);
    expect(r.success(2000)).toBe("recovered");
    expect(r.rate).toBe(4);
    expect(r.success(9000)).toBeUndefined();
    expect(r.rate).toBe(4);
  });

  it("never recovers past a quota the server published", () => {
    const r = new AdaptiveRate({ ...settings, ceiling: 100 });
    r.learnQuota(60, 60_000, 0); // 1/s
    expect(r.rate).toBe(1);
    expect(r.success(60_000)).toBeUndefined();
    expect(r.rate).toBe(1);
  });
});
