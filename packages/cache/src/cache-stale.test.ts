import type { ServerResponse } from "node:http";
import { cacheStatusKey } from "@switchyard/core";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cachedClient, collectEvents, manualClock } from "./test-helpers.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
afterEach(() => server.reset());

const hits = (path: string) => server.requests.filter((r) => r.url === path);

describe("cache stale-while-revalidate", () => {
  it("serves the stale body at once and revalidates in the background", async () => {
    const clock = manualClock();
    let version = 1;
    server.route("/swr", (_req, res) => {
      (res as ServerResponse).writeHead(200, {
        "cache-control": "max-age=10, stale-while-revalidate=60",
        etag: `"v${version}"`,
      });
      res.end(`v${version}`);
    });
    const { client, cached } = cachedClient({ now: clock.now });
    await (await client.request(`${server.origin}/swr`)).text();
    await cached.idle();
    clock.advance(20_000);
    version = 2;
    const { result: stale, events } = await collectEvents(async () => {
      const res = await client.request(`${server.origin}/swr`);
      const text = await res.text();
      await cached.idle();
      return { status: res.context.get(cacheStatusKey), text };
    });
    expect(stale).toEqual({ status: "stale", text: "v1" });
    expect(events.find(([name]) => name === "stale")?.[1]).toMatchObject({
      reason: "stale-while-revalidate",
    });
    expect(hits("/swr").map((r) => r.headers["if-none-match"])).toEqual([undefined, '"v1"']);
    const fresh = await client.request(`${server.origin}/swr`);
    expect(fresh.context.get(cacheStatusKey)).toBe("hit");
    expect(await fresh.text()).toBe("v2");
    await client.close();
  });

  it("revalidates synchronously once the stale-while-revalidate window has passed", async () => {
    const clock = manualClock();
    server.route("/swr-late", {
      headers: { "cache-control": "max-age=10, stale-while-revalidate=5" },
      body: "x",
    });
    const { client, cached } = cachedClient({ now: clock.now });
    await (await client.request(`${server.origin}/swr-late`)).text();
    await cached.idle();
    clock.advance(30_000);
    const res = await client.request(`${server.origin}/swr-late`);
    expect(res.context.get(cacheStatusKey)).toBe("miss");
    await res.text();
    await client.close();
  });
});

describe("cache stale-if-error", () => {
  it("answers with the stale body when the origin fails with 5xx, within the server's bound", async () => {
    const clock = manualClock();
    server.route("/sie", [
      { headers: { "cache-control": "max-age=10, stale-if-error=60", etag: '"s"' }, body: "kept" },
      { status: 503, body: "down" },
    ]);
    const { client, cached } = cachedClient({ now: clock.now });
    await (await client.request(`${server.origin}/sie`)).text();
    await cached.idle();
    clock.advance(30_000);
    const res = await client.request(`${server.origin}/sie`);
    expect(res.context.get(cacheStatusKey)).toBe("stale");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("kept");
    clock.advance(60_000);
    const late = await client.request(`${server.origin}/sie`);
    expect(late.status).toBe(503);
    await late.text();
    await client.close();
  });

  it("answers with the stale body when the origin cannot be reached", async () => {
    const clock = manualClock();
    const origin = await startTestServer();
    origin.route("/gone", {
      headers: { "cache-control": "max-age=1, stale-if-error=600" },
      body: "still here",
    });
    const { client, cached } = cachedClient({ now: clock.now });
    await (await client.request(`${origin.origin}/gone`)).text();
    await cached.idle();
    await origin.close();
    clock.advance(5_000);
    const res = await client.request(`${origin.origin}/gone`);
    expect(res.context.get(cacheStatusKey)).toBe("stale");
    expect(await res.text()).toBe("still here");
    await client.close();
  });

  it("never serves stale for an error when the response said must-revalidate", async () => {
    const clock = manualClock();
    server.route("/mr", [
      { headers: { "cache-control": "max-age=1, must-revalidate, stale-if-error=600" }, body: "m" },
      { status: 500, body: "err" },
    ]);
    const { client, cached } = cachedClient({ now: clock.now });
    await (await client.request(`${server.origin}/mr`)).text();
    await cached.idle();
    clock.advance(5_000);
    const res = await client.request(`${server.origin}/mr`);
    expect(res.status).toBe(500);
    await res.text();
    await client.close();
  });
});

describe("cache coalescing", () => {
  it("makes one upstream request for N concurrent misses; the others stream the stored body", async () => {
    server.route("/one", { headers: { "cache-control": "max-age=60" }, body: "shared body", delayMs: 50 });
    const { client, cached } = cachedClient();
    const texts = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const res = await client.request(`${server.origin}/one`);
        return [res.context.get(cacheStatusKey), await res.text()];
      }),
    );
    await cached.idle();
    expect(hits("/one")).toHaveLength(1);
    expect(texts.filter(([status]) => status === "miss")).toHaveLength(1);
    expect(texts.filter(([status]) => status === "hit")).toHaveLength(7);
    expect(new Set(texts.map(([, text]) => text))).toEqual(new Set(["shared body"]));
    await client.close();
  });

  it("never joins calls of different credentials", async () => {
    server.route("/who", (req, res) => {
      setTimeout(() => {
        (res as ServerResponse).writeHead(200, { "cache-control": "private, max-age=60" });
        res.end(String(req.headers.authorization));
      }, 30);
    });
    const { client, cached } = cachedClient();
    const texts = await Promise.all(
      ["Bearer a", "Bearer b", "Bearer a"].map(async (authorization) =>
        (await client.request(`${server.origin}/who`, { headers: { authorization } })).text(),
      ),
    );
    await cached.idle();
    expect(texts).toEqual(["Bearer a", "Bearer b", "Bearer a"]);
    expect(hits("/who")).toHaveLength(2);
    await client.close();
  });

  it("never joins unsafe methods", async () => {
    server.route("/post", { body: "p", delayMs: 20 });
    const { client } = cachedClient();
    await Promise.all(
      [1, 2, 3].map(async () =>
        (await client.request(`${server.origin}/post`, { method: "POST", body: "x" })).text(),
      ),
    );
    expect(hits("/post")).toHaveLength(3);
    await client.close();
  });
});
