import { describe, expect, it } from "vitest";
import { SlidingWindow } from "./sliding-window.ts";

describe("SlidingWindow", () => {
  it("sums the outcomes recorded inside the window", () => {
    const w = new SlidingWindow(1000, 10);
    w.record(0, false);
    w.record(50, true);
    w.record(950, true);
    expect(w.counts(999)).toEqual({ total: 3, failures: 2 });
  });

  it("drops a slice once it falls out of the window", () => {
    const w = new SlidingWindow(1000, 10);
    w.record(0, true); // slice 0: [0, 100)
    w.record(500, false); // slice 5
    expect(w.counts(1099)).toEqual({ total: 1, failures: 0 }); // slice 0 is out; slice 5 is in
    expect(w.counts(1599)).toEqual({ total: 0, failures: 0 });
  });

  it("resets a slot that comes round again instead of adding to its old counts", () => {
    const w = new SlidingWindow(1000, 10);
    w.record(10, true);
    w.record(1010, false); // same slot, one window later
    expect(w.counts(1010)).toEqual({ total: 1, failures: 0 });
  });

  it("forgets everything on clear", () => {
    const w = new SlidingWindow(1000, 4);
    for (let t = 0; t < 1000; t += 100) w.record(t, true);
    w.clear();
    expect(w.counts(999)).toEqual({ total: 0, failures: 0 });
  });
});
