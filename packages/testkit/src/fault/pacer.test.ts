import { describe, expect, it } from "vitest";
import { Pacer } from "./pacer.ts";

describe("Pacer", () => {
  it("slices chunks into at most 50 ms of bytes", () => {
    const pacer = new Pacer(1000);
    expect(pacer.slice(Buffer.alloc(120)).map((piece) => piece.length)).toEqual([50, 50, 20]);
    expect(new Pacer(10).slice(Buffer.alloc(2)).map((piece) => piece.length)).toEqual([1, 1]);
    expect(pacer.slice(Buffer.alloc(10))).toHaveLength(1);
  });

  it("lets the first piece go at once and spaces the next ones by their size over the rate", async () => {
    const pacer = new Pacer(100_000);
    const started = performance.now();
    await pacer.wait(5_000);
    const first = performance.now() - started;
    await pacer.wait(5_000);
    await pacer.wait(5_000);
    const total = performance.now() - started;
    expect(first).toBeLessThan(20);
    expect(total).toBeGreaterThanOrEqual(95);
    expect(total).toBeLessThan(400);
  });

  it("stops waiting when aborted", async () => {
    const pacer = new Pacer(1);
    await pacer.wait(1);
    await expect(pacer.wait(1, AbortSignal.timeout(10))).rejects.toMatchObject({ name: "AbortError" });
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("refuses the rate %s", (rate) => {
    expect(() => new Pacer(rate)).toThrow(RangeError);
  });
});
