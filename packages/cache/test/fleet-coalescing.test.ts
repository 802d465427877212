import diagnosticsChannel from "node:diagnostics_channel";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cacheStatusKey, createClient, stateKey } from "@switchyard/core";
import { redisStore } from "@switchyard/redis-store";
import { requirePeer, startRedis } from "@switchyard/test-peers";
import { startFleet } from "@switchyard/test-peers/fleet";
import { createPeerTempDir } from "@switchyard/testkit/process";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cache } from "../src/cache.ts";
import { entryKey } from "../src/cache-key.ts";

const WORKER = fileURLToPath(new URL("./fixtures/fleet-worker.ts", import.meta.url));
const redis = requirePeer("redis");
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

let n = 0;
/** A fresh cacheable route, slow enough (200 ms) that eight processes miss it at the same time. */
function route(): { url: string; path: string; body: string } {
  const path = `/fleet-${++n}`;
  const body = `fleet body ${n} `.repeat(500);
  server.route(path, { headers: { "cache-control": "max-age=600" }, body, delayMs: 200 });
  return { url: `${server.origin}${path}`, path, body };
}
const origin = (path: string): number => server.requests.filter((r) => r.url === path).length;

async function tempDir(name: string): Promise<string> {
  const dir = await createPeerTempDir(name);
  cleanup.push(() => dir.remove());
  return dir.path;
}

async function eightAtOnce(spec: Record<string, unknown>): Promise<void> {
  const { url, path, body } = route();
  const fleet = await startFleet(WORKER, [JSON.stringify(spec)], 8);
  cleanup.push(() => fleet.close());
  const answers = await fleet.all({ get: url });
  for (const answer of answers) expect(answer.text).toBe(body);
  // One process sent the request; the seven others waited for its entry and read it.
  expect(origin(path)).toBe(1);
  expect(answers.filter((a) => a.status === "miss")).toHaveLength(1);
  expect(answers.filter((a) => a.status === "hit")).toHaveLength(7);
}

describe("cache: concurrent misses of one URL by several real processes send one request", () => {
  it("eight processes on one disk directory, coordinated by lock files", async () => {
    const dir = await tempDir("cache-fleet-locks");
    await eightAtOnce({ dir: join(dir, "cache") });
  }, 60_000);

  it("eight processes with a SQLite state store", async () => {
    const dir = await tempDir("cache-fleet-sqlite");
    await eightAtOnce({ dir: join(dir, "cache"), store: { kind: "sqlite", path: join(dir, "state.db") } });
  }, 60_000);

  it.skipIf(redis.skip)(
    `eight processes with a redis-server state store ${redis.reason}`,
    async () => {
      const peer = await startRedis();
      cleanup.push(() => peer.stop());
      const dir = await tempDir("cache-fleet-redis");
      await eightAtOnce({ dir: join(dir, "cache"), store: { kind: "redis", url: peer.url } });
    },
    60_000,
  );
});

describe("cache: a fill claimed by a process that does not deliver", () => {
  function lockOf(dir: string, url: string): string {
    // The lock the default disk store's coalescing takes for an anonymous GET of `url`: the flight
    // key is the entry key and the credential identity, which is "" without credentials.
    const flightKey = `${entryKey(url)}|`;
    return join(dir, "locks", `${stateKey("cache:fill", flightKey).slice("cache:fill:".length)}.lock`);
  }

  it("a live lock: the caller waits at most coalesceWaitMs, then sends its own request", async () => {
    const dir = join(await tempDir("cache-lock-held"), "cache");
    const { url, path, body } = route();
    mkdirSync(join(dir, "locks"), { recursive: true });
    writeFileSync(lockOf(dir, url), "");
    const cached = cache({ dir, coalesceWaitMs: 300 });
    const client = createClient({ middleware: [cached] });
    cleanup.push(
      () => cached.close(),
      () => client.close(),
    );
    const res = await client.request(url);
    expect(await res.text()).toBe(body);
    expect(res.context.get(cacheStatusKey)).toBe("miss");
    expect(origin(path)).toBe(1);
  });

  it("a lock older than coalesceWaitMs (its holder died) is taken over at once", async () => {
    const dir = join(await tempDir("cache-lock-stale"), "cache");
    const { url, path, body } = route();
    mkdirSync(join(dir, "locks"), { recursive: true });
    const lock = lockOf(dir, url);
    writeFileSync(lock, "");
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(lock, old, old);
    const cached = cache({ dir, coalesceWaitMs: 60_000 });
    const client = createClient({ middleware: [cached] });
    cleanup.push(
      () => cached.close(),
      () => client.close(),
    );
    const res = await client.request(url);
    expect(await res.text()).toBe(body);
    expect(origin(path)).toBe(1);
  });
});

describe.skipIf(redis.skip)(`cache on a real redis-server going down ${redis.reason}`, () => {
  it("hung, then killed: every miss and hit still succeeds, and the store's failure is an event", async () => {
    const peer = await startRedis();
    cleanup.push(() => peer.stop());
    const events: Record<string, unknown>[] = [];
    const listener = (m: unknown): void => void events.push(m as Record<string, unknown>);
    diagnosticsChannel.subscribe("switchyard:core:state-store", listener);
    cleanup.push(async () => {
      diagnosticsChannel.unsubscribe("switchyard:core:state-store", listener);
    });
    const stateStore = redisStore({ url: peer.url, commandTimeoutMs: 300 });
    cleanup.push(() => stateStore.close());
    const dir = join(await tempDir("cache-redis-down"), "cache");
    const cached = cache({ dir, stateStore });
    const client = createClient({ middleware: [cached] });
    cleanup.push(
      () => cached.close(),
      () => client.close(),
    );
    const get = async (url: string): Promise<string> => (await client.request(url)).text();
    await peer.hang();
    const a = route();
    expect(await get(a.url)).toBe(a.body);
    await cached.idle();
    expect(await get(a.url)).toBe(a.body);
    await peer.crash();
    const b = route();
    expect(await get(b.url)).toBe(b.body);
    expect(origin(a.path) + origin(b.path)).toBe(2);
    expect(events).toContainEqual(expect.objectContaining({ event: "failure", plugin: "cache" }));
  }, 30_000);
});
