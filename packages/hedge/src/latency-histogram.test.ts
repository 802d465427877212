import { describe, expect, it } from "vitest";
import { LatencyHistogram } from "./latency-histogram.ts";

describe("LatencyHistogram", () => {
  it("has no quantile before the first sample", () => {
    expect(new LatencyHistogram(100).quantile(0.95)).toBeUndefined();
  });

  it("answers quantiles within 10 % above the true value", () => {
    const h = new LatencyHistogram(10_000);
    for (let ms = 1; ms <= 1000; ms++) h.record(ms);
    for (const [q, truth] of [
      [0.5, 500],
      [0.95, 950],
      [0.99, 990],
    ] as const) {
      const v = h.quantile(q)!;
      expect(v).toBeGreaterThanOrEqual(truth);
      expect(v).toBeLessThanOrEqual(truth * 1.1);
    }
  });

  it("sees a 2 % slow tail above p95 but inside p99", () => {
    const h = new LatencyHistogram(10_000);
    for (let i = 0; i < 1000; i++) h.record(i % 50 === 0 ? 200 : 2);
    expect(h.quantile(0.95)).toBeLessThanOrEqual(2.2);
    expect(h.quantile(0.99)).toBeGreaterThanOrEqual(200);
  });

  it("forgets the older window once the newer one fills, keeping memory fixed", () => {
    const h = new LatencyHistogram(100);
    for (let i = 0; i < 100; i++) h.record(1000);
    for (let i = 0; i < 100; i++) h.record(1);
    expect(h.count).toBe(200);
    expect(h.quantile(0.5)).toBeLessThanOrEqual(1.1);
    h.record(1); // the 1000 ms window is dropped
    expect(h.count).toBe(101);
    expect(h.quantile(0.99)).toBeLessThanOrEqual(1.1);
  });

  it("clamps values outside the buckets instead of failing", () => {
    const h = new LatencyHistogram(10);
    h.record(0);
    h.record(-5);
    h.record(1e12);
    expect(h.quantile(0.01)).toBeCloseTo(0.11, 5);
    expect(h.quantile(0.99)).toBeGreaterThan(200_000);
  });
});
