import { describe, expect, it } from "vitest";
import type { CircuitSettings } from "./circuit.ts";
import { Circuit } from "./circuit.ts";

const settings: CircuitSettings = {
  failureRatio: 0.5,
  minimumRequests: 4,
  windowMs: 1000,
  buckets: 10,
  openMs: 5000,
  halfOpenProbes: 2,
};

function opened(at = 0): Circuit {
  const c = new Circuit(settings);
  for (let i = 0; i < 4; i++) c.record(at, true, false);
  expect(c.state).toBe("open");
  return c;
}

describe("Circuit", () => {
  it("stays closed below the minimum volume, whatever the ratio", () => {
    const c = new Circuit(settings);
    for (let i = 0; i < 3; i++) expect(c.record(0, true, false)).toBeUndefined();
    expect(c.state).toBe("closed");
    expect(c.record(0, true, false)).toBe("open");
  });

  it("opens when the failure ratio reaches the threshold with enough volume", () => {
    const c = new Circuit(settings);
    c.record(0, false, false);
    c.record(0, false, false);
    c.record(0, true, false);
    expect(c.state).toBe("closed"); // 1/3, under the volume anyway
    expect(c.record(0, true, false)).toBe("open"); // 2/4 = 0.5
    expect(c.openUntil).toBe(5000);
  });

  it("does not open on failures spread over more than one window", () => {
    const c = new Circuit(settings);
    for (let t = 0; t < 8000; t += 1100) c.record(t, true, false);
    expect(c.state).toBe("closed");
  });

  it("rejects while open, naming when it will probe", () => {
    const c = opened();
    expect(c.admit(4999)).toEqual({ kind: "reject", state: "open", probeAt: 5000 });
  });

  it("turns half-open after openMs and admits at most halfOpenProbes at once", () => {
    const c = opened();
    expect(c.admit(5000).kind).toBe("probe");
    expect(c.state).toBe("half-open");
    expect(c.admit(5001).kind).toBe("probe");
    expect(c.admit(5002)).toEqual({ kind: "reject", state: "half-open", probeAt: 5002 });
  });

  it("closes after halfOpenProbes successes, with a fresh window", () => {
    const c = opened();
    c.admit(5000);
    c.admit(5000);
    expect(c.record(5001, false, true)).toBeUndefined();
    expect(c.record(5002, false, true)).toBe("close");
    expect(c.state).toBe("closed");
    expect(c.counts(5002)).toEqual({ total: 0, failures: 0 });
  });

  it("opens again on one failed probe", () => {
    const c = opened();
    c.admit(5000);
    expect(c.record(5100, true, true)).toBe("open");
    expect(c.openUntil).toBe(10_100);
    expect(c.opened).toBe(2);
  });

  it("frees the slot of a probe that ended without a verdict", () => {
    const c = opened();
    c.admit(5000);
    c.admit(5000);
    c.release(true);
    expect(c.admit(5001).kind).toBe("probe");
  });

  it("ignores late outcomes of requests admitted before it opened", () => {
    const c = opened();
    expect(c.record(10, true, false)).toBeUndefined();
    expect(c.record(10, false, false)).toBeUndefined();
    expect(c.state).toBe("open");
  });

  it("opens on a remote deadline and never shortens one", () => {
    const c = new Circuit(settings);
    expect(c.openRemotely(100, 2000)).toBe("open");
    expect(c.openUntil).toBe(2100);
    expect(c.openRemotely(200, 500)).toBeUndefined();
    expect(c.openUntil).toBe(2100);
    expect(c.openRemotely(300, 9000)).toBeUndefined();
    expect(c.openUntil).toBe(9300);
  });
});
