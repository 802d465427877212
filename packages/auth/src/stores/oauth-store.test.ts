import { describe, expect, it } from "vitest";
import { TokenRefreshError } from "../errors.ts";
import type { OAuthToken } from "./oauth-store.ts";
import { oauthStore } from "./oauth-store.ts";

const MIN = 60_000;

function clock(start = 1_000_000_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("oauthStore", () => {
  it("fetches a token on first use and reuses it until 5 minutes before expiry", async () => {
    const c = clock();
    let calls = 0;
    const store = oauthStore(
      {
        "api.example.com": { refresh: async () => ({ token: `t${++calls}`, expiresAt: c.now() + 60 * MIN }) },
      },
      { now: c.now },
    );
    expect(await store.get("https://api.example.com/")).toMatchObject({ kind: "bearer", token: "t1" });
    c.advance(54 * MIN);
    expect(await store.get("https://api.example.com/")).toMatchObject({ token: "t1" });
    c.advance(1 * MIN + 1);
    expect(await store.get("https://api.example.com/")).toMatchObject({ token: "t2" });
    expect(calls).toBe(2);
    expect(await store.get("https://other.example.com/")).toBeUndefined();
  });

  it("refreshes once for all concurrent callers", async () => {
    let calls = 0;
    let release: (t: OAuthToken) => void = () => {};
    const store = oauthStore({
      "api.example.com": {
        refresh: () => {
          calls++;
          return new Promise<OAuthToken>((resolve) => {
            release = resolve;
          });
        },
      },
    });
    const all = Promise.all(Array.from({ length: 50 }, () => store.get("https://api.example.com/")));
    await new Promise((r) => setImmediate(r));
    release({ token: "shared", expiresAt: Date.now() + 60 * MIN });
    const results = await all;
    expect(calls).toBe(1);
    expect(new Set(results.map((r) => (r as { token: string }).token))).toEqual(new Set(["shared"]));
  });

  it("uses the still-valid token when a refresh inside the window fails, never an expired one", async () => {
    const c = clock();
    let fail = false;
    const store = oauthStore(
      {
        "api.example.com": {
          token: "initial",
          expiresAt: c.now() + 10 * MIN,
          refresh: async () => {
            if (fail) throw new Error("token endpoint down");
            return { token: "next", expiresAt: c.now() + 60 * MIN };
          },
        },
      },
      { now: c.now },
    );
    expect(await store.get("https://api.example.com/")).toMatchObject({ token: "initial" });
    fail = true;
    c.advance(6 * MIN); // inside the 5-minute window
    expect(await store.get("https://api.example.com/")).toMatchObject({ token: "initial" });
    c.advance(4 * MIN); // now expired
    const error = await store.get("https://api.example.com/").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect((error as TokenRefreshError).code).toBe("SWITCHYARD_ERR_AUTH_REFRESH");
  });

  it("rejects a refresh that returns an expired or empty token", async () => {
    const c = clock();
    const expired = oauthStore(
      { a: { refresh: async () => ({ token: "old", expiresAt: c.now() - 1 }) } },
      { now: c.now },
    );
    await expect(expired.get("https://a/")).rejects.toThrow(/already expired/);
    const empty = oauthStore({ a: { refresh: async () => ({ token: "" }) } });
    await expect(empty.get("https://a/")).rejects.toThrow(/no usable token/);
  });

  it("after invalidate (a 401) refreshes even a token that has not expired, once", async () => {
    let calls = 0;
    const store = oauthStore({
      "api.example.com": { token: "rejected", refresh: async () => ({ token: `fresh${++calls}` }) },
    });
    const first = await store.get("https://api.example.com/");
    expect(first).toMatchObject({ token: "rejected" });
    await Promise.all([
      store.invalidate!("https://api.example.com/", first!),
      store.invalidate!("https://api.example.com/", first!),
    ]);
    const [a, b] = await Promise.all([
      store.get("https://api.example.com/"),
      store.get("https://api.example.com/"),
    ]);
    expect(a).toMatchObject({ token: "fresh1" });
    expect(b).toMatchObject({ token: "fresh1" });
    // A late invalidate with the old token does not throw the new one away.
    await store.invalidate!("https://api.example.com/", first!);
    expect(await store.get("https://api.example.com/")).toMatchObject({ token: "fresh1" });
    expect(calls).toBe(1);
  });

  it("validates entries synchronously", () => {
    expect(() => oauthStore({ a: {} as never })).toThrow(/refresh function/);
    expect(() => oauthStore({ a: { refresh: async () => ({ token: "t" }) } }, { refreshWindow: -1 })).toThrow(
      /refreshWindow/,
    );
  });
});
