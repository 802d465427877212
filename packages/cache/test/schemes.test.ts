import type { Middleware } from "@switchyard/core";
import { cacheStatusKey, createClient } from "@switchyard/core";
import { s3 } from "@switchyard/s3";
import type { S3Peer } from "@switchyard/test-peers";
import { startS3 } from "@switchyard/test-peers";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cache } from "../src/cache.ts";
import { memoryStore } from "../src/memory-store.ts";

describe("cache for s3:// through the s3 plugin and s3rver behind its SigV4 check", () => {
  let peer: S3Peer;
  beforeAll(async () => {
    peer = await startS3({ buckets: ["data"] });
    const put = await fetch(`${peer.upstreamUrl}/data/channel/repodata.json`, {
      method: "PUT",
      body: '{"v":1}',
    });
    await put.arrayBuffer();
  });
  afterAll(() => peer?.stop());

  it("keys by the s3:// URL and revalidates with the object's ETag: a signed 304, no body", async () => {
    const cached = cache({ store: memoryStore() });
    const client = createClient({
      middleware: [s3({ endpoint: peer.url, region: peer.region, credentials: peer.credentials }), cached],
    });
    const status = async () => {
      const res = await client.request("s3://data/channel/repodata.json");
      const body = await res.text();
      await cached.idle();
      return [res.context.get(cacheStatusKey), res.status, body];
    };
    expect(await status()).toEqual(["miss", 200, '{"v":1}']);
    expect(await status()).toEqual(["revalidated", 200, '{"v":1}']);
    const gets = peer.requests.filter((r) => r.method === "GET");
    expect(gets.map((r) => r.status)).toEqual([200, 304]);
    await client.close();
  });
});

describe("cache for oci:// blobs addressed by digest", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  // Stands in for @switchyard/oci's resolve step (the registry flow is that plugin's; what matters
  // here is the URL the cache sees): oci://host/repo@sha256:... becomes an http blob request.
  const resolveOci: Middleware = {
    name: "resolve-oci",
    stage: "resolve",
    handle: (request, next) => {
      if (request.scheme !== "oci") return next(request);
      const ref = request.url.slice(request.url.indexOf("@") + 1);
      return next(request.with({ url: `${server.origin}/v2/repo/blobs/${ref}` }));
    },
  };

  it("caches a digest-addressed blob for good, even when the registry says no-cache; a tag is revalidated", async () => {
    const digest = `sha256:${"a".repeat(64)}`;
    server.route(`/v2/repo/blobs/${digest}`, {
      headers: { "cache-control": "no-cache", etag: '"b"' },
      body: "blob",
    });
    const cached = cache({ store: memoryStore() });
    const client = createClient({ middleware: [cached, resolveOci] });
    for (const expected of ["miss", "hit", "hit"]) {
      const res = await client.request(`oci://registry.test/repo@${digest}`);
      expect([res.context.get(cacheStatusKey), await res.text()]).toEqual([expected, "blob"]);
      await cached.idle();
    }
    expect(server.requests).toHaveLength(1);
    await client.close();
  });
});
