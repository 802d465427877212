import type { ServerResponse } from "node:http";
import type { Middleware } from "@switchyard/core";
import { cacheStatusKey, createClient } from "@switchyard/core";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cache } from "./cache.ts";
import { CacheMissError } from "./errors.ts";
import { memoryStore } from "./memory-store.ts";
import { cachedClient, collectEvents, manualClock } from "./test-helpers.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
afterEach(() => server.reset());

const hits = (path: string) => server.requests.filter((r) => r.url.split("?")[0] === path);

describe("cache", () => {
  it("answers a second call for a fresh response from the store without a request", async () => {
    server.route("/fresh", {
      headers: { "cache-control": "max-age=60", "content-type": "text/plain" },
      body: "hello",
    });
    const { client, cached } = cachedClient();
    const first = await client.request(`${server.origin}/fresh`);
    expect(await first.text()).toBe("hello");
    expect(first.context.get(cacheStatusKey)).toBe("miss");
    expect(first.headers.get("x-switchyard-cache")).toBe("miss");
    await cached.idle();
    const second = await client.request(`${server.origin}/fresh`);
    expect(second.context.get(cacheStatusKey)).toBe("hit");
    expect(second.headers.get("x-switchyard-cache")).toBe("hit");
    expect(second.headers.get("content-type")).toBe("text/plain");
    expect(second.headers.get("age")).toBe("0");
    expect(await second.text()).toBe("hello");
    expect(hits("/fresh")).toHaveLength(1);
    await client.close();
  });

  it("revalidates a stale response with If-None-Match and serves the stored body on 304", async () => {
    const clock = manualClock();
    server.route("/etag", (req, res) => {
      if (req.headers["if-none-match"] === '"v1"') {
        (res as ServerResponse).writeHead(304, { etag: '"v1"', "cache-control": "max-age=10" });
        res.end();
        return;
      }
      (res as ServerResponse).writeHead(200, {
        etag: '"v1"',
        "cache-control": "max-age=10",
        "content-length": "4",
      });
      res.end("body");
    });
    const { client, cached } = cachedClient({ now: clock.now });
    await (await client.request(`${server.origin}/etag`)).text();
    await cached.idle();
    clock.advance(11_000);
    const { result: again, events } = await collectEvents(() => client.request(`${server.origin}/etag`));
    expect(again.context.get(cacheStatusKey)).toBe("revalidated");
    expect(await again.text()).toBe("body");
    expect(hits("/etag").map((r) => r.headers["if-none-match"])).toEqual([undefined, '"v1"']);
    expect(events.map(([name]) => name)).toContain("revalidated");
    // Fresh again for max-age from the 304.
    const third = await client.request(`${server.origin}/etag`);
    expect(third.context.get(cacheStatusKey)).toBe("hit");
    await third.text();
    expect(hits("/etag")).toHaveLength(2);
    await client.close();
  });

  it("stores nothing from a no-store response and answers from the network each time", async () => {
    server.route("/nostore", { headers: { "cache-control": "no-store" }, body: "x" });
    const { client, cached } = cachedClient();
    for (let i = 0; i < 3; i++) {
      const res = await client.request(`${server.origin}/nostore`);
      expect(res.context.get(cacheStatusKey)).toBe("miss");
      await res.text();
      await cached.idle();
    }
    expect(hits("/nostore")).toHaveLength(3);
    await client.close();
  });

  it("keeps variants apart by Vary", async () => {
    server.route("/vary", (req, res) => {
      (res as ServerResponse).writeHead(200, {
        vary: "accept",
        "cache-control": "max-age=60",
        "content-type": String(req.headers.accept),
      });
      res.end(String(req.headers.accept));
    });
    const { client, cached } = cachedClient();
    const get = async (accept: string) => {
      const res = await client.request(`${server.origin}/vary`, { headers: { accept } });
      const text = await res.text();
      await cached.idle();
      return [res.context.get(cacheStatusKey), text];
    };
    expect(await get("text/a")).toEqual(["miss", "text/a"]);
    expect(await get("text/a")).toEqual(["hit", "text/a"]);
    expect(await get("text/b")).toEqual(["miss", "text/b"]);
    await client.close();
  });

  it("serves a stored response only to the credential that fetched it", async () => {
    server.route("/private", (req, res) => {
      (res as ServerResponse).writeHead(200, { "cache-control": "private, max-age=60" });
      res.end(String(req.headers.authorization));
    });
    const { client, cached } = cachedClient();
    const get = async (authorization: string) => {
      const res = await client.request(`${server.origin}/private`, { headers: { authorization } });
      const text = await res.text();
      await cached.idle();
      return [res.context.get(cacheStatusKey), text];
    };
    expect(await get("Bearer alice")).toEqual(["miss", "Bearer alice"]);
    expect(await get("Bearer alice")).toEqual(["hit", "Bearer alice"]);
    expect(await get("Bearer bob")).toEqual(["miss", "Bearer bob"]);
    await client.close();
  });

  it("in shared mode stores a response to a credentialed request only when the RFC allows", async () => {
    server.route("/auth-plain", { headers: { "cache-control": "max-age=60" }, body: "a" });
    server.route("/auth-public", { headers: { "cache-control": "public, max-age=60" }, body: "b" });
    // Credentials added inside the cache, as auth does: the cache judges the request that went out.
    const addAuth: Middleware = {
      name: "add-auth",
      stage: "authorize",
      handle: (request, next) => next(request.with({ headers: { authorization: "Bearer s3cret" } })),
    };
    const { client, cached } = cachedClient({ shared: true }, [addAuth]);
    for (const path of ["/auth-plain", "/auth-public"]) {
      for (let i = 0; i < 2; i++) {
        await (await client.request(`${server.origin}${path}`)).text();
        await cached.idle();
      }
    }
    expect(hits("/auth-plain")).toHaveLength(2);
    expect(hits("/auth-public")).toHaveLength(1);
    await client.close();
  });

  it("invalidates the stored response when an unsafe method succeeds on its URL", async () => {
    server.route("/doc", { headers: { "cache-control": "max-age=60" }, body: "doc" });
    const { client, cached } = cachedClient();
    await (await client.request(`${server.origin}/doc`)).text();
    await cached.idle();
    await (await client.request(`${server.origin}/doc`, { method: "PUT", body: "new" })).text();
    await cached.idle();
    const after = await client.request(`${server.origin}/doc`);
    expect(after.context.get(cacheStatusKey)).toBe("miss");
    await after.text();
    expect(hits("/doc").map((r) => r.method)).toEqual(["GET", "PUT", "GET"]);
    await client.close();
  });

  it("passes range and conditional requests from the caller through untouched", async () => {
    server.route("/range", { headers: { "cache-control": "max-age=60" }, body: "0123456789" });
    const { client, cached } = cachedClient();
    await (await client.request(`${server.origin}/range`, { headers: { range: "bytes=0-1" } })).text();
    await cached.idle();
    const full = await client.request(`${server.origin}/range`);
    expect(full.context.get(cacheStatusKey)).toBe("miss");
    await full.text();
    await client.close();
  });
});

