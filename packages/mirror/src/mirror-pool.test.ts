import { describe, expect, it } from "vitest";
import { parsePrefixConfig } from "./mirror-config.ts";
import { Pool } from "./mirror-pool.ts";

function makePool(list: string[], clock: { t: number }, extra: { fallbackToOrigin?: boolean } = {}) {
  const settings = {
    cooldownMs: 10_000,
    failureDecayMs: 60_000,
    defaults: { maxFailures: 2, fallbackToOrigin: extra.fallbackToOrigin ?? false },
    now: () => clock.t,
  };
  return new Pool(parsePrefixConfig("https://h.example/ch", list, settings.defaults), settings);
}

describe("Pool", () => {
  it("counts failures, trips at maxFailures, offers one probe after the cool-down, resets on success", () => {
    const clock = { t: 1_000_000 };
    const pool = makePool(["http://a.example", "http://b.example"], clock);
    const [a] = pool.entries;
    expect(pool.recordFailure(a!, clock.t, "ConnectError: refused", false)).toBe(1);
    expect(pool.standingOf(a!, clock.t).availability).toBe("healthy");
    expect(pool.recordFailure(a!, clock.t, "ConnectError: refused", false)).toBe(2);
    expect(pool.standingOf(a!, clock.t).availability).toBe("cooling");
    clock.t += 9_999;
    expect(pool.standingOf(a!, clock.t).availability).toBe("cooling");
    clock.t += 1;
    expect(pool.standingOf(a!, clock.t).availability).toBe("probe");
    a!.state.probing = true;
    expect(pool.standingOf(a!, clock.t).availability).toBe("cooling");
    expect(pool.recordSuccess(a!, clock.t)).toBe(2);
    const snap = pool.snapshot().mirrors[0]!;
    expect(snap).toMatchObject({
      failures: 0,
      availability: "healthy",
      everAnswered: true,
      lastError: "ConnectError: refused",
      lastSuccess: clock.t,
      successes: 1,
      totalFailures: 2,
    });
    expect(Object.isFrozen(snap)).toBe(true);
  });

  it("forgives one failure per failureDecayMs without new failures", () => {
    const clock = { t: 0 };
    const pool = makePool(["http://a.example"], clock);
    const [a] = pool.entries;
    pool.recordFailure(a!, 0, "x", false);
    pool.recordFailure(a!, 0, "x", false);
    pool.recordFailure(a!, 0, "x", false);
    expect(pool.failuresOf(a!, 59_999)).toBe(3);
    expect(pool.failuresOf(a!, 60_000)).toBe(2);
    expect(pool.failuresOf(a!, 150_000)).toBe(1);
    // a new failure counts on top of what is left and restarts the period
    expect(pool.recordFailure(a!, 150_000, "x", false)).toBe(2);
    expect(pool.failuresOf(a!, 209_999)).toBe(2);
    expect(pool.failuresOf(a!, 210_000)).toBe(1);
  });

  it("keeps the history of mirrors present before and after a replacement, by URL without userinfo", () => {
    const clock = { t: 5_000 };
    const pool = makePool(["http://a.example/x/", "http://b.example"], clock);
    const [a, b] = pool.entries;
    pool.recordFailure(a!, clock.t, "a broke", false);
    pool.recordSuccess(b!, clock.t);
    pool.replace([{ url: "http://user:pw@a.example/x", maxFailures: 7 }, "http://c.example"]);
    const snap = pool.snapshot();
    expect(snap.mirrors.map((m) => [m.url, m.failures, m.maxFailures, m.lastError])).toEqual([
      ["http://***@a.example/x", 1, 7, "a broke"],
      ["http://c.example", 0, 2, undefined],
    ]);
    // b comes back with a fresh history: it left the pool in between
    pool.replace(["http://a.example/x", "http://b.example"]);
    expect(pool.snapshot().mirrors[1]!.successes).toBe(0);
    // the state object is shared, so an outcome recorded on the old entry lands in the new history
    pool.recordFailure(a!, clock.t, "late failure of a request in flight", false);
    expect(pool.snapshot().mirrors[0]!.lastError).toBe("late failure of a request in flight");
  });

  it("leaves the pool untouched when a replacement is invalid", () => {
    const pool = makePool(["http://a.example"], { t: 0 });
    expect(() => pool.replace([])).toThrow(/non-empty/);
    expect(pool.snapshot().mirrors.map((m) => m.url)).toEqual(["http://a.example"]);
  });

  it("lists the origin last in the snapshot when it is the fallback", () => {
    const pool = makePool(["http://a.example"], { t: 0 }, { fallbackToOrigin: true });
    expect(pool.snapshot().mirrors.map((m) => [m.kind, m.url])).toEqual([
      ["mirror", "http://a.example"],
      ["origin", "https://h.example/ch"],
    ]);
  });
});
