import { randomBytes } from "node:crypto";
import diagnosticsChannel from "node:diagnostics_channel";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, InvalidOptionsError, memoryStateStore, type StateStore } from "@switchyard/core";
import { redisStore } from "@switchyard/redis-store";
import { requirePeer, startRedis } from "@switchyard/test-peers";
import { startFleet } from "@switchyard/test-peers/fleet";
import { createPeerTempDir } from "@switchyard/testkit/process";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auth } from "../src/auth.ts";
import { oauthStore } from "../src/stores/oauth-store.ts";

const WORKER = fileURLToPath(new URL("./oauth-fleet-worker.ts", import.meta.url));
const redis = requirePeer("redis");
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

// A real token endpoint (POST /token, slow enough that a fleet's refreshes overlap) and an API
// (GET /api/...) that answers 200 only to a token the endpoint issued.
let server: Server;
let origin = "";
let refreshes = 0;
const issued = new Set<string>();
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/token") {
      refreshes++;
      const token = `tok-${randomBytes(12).toString("hex")}`;
      issued.add(token);
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ access_token: token, expires_in: 3600 }));
      }, 150);
      return;
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (token !== undefined && issued.has(token)) res.writeHead(200).end();
    else res.writeHead(401, { "www-authenticate": 'Bearer realm="fleet"' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  refreshes = 0;
});

function refresh() {
  return async () => {
    const res = await fetch(`${origin}/token`, { method: "POST" });
    const body = (await res.json()) as { access_token: string; expires_in: number };
    return { token: body.access_token, expiresAt: Date.now() + body.expires_in * 1000 };
  };
}

function client(stateStore: StateStore, sealKey: Uint8Array, options: { identity?: string } = {}) {
  const store = oauthStore(
    { [`${origin}/api/`]: { refresh: refresh(), allowInsecureHttp: true, ...options } },
    { stateStore, sealKey },
  );
  const c = createClient({ middleware: [auth({ stores: [store] })] });
  cleanup.push(() => c.close());
  return c;
}
const status = async (c: ReturnType<typeof createClient>): Promise<number> => {
  const res = await c.request(`${origin}/api/x`);
  await res.discard();
  return res.status;
};

describe("oauthStore stateStore options", () => {
  it("refuses a store without a sealKey, a bad sealKey, a bad store and a bad lease", () => {
    const entries = { "api.example.com": { refresh: refresh() } };
    expect(() => oauthStore(entries, { stateStore: memoryStateStore() })).toThrow(/sealKey/);
    expect(() => oauthStore(entries, { stateStore: memoryStateStore(), sealKey: randomBytes(8) })).toThrow(
      InvalidOptionsError,
    );
    expect(() => oauthStore(entries, { stateStore: {} as StateStore, sealKey: randomBytes(32) })).toThrow(
      /StateStore/,
    );
    expect(() =>
      oauthStore(entries, { stateStore: memoryStateStore(), sealKey: randomBytes(32), refreshLeaseMs: -1 }),
    ).toThrow(/refreshLeaseMs/);
  });
});

describe("oauthStore with a shared stateStore in one process", () => {
  it("four clients at once make one refresh; the store holds the token sealed under a hashed key", async () => {
    const stateStore = memoryStateStore();
    const seen: Array<{ key: string; value: string | undefined }> = [];
    stateStore.subscribe("", (change) => {
      void stateStore.get(change.key).then((entry) => seen.push({ key: change.key, value: entry?.value }));
    });
    const sealKey = randomBytes(32);
    const cs = [0, 1, 2, 3].map(() => client(stateStore, sealKey));
    expect(await Promise.all(cs.map(status))).toEqual([200, 200, 200, 200]);
    expect(refreshes).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.some((s) => s.key.startsWith("auth:oauth:"))).toBe(true);
    for (const { key, value } of seen) {
      expect(key).toMatch(/^auth:oauth(-refresh)?:[A-Za-z0-9_-]{22}$/);
      if (key.startsWith("auth:oauth:")) {
        expect(value?.startsWith("v1.")).toBe(true);
        expect(value).not.toContain("tok-");
      }
    }
  });

  it("another identity, or another sealKey, is another token", async () => {
    const stateStore = memoryStateStore();
    const sealKey = randomBytes(32);
    expect(await status(client(stateStore, sealKey, { identity: "alice" }))).toBe(200);
    expect(await status(client(stateStore, sealKey, { identity: "bob" }))).toBe(200);
    expect(await status(client(stateStore, randomBytes(32), { identity: "alice" }))).toBe(200);
    expect(refreshes).toBe(3);
  });

  it("a token the server refuses (401) is dropped from the store: the next client refreshes", async () => {
    const stateStore = memoryStateStore();
    const sealKey = randomBytes(32);
    const a = client(stateStore, sealKey);
    expect(await status(a)).toBe(200);
    issued.clear(); // the server forgets every token: the shared one is now refused
    // auth replays once after a 401 with a refreshed token: the refresh skips the refused token.
    expect(await status(a)).toBe(200);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(await status(client(stateStore, sealKey))).toBe(200);
    expect(refreshes).toBe(2);
  });
});

async function runFleet(store: { kind: "sqlite"; path: string } | { kind: "redis"; url: string }) {
  const spec = JSON.stringify({ store, origin, sealKey: randomBytes(32).toString("base64") });
  const fleet = await startFleet(WORKER, [spec], 8);
  cleanup.push(() => fleet.close());
  expect(await fleet.all({ get: `${origin}/api/x` })).toEqual(Array(8).fill({ status: 200 }));
  expect(refreshes).toBe(1);
}

describe("oauthStore with a stateStore shared by real processes", () => {
  it("eight processes on one SQLite file make one refresh between them", async () => {
    const dir = await createPeerTempDir("oauth-fleet");
    cleanup.push(() => dir.remove());
    await runFleet({ kind: "sqlite", path: join(dir.path, "state.db") });
  }, 60_000);

  it.skipIf(redis.skip)(
    `eight processes on one redis-server make one refresh ${redis.reason}`,
    async () => {
      const peer = await startRedis();
      cleanup.push(() => peer.stop());
      await runFleet({ kind: "redis", url: peer.url });
    },
    60_000,
  );
});

describe.skipIf(redis.skip)(`oauthStore on a real redis-server going down ${redis.reason}`, () => {
  it("hung, then killed: every request still succeeds with this process's own refresh, and a failure event is published", async () => {
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
    const sealKey = randomBytes(32);
    await peer.hang();
    expect(await status(client(stateStore, sealKey))).toBe(200);
    await peer.crash();
    expect(await status(client(stateStore, sealKey))).toBe(200);
    expect(refreshes).toBe(2);
    expect(events).toContainEqual(expect.objectContaining({ event: "failure", plugin: "auth" }));
  }, 30_000);
});