describe("cache modes", () => {
  const fresh = { headers: { "cache-control": "max-age=60", etag: '"m1"' }, body: "m" };

  it.each([
    ["no-store", "miss", 2],
    ["reload", "miss", 2],
    ["no-cache", "miss", 2],
    ["force-cache", "hit", 1],
    ["only-if-cached", "hit", 1],
    ["default", "hit", 1],
  ] as const)("%s on a fresh stored response answers %s after %d requests", async (mode, status, count) => {
    const path = `/mode-${mode}`;
    server.route(path, fresh);
    const { client, cached } = cachedClient();
    await (await client.request(`${server.origin}${path}`)).text();
    await cached.idle();
    const res = await client.request(`${server.origin}${path}`, { cache: mode });
    await res.text();
    await cached.idle();
    expect(hits(path)).toHaveLength(count);
    if (mode !== "no-store") expect(res.context.get(cacheStatusKey)).toBe(status);
    if (mode === "no-cache") expect(hits(path)[1]?.headers["if-none-match"]).toBe('"m1"');
    if (mode === "reload") expect(hits(path)[1]?.headers["if-none-match"]).toBeUndefined();
    await client.close();
  });

  it("no-cache answers revalidated when the server says 304", async () => {
    server.route("/nc", (req, res) => {
      (res as ServerResponse).writeHead(req.headers["if-none-match"] ? 304 : 200, {
        etag: '"n"',
        "cache-control": "max-age=60",
      });
      res.end(req.headers["if-none-match"] ? "" : "n");
    });
    const { client, cached } = cachedClient();
    await (await client.request(`${server.origin}/nc`)).text();
    await cached.idle();
    const res = await client.request(`${server.origin}/nc`, { cache: "no-cache" });
    expect(res.context.get(cacheStatusKey)).toBe("revalidated");
    expect(await res.text()).toBe("n");
    await client.close();
  });

  it("force-cache serves a stale response without asking the network", async () => {
    const clock = manualClock();
    server.route("/force", { headers: { "cache-control": "max-age=1" }, body: "f" });
    const { client, cached } = cachedClient({ now: clock.now });
    await (await client.request(`${server.origin}/force`)).text();
    await cached.idle();
    clock.advance(3_600_000);
    const res = await client.request(`${server.origin}/force`, { cache: "force-cache" });
    expect(res.context.get(cacheStatusKey)).toBe("stale");
    expect(await res.text()).toBe("f");
    expect(hits("/force")).toHaveLength(1);
    await client.close();
  });

  it("only-if-cached without a stored response fails with CacheMissError and sends nothing", async () => {
    const { client } = cachedClient();
    const error = await client
      .request(`${server.origin}/never`, { cache: "only-if-cached" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CacheMissError);
    expect((error as CacheMissError).code).toBe("SWITCHYARD_ERR_CACHE_MISS");
    expect((error as CacheMissError).status).toBe(504);
    expect(String((error as Error).message)).toContain("GET");
    expect(hits("/never")).toHaveLength(0);
    await client.close();
  });

  it("takes the mode from client.fetch's init.cache and shows the outcome as a header", async () => {
    server.route("/fetch", { headers: { "cache-control": "max-age=60" }, body: "w" });
    const { client, cached } = cachedClient();
    const first = await client.fetch(`${server.origin}/fetch`);
    expect(first.headers.get("x-switchyard-cache")).toBe("miss");
    await first.text();
    await cached.idle();
    const second = await client.fetch(`${server.origin}/fetch`);
    expect(second.headers.get("x-switchyard-cache")).toBe("hit");
    await second.text();
    const reload = await client.fetch(`${server.origin}/fetch`, { cache: "reload" });
    expect(reload.headers.get("x-switchyard-cache")).toBe("miss");
    await reload.text();
    // As fetch: only-if-cached needs mode "same-origin"; a miss rejects as fetch rejects (a
    // TypeError) with the cache's CacheMissError as its cause, and sends nothing.
    await expect(client.fetch(`${server.origin}/nothing`, { cache: "only-if-cached" })).rejects.toThrow(
      "'only-if-cached' can be set only with 'same-origin' mode",
    );
    const miss = await client
      .fetch(`${server.origin}/nothing`, { cache: "only-if-cached", mode: "same-origin" })
      .catch((error: unknown) => error);
    expect(miss).toBeInstanceOf(TypeError);
    expect((miss as TypeError).cause).toBeInstanceOf(CacheMissError);
    expect(hits("/fetch")).toHaveLength(2);
    await client.close();
  });
});

describe("cache where it sits", () => {
  it("is outermost whatever the list order: a hit runs no inner middleware, a miss runs them once", async () => {
    server.route("/order", { headers: { "cache-control": "max-age=60" }, body: "o" });
    const seen: string[] = [];
    const spy = (name: string, stage: Middleware["stage"]): Middleware => ({
      name,
      stage,
      handle: (request, next) => {
        seen.push(name);
        return next(request);
      },
    });
    const cached = cache({ store: memoryStore() });
    const client = createClient({ middleware: [spy("auth", "authorize"), cached, spy("retry", "policy")] });
    expect(client.middleware.map((m) => m.name)).toEqual(["cache", "retry", "auth"]);
    await (await client.request(`${server.origin}/order`)).text();
    await cached.idle();
    expect(seen).toEqual(["retry", "auth"]);
    await (await client.request(`${server.origin}/order`)).text();
    expect(seen).toEqual(["retry", "auth"]);
    await client.close();
  });
});
