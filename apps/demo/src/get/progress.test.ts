import { describe, expect, it } from "vitest";
import { createProgress, formatBytes, formatDuration, renderBar, renderLine } from "./progress.ts";

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1.00 KiB"],
    [1536, "1.50 KiB"],
    [12.3 * 1024 * 1024, "12.3 MiB"],
    [500 * 1024 * 1024, "500 MiB"],
    [2 * 1024 ** 3, "2.00 GiB"],
  ])("%d -> %s", (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [7.4, "7s"],
    [125, "2m05s"],
    [3720, "1h02m"],
    [Number.POSITIVE_INFINITY, "?"],
  ])("%d -> %s", (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
});

describe("renderBar and renderLine", () => {
  const half = { bytes: 512 * 1024, total: 1024 * 1024, elapsedMs: 1000 };
  it("shows percentage, bytes, rate and ETA when the length is known", () => {
    expect(renderBar(half, 10)).toBe("[#####.....]  50%  512 KiB / 1.00 MiB  512 KiB/s  ETA 1s");
    expect(renderLine(half)).toBe("progress 512 KiB / 1.00 MiB (50%) 512 KiB/s ETA 1s");
  });

  it("shows bytes and rate when the length is unknown", () => {
    const state = { bytes: 2048, total: undefined, elapsedMs: 2000 };
    expect(renderLine(state)).toBe("progress 2.00 KiB 1.00 KiB/s");
    expect(renderBar(state, 10)).toMatch(/^\[.{10}\] {2}2\.00 KiB {2}1\.00 KiB\/s$/);
  });
});

describe("createProgress", () => {
  function sink(isTTY: boolean) {
    const writes: string[] = [];
    return { writes, stream: { isTTY, write: (t: string) => writes.push(t) } };
  }

  it("redraws one line in place on a terminal, at most every 100 ms", () => {
    const { writes, stream } = sink(true);
    let t = 0;
    const p = createProgress(stream, 1000, () => t);
    p.update(100);
    t = 50;
    p.update(200); // too soon: skipped
    t = 150;
    p.update(300);
    p.finish(1000);
    expect(writes.filter((w) => w.startsWith("\r["))).toHaveLength(3);
    expect(writes.at(-1)).toBe("\n");
    expect(writes.some((w) => w.includes("\n") && w !== "\n")).toBe(false);
  });

  it("prints plain lines at most once a second otherwise", () => {
    const { writes, stream } = sink(false);
    let t = 0;
    const p = createProgress(stream, 1000, () => t);
    p.update(100);
    t = 500;
    p.update(200);
    t = 1200;
    p.update(300);
    p.finish(1000);
    expect(writes).toEqual([
      expect.stringMatching(/^progress 100 B \/ 1000 B \(10%\)/),
      expect.stringMatching(/^progress 300 B \/ 1000 B \(30%\)/),
      expect.stringMatching(/^progress 1000 B \/ 1000 B \(100%\)/),
    ]);
    expect(writes.every((w) => w.endsWith("\n") && !w.includes("\r"))).toBe(true);
  });
});
