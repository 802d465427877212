import { Context, credentialKey, HttpRequest, InvalidOptionsError } from "@switchyard/core";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cache } from "./cache.ts";
import { credentialIdentity, entryKey, KEY_PREFIX } from "./cache-key.ts";
import { memoryStore } from "./memory-store.ts";
import { schemeCacheControl } from "./policy.ts";
import { cachedClient, collectEvents } from "./test-helpers.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe("cache events", () => {
  it("publish hit, miss and stored without a URL secret or a credential", async () => {
    server.route("/secret", { headers: { "cache-control": "private, max-age=60" }, body: "s" });
    const { client, cached } = cachedClient();
    const url = `http://user:pa55word@${server.origin.slice(7)}/secret?X-Amz-Signature=deadbeef&token=t0psecret`;
    const { events } = await collectEvents(async () => {
      for (let i = 0; i < 2; i++) {
        const res = await client.request(url, { headers: { authorization: "Bearer hunter2-token" } });
        await res.text();
        await cached.idle();
      }
    });
    expect(events.map(([name]) => name)).toEqual(["miss", "stored", "hit"]);
    const text = JSON.stringify(events.map(([name, e]) => [name, { ...e, context: undefined }]));
    for (const secret of ["pa55word", "deadbeef", "t0psecret", "hunter2-token"])
      expect(text).not.toContain(secret);
    await client.close();
  });
});

describe("cache through client.fetch with a Request", () => {
  it("takes the mode from the Request's cache", async () => {
    server.route("/req", { headers: { "cache-control": "max-age=60" }, body: "r" });
    const { client, cached } = cachedClient();
    await (await client.fetch(`${server.origin}/req`)).text();
    await cached.idle();
    const hit = await client.fetch(new Request(`${server.origin}/req`));
    expect(hit.headers.get("x-switchyard-cache")).toBe("hit");
    await hit.text();
    const reload = await client.fetch(new Request(`${server.origin}/req`, { cache: "reload" }));
    expect(reload.headers.get("x-switchyard-cache")).toBe("miss");
    await reload.text();
    expect(server.requests.filter((r) => r.url === "/req")).toHaveLength(2);
    await client.close();
  });
});

describe("cache options", () => {
  it.each([
    [{}, /dir .* or store/],
    [{ store: {} }, /store needs a get\(\) method/],
    [{ store: memoryStore(), mode: "sometimes" }, /mode must be one of/],
    [{ store: memoryStore(), heuristic: 2 }, /heuristic/],
    [{ store: memoryStore(), maxLag: 0 }, /maxLag/],
    [{ store: memoryStore(), statusHeader: "bad header" }, /statusHeader/],
    [{ store: memoryStore(), shared: "yes" }, /shared must be a boolean/],
    [{ store: memoryStore(), now: 5 }, /now must be a function/],
  ])("refuses %j at once with InvalidOptionsError", (options, message) => {
    expect(() => cache(options as never)).toThrow(InvalidOptionsError);
    expect(() => cache(options as never)).toThrow(message);
  });

  it("adds no header with statusHeader: false but still sets the context", async () => {
    server.route("/quiet", { headers: { "cache-control": "max-age=60" }, body: "q" });
    const { client } = cachedClient({ statusHeader: false });
    const res = await client.request(`${server.origin}/quiet`);
    expect(res.headers.has("x-switchyard-cache")).toBe(false);
    await res.text();
    await client.close();
  });
});

describe("entryKey and credentialIdentity", () => {
  it("hash the URL without userinfo or fragment, so no URL or token reaches a store", () => {
    const key = entryKey("https://u:p@example.test/t/abc123/x.json?sig=1#frag");
    expect(key.startsWith(KEY_PREFIX)).toBe(true);
    expect(key).not.toContain("abc123");
    expect(key).toBe(entryKey("https://example.test/t/abc123/x.json?sig=1"));
    expect(key).not.toBe(entryKey("https://example.test/t/abc123/x.json?sig=2"));
  });

  it("tell callers apart by header, userinfo and per-call credential, and is empty when anonymous", () => {
    const context = new Context();
    const anonymous = credentialIdentity(new HttpRequest("https://example.test/"), context);
    const a = credentialIdentity(
      new HttpRequest("https://example.test/", { headers: { authorization: "A" } }),
      context,
    );
    const b = credentialIdentity(
      new HttpRequest("https://example.test/", { headers: { authorization: "B" } }),
      context,
    );
    const user = credentialIdentity(new HttpRequest("https://u:p@example.test/"), context);
    const perCall = credentialIdentity(
      new HttpRequest("https://example.test/"),
      new Context().set(credentialKey, { kind: "bearer", token: "x" }),
    );
    expect(anonymous).toBe("");
    expect(new Set([a, b, user, perCall]).size).toBe(4);
    expect(a).not.toContain("A");
  });
});

describe("schemeCacheControl", () => {
  const digest = `oci://r.test/repo@sha256:${"0".repeat(64)}`;
  it.each([
    [digest, 200, undefined, "max-age=2147483648, immutable"],
    [digest, 200, "private", "max-age=2147483648, immutable, private"],
    [digest, 200, "no-store", undefined],
    [digest, 404, undefined, "no-cache"],
    ["oci://r.test/repo:1.0", 200, "max-age=60", "max-age=60, no-cache"],
    ["s3://bucket/key", 200, undefined, "no-cache"],
    ["gs://bucket/key", 200, "public", "public, no-cache"],
    ["s3://bucket/key", 200, "max-age=60", undefined],
    ["https://example.test/x", 200, undefined, undefined],
  ])("%s %d with %s gives %s", (url, status, cc, expected) => {
    expect(schemeCacheControl(url, status, cc, cc === undefined ? {} : { "cache-control": cc })).toBe(
      expected,
    );
  });
});
