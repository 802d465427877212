import { mkdtempSync, rmSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cacheStatusKey, createClient } from "@switchyard/core";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cache } from "./cache.ts";
import { manualClock } from "./test-helpers.ts";

// Two caches on one directory stand for two processes sharing it: each remembers entries in its
// own memory, and only the directory is shared.
let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), "sy-cache-reval-"));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => server.reset());

function validated(path: string, cacheControl: string): void {
  server.route(path, (req, res) => {
    const out = res as ServerResponse;
    if (req.headers["if-none-match"] === '"v1"') {
      out.writeHead(304, { "cache-control": cacheControl, etag: '"v1"' });
      out.end();
      return;
    }
    out.writeHead(200, { "cache-control": cacheControl, etag: '"v1"' });
    out.end("v1");
  });
}

function twoProcesses(sub: string, now: () => number) {
  const a = cache({ dir: join(dir, sub), now });
  const b = cache({ dir: join(dir, sub), now });
  return {
    a: createClient({ middleware: [a] }),
    b: createClient({ middleware: [b] }),
    idle: () => Promise.all([a.idle(), b.idle()]),
  };
}

async function get(client: ReturnType<typeof createClient>, url: string) {
  const res = await client.request(url);
  return { status: res.context.get(cacheStatusKey), body: await res.text() };
}

const conditional = (path: string) =>
  server.requests.filter((r) => r.url === path).map((r) => r.headers["if-none-match"] ?? null);

describe("revalidation with a directory shared by several processes", () => {
  it("serves what another process revalidated when this process's copy went stale", async () => {
    const clock = manualClock();
    validated("/life", "max-age=10");
    const url = `${server.origin}/life`;
    const { a, b, idle } = twoProcesses("life", clock.now);
    expect(await get(a, url)).toEqual({ status: "miss", body: "v1" });
    await idle();
    expect(await get(b, url)).toEqual({ status: "hit", body: "v1" });
    clock.advance(20_000);
    // b revalidates (a 304): the entry gets a new lifetime, written to the shared store.
    expect(await get(b, url)).toEqual({ status: "revalidated", body: "v1" });
    await idle();
    // a remembers the stale copy, reads the store again and finds b's: no request of its own.
    expect(await get(a, url)).toEqual({ status: "hit", body: "v1" });
    expect(conditional("/life")).toEqual([null, '"v1"']);
    await Promise.all([a.close(), b.close()]);
  });

  it("revalidates an entry without a lifetime (max-age=0) with the origin on every use", async () => {
    const clock = manualClock();
    validated("/always", "max-age=0");
    const url = `${server.origin}/always`;
    const { a, b, idle } = twoProcesses("always", clock.now);
    expect(await get(a, url)).toEqual({ status: "miss", body: "v1" });
    await idle();
    expect(await get(a, url)).toEqual({ status: "revalidated", body: "v1" });
    expect(await get(b, url)).toEqual({ status: "revalidated", body: "v1" });
    clock.advance(1_000);
    expect(await get(a, url)).toEqual({ status: "revalidated", body: "v1" });
    expect(conditional("/always")).toEqual([null, '"v1"', '"v1"', '"v1"']);
    await Promise.all([a.close(), b.close()]);
  });
});
