import { InvalidOptionsError } from "@switchyard/core";
import { type RedisPeer, requirePeer, startRedis } from "@switchyard/test-peers";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisStore } from "./redis-store.ts";

const redis = requirePeer("redis");

describe.skipIf(redis.skip)(`redisStore ${redis.reason}`, () => {
  let server: RedisPeer;
  let raw: Redis;
  beforeAll(async () => {
    server = await startRedis({ password: "pa55-w0rd" });
    raw = new Redis(server.url);
  }, 30_000);
  afterAll(async () => {
    raw?.disconnect();
    await server?.stop();
  });

  it("hash-tags every key after the prefix, so a Cluster keeps one logical key in one slot", async () => {
    const store = redisStore({ url: server.url, prefix: "app1:" });
    try {
      await store.set("retry-after:abc", "v", 60_000);
      expect(await raw.keys("app1:*")).toEqual(["app1:{retry-after:abc}"]);
      const pttl = await raw.pttl("app1:{retry-after:abc}");
      expect(pttl).toBeGreaterThan(59_000);
    } finally {
      await store.close();
    }
  });

  it("two prefixes on one server do not see each other", async () => {
    const a = redisStore({ url: server.url, prefix: "a:" });
    const b = redisStore({ url: server.url, prefix: "b:" });
    try {
      await a.set("k", "from-a", 60_000);
      expect(await b.get("k")).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("a wrong password fails the operation with StateStoreError, and no password appears in it", async () => {
    const url = server.url.replace("pa55-w0rd", "n0t-the-pa55");
    const store = redisStore({ url, commandTimeoutMs: 1000 });
    try {
      const error = await store.get("k").catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "SWITCHYARD_ERR_STATE_STORE", store: "redis", operation: "get" });
      const seen =
        JSON.stringify(error, Object.getOwnPropertyNames(error as object)) +
        String(error) +
        String((error as Error).cause);
      expect(seen).not.toContain("n0t-the-pa55");
      expect(seen).not.toContain("pa55-w0rd");
    } finally {
      await store.close();
    }
  });

  it("leaves a caller's client open on close, and closes its own subscriber", async () => {
    const client = new Redis(server.url);
    const store = redisStore({ client, prefix: "own:" });
    store.subscribe("", () => {});
    await store.set("k", "v", 60_000);
    await store.close();
    expect(await client.ping()).toBe("PONG");
    client.disconnect();
  });

  it("refuses bad options synchronously, without quoting the URL", () => {
    expect(() => redisStore(undefined as never)).toThrow(InvalidOptionsError);
    expect(() => redisStore({})).toThrow(/exactly one of url and client/);
    expect(() => redisStore({ url: "http://x:secret@127.0.0.1:1" })).toThrow(/redis: or rediss:/);
    expect(() => redisStore({ url: "redis://u:secret@127.0.0.1:1", prefix: "{x}" })).toThrow(/prefix/);
    expect(() => redisStore({ url: ["redis://127.0.0.1:1", "redis://127.0.0.1:2"] })).toThrow(
      /cluster: true/,
    );
    expect(() => redisStore({ client: {} as never })).toThrow(/ioredis/);
    try {
      redisStore({ url: "not a url secret" });
    } catch (error) {
      expect(String(error)).not.toContain("secret");
    }
  });
});
