import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { cache, memoryStore } from "@switchyard/cache";
import { createClient, type Middleware } from "@switchyard/core";
import { retry } from "@switchyard/retry";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { otel } from "../src/otel.ts";

// An origin whose /doc is cacheable for a minute and carries an ETag; /flaky fails once.
let server: http.Server;
let origin = "";
let hits = 0;
let flakes = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    if (req.url === "/flaky" && flakes++ === 0) {
      res.writeHead(503).end();
      return;
    }
    if (req.headers["if-none-match"] === '"v1"') {
      res.writeHead(304, { etag: '"v1"', "cache-control": "max-age=0" }).end();
      return;
    }
    const control = req.url === "/stale" ? "max-age=0" : "max-age=60";
    res.writeHead(200, { "cache-control": control, etag: '"v1"', "content-type": "text/plain" }).end("doc");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

function traced(list: (plugin: Middleware) => Middleware[]) {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const plugin = otel({ tracerProvider });
  const client = createClient({ middleware: list(plugin) });
  cleanup.push(async () => {
    await client.close();
    plugin.close();
    await tracerProvider.shutdown();
  });
  const calls = () => spans.getFinishedSpans().filter((s) => s.parentSpanContext === undefined);
  const attempts = () => spans.getFinishedSpans().filter((s) => s.parentSpanContext !== undefined);
  return { client, calls, attempts };
}

describe("otel with a cache", () => {
  it("traces a call the cache answered, with the cache status and no attempt", async () => {
    const t = traced((plugin) => [plugin, cache({ store: memoryStore() })]);
    const before = hits;
    expect(await (await t.client.request(`${origin}/doc`)).text()).toBe("doc");
    expect(await (await t.client.request(`${origin}/doc`)).text()).toBe("doc");
    expect(hits - before).toBe(1);
    const [miss, hit] = t.calls();
    expect(miss?.attributes).toMatchObject({ "switchyard.cache.status": "miss", "switchyard.attempts": 1 });
    expect(hit?.attributes).toMatchObject({
      "switchyard.cache.status": "hit",
      "switchyard.attempts": 0,
      "http.response.status_code": 200,
    });
    // Only the miss reached the network.
    expect(t.attempts()).toHaveLength(1);
    expect(t.attempts()[0]?.parentSpanContext?.spanId).toBe(miss?.spanContext().spanId);
  });

  it("traces hits listed after the cache too (its stage, observe, is outermost)", async () => {
    const t = traced((plugin) => [cache({ store: memoryStore() }), plugin]);
    await (await t.client.request(`${origin}/doc`)).text();
    await (await t.client.request(`${origin}/doc`)).text();
    expect(t.calls().map((s) => s.attributes["switchyard.cache.status"])).toEqual(["miss", "hit"]);
  });

  it("marks a revalidated call, whose attempt was answered 304", async () => {
    const t = traced((plugin) => [plugin, cache({ store: memoryStore() })]);
    // Read to the end: the cache stores a body as it is read.
    expect(await (await t.client.request(`${origin}/stale`)).text()).toBe("doc");
    expect(await (await t.client.request(`${origin}/stale`)).text()).toBe("doc");
    const [, second] = t.calls();
    expect(second?.attributes["switchyard.cache.status"]).toBe("revalidated");
    expect(second?.attributes["http.response.status_code"]).toBe(200);
    expect(t.attempts().at(-1)?.attributes["http.response.status_code"]).toBe(304);
  });

  it("wraps retry whatever the list order (one call span, two attempts)", async () => {
    const t = traced((plugin) => [retry({ sleep: async () => {} }), plugin]);
    const res = await t.client.request(`${origin}/flaky`);
    expect(res.status).toBe(200);
    await res.discard();
    expect(t.calls()).toHaveLength(1);
    expect(t.calls()[0]?.attributes).toMatchObject({ "switchyard.attempts": 2 });
    expect(t.attempts().map((s) => s.attributes["http.response.status_code"])).toEqual([503, 200]);
  });

  it("carries no cache status when no cache took part", async () => {
    const t = traced((plugin) => [plugin]);
    await (await t.client.request(`${origin}/doc`)).discard();
    expect(t.calls()[0]?.attributes["switchyard.cache.status"]).toBeUndefined();
  });
});
