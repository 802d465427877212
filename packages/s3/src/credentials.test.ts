import { describe, expect, it } from "vitest";
import { CachedProvider, REFRESH_BEFORE_EXPIRY_MS, type S3Keys } from "./credentials.ts";
import { S3CredentialsError } from "./errors.ts";

function counting(make: (n: number) => S3Keys | Promise<S3Keys>) {
  let calls = 0;
  const provider = async () => make(++calls);
  return { provider, calls: () => calls };
}

describe("CachedProvider", () => {
  it("calls the provider once for concurrent requests and reuses keys without expiration", async () => {
    const p = counting((n) => ({ accessKeyId: `id${n}`, secretAccessKey: "s" }));
    const cache = new CachedProvider(p.provider, () => 0);
    const all = await Promise.all(Array.from({ length: 20 }, () => cache.get()));
    expect(new Set(all.map((k) => k.accessKeyId))).toEqual(new Set(["id1"]));
    await cache.get();
    expect(p.calls()).toBe(1);
  });

  it("fetches again shortly before expiration", async () => {
    let now = 1_000_000;
    const p = counting((n) => ({
      accessKeyId: `id${n}`,
      secretAccessKey: "s",
      expiration: new Date(now + 60 * 60_000),
    }));
    const cache = new CachedProvider(p.provider, () => now);
    expect((await cache.get()).accessKeyId).toBe("id1");
    now += 60 * 60_000 - REFRESH_BEFORE_EXPIRY_MS - 1;
    expect((await cache.get()).accessKeyId).toBe("id1");
    now += 2;
    expect((await cache.get()).accessKeyId).toBe("id2");
  });

  it("fetches again after invalidate()", async () => {
    const p = counting((n) => ({ accessKeyId: `id${n}`, secretAccessKey: "s" }));
    const cache = new CachedProvider(p.provider, () => 0);
    await cache.get();
    cache.invalidate();
    expect((await cache.get()).accessKeyId).toBe("id2");
  });

  it.each<[string, () => Promise<unknown>, RegExp]>([
    [
      "a throwing provider",
      () => Promise.reject(new Error("profile default not found")),
      /provider failed \(Error\)/,
    ],
    ["keys without a secret", () => Promise.resolve({ accessKeyId: "a" }), /secretAccessKey/],
    [
      "expired keys",
      () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b", expiration: new Date(0) }),
      /already expired/,
    ],
    [
      "a bad expiration",
      () => Promise.resolve({ accessKeyId: "a", secretAccessKey: "b", expiration: "soon" }),
      /not a Date/,
    ],
  ])("turns %s into S3CredentialsError and does not cache it", async (_, provider, message) => {
    const cache = new CachedProvider(provider as () => Promise<S3Keys>, () => 1000);
    const error = await cache.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3CredentialsError);
    expect((error as Error).message).toMatch(message);
    expect((error as S3CredentialsError).code).toBe("SWITCHYARD_ERR_S3_CREDENTIALS");
    await expect(cache.get()).rejects.toBeInstanceOf(S3CredentialsError);
  });
});
