import { describe, expect, it } from "vitest";
import { GcsTokenError } from "../errors.ts";
import { TokenCache } from "./token-cache.ts";
import type { AccessToken, GcsTokenProvider } from "./token-provider.ts";

function scripted(clock: { now: number }, lifetimeMs: number | undefined) {
  let calls = 0;
  let fail = 0;
  const provider: GcsTokenProvider = {
    name: "scripted",
    async fetchToken(): Promise<AccessToken> {
      calls++;
      await new Promise((r) => setImmediate(r));
      if (fail > 0) {
        fail--;
        throw new Error("endpoint down");
      }
      return { token: `t${calls}`, expiresAt: lifetimeMs === undefined ? undefined : clock.now + lifetimeMs };
    },
  };
  return {
    provider,
    calls: () => calls,
    failNext: (n: number) => {
      fail = n;
    },
  };
}

const MIN = 60_000;

describe("TokenCache", () => {
  it("fetches once for 100 concurrent callers", async () => {
    const clock = { now: 0 };
    const p = scripted(clock, 60 * MIN);
    const cache = new TokenCache(p.provider, {
      scopes: ["s"],
      refreshBeforeMs: 5 * MIN,
      now: () => clock.now,
    });
    const tokens = await Promise.all(Array.from({ length: 100 }, () => cache.get()));
    expect(new Set(tokens)).toEqual(new Set(["t1"]));
    expect(p.calls()).toBe(1);
  });

  it("reuses a token until the refresh window, then fetches a new one once", async () => {
    const clock = { now: 0 };
    const p = scripted(clock, 60 * MIN);
    const cache = new TokenCache(p.provider, {
      scopes: ["s"],
      refreshBeforeMs: 5 * MIN,
      now: () => clock.now,
    });
    expect(await cache.get()).toBe("t1");
    clock.now = 55 * MIN - 1;
    expect(await cache.get()).toBe("t1");
    clock.now = 55 * MIN;
    expect(await Promise.all([cache.get(), cache.get()])).toEqual(["t2", "t2"]);
    expect(p.calls()).toBe(2);
  });

  it("refreshes short-lived tokens at half their lifetime, not on every call", async () => {
    const clock = { now: 0 };
    const p = scripted(clock, 2 * MIN);
    const cache = new TokenCache(p.provider, {
      scopes: ["s"],
      refreshBeforeMs: 5 * MIN,
      now: () => clock.now,
    });
    await cache.get();
    clock.now = MIN - 1;
    await cache.get();
    expect(p.calls()).toBe(1);
    clock.now = MIN;
    expect(await cache.get()).toBe("t2");
  });

  it("keeps using a still-valid token when an early refresh fails", async () => {
    const clock = { now: 0 };
    const p = scripted(clock, 60 * MIN);
    const cache = new TokenCache(p.provider, {
      scopes: ["s"],
      refreshBeforeMs: 5 * MIN,
      now: () => clock.now,
    });
    await cache.get();
    clock.now = 58 * MIN;
    p.failNext(1);
    expect(await cache.get()).toBe("t1");
    expect(await cache.get()).toBe("t3");
  });

  it("fails with GcsTokenError once the token has expired and the refresh fails; never hands out the old token", async () => {
    const clock = { now: 0 };
    const p = scripted(clock, 60 * MIN);
    const cache = new TokenCache(p.provider, {
      scopes: ["s"],
      refreshBeforeMs: 5 * MIN,
      now: () => clock.now,
    });
    await cache.get();
    clock.now = 60 * MIN;
    p.failNext(2);
    const errors = await Promise.all([cache.get(), cache.get()].map((g) => g.catch((e: unknown) => e)));
    expect(errors[0]).toBeInstanceOf(GcsTokenError);
    expect(errors[0]).toMatchObject({ problem: "refresh-failed", code: "SWITCHYARD_ERR_GCS_TOKEN" });
    expect(errors[1]).toBe(errors[0]);
    expect(p.calls()).toBe(2);
    // Failures are not cached: the next call tries again.
    await expect(cache.get()).rejects.toBeInstanceOf(GcsTokenError);
    expect(await cache.get()).toBe("t4");
  });

  it("refuses a provider token that is already expired", async () => {
    const clock = { now: 1000 };
    const provider: GcsTokenProvider = {
      name: "stale",
      fetchToken: async () => ({ token: "old", expiresAt: 999 }),
    };
    const cache = new TokenCache(provider, { scopes: ["s"], refreshBeforeMs: 0, now: () => clock.now });
    await expect(cache.get()).rejects.toMatchObject({ problem: "expired" });
  });

  it("keeps tokens without expiry forever and drops them on invalidate", async () => {
    const clock = { now: 0 };
    const p = scripted(clock, undefined);
    const cache = new TokenCache(p.provider, {
      scopes: ["s"],
      refreshBeforeMs: 5 * MIN,
      now: () => clock.now,
    });
    await cache.get();
    clock.now = 1e12;
    expect(await cache.get()).toBe("t1");
    cache.invalidate("other");
    expect(await cache.get()).toBe("t1");
    cache.invalidate("t1");
    expect(await cache.get()).toBe("t2");
  });
});
