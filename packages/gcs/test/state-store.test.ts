import { randomBytes } from "node:crypto";
import diagnosticsChannel from "node:diagnostics_channel";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, InvalidOptionsError, memoryStateStore, type StateStore } from "@switchyard/core";
import { redisStore } from "@switchyard/redis-store";
import { requirePeer, startRedis } from "@switchyard/test-peers";
import { startFleet } from "@switchyard/test-peers/fleet";
import {
  type GcsStandIn,
  makeServiceAccountKey,
  type OAuthStandIn,
  startGcsStandIn,
  startOAuthStandIn,
} from "@switchyard/test-peers/gcs";
import { createPeerTempDir } from "@switchyard/testkit/process";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { gcs, metadataServer, serviceAccount } from "../src/index.ts";

const WORKER = fileURLToPath(new URL("./fleet-worker.ts", import.meta.url));
const redis = requirePeer("redis");
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

let oauth: OAuthStandIn;
let server: GcsStandIn;
let sa: ReturnType<typeof makeServiceAccountKey>;
const clock = { now: Date.now() };
const now = (): number => clock.now;

beforeAll(async () => {
  sa = makeServiceAccountKey("http://127.0.0.1:1/token");
  // A slow token endpoint, so that the fleet's requests overlap the one fetch.
  // The stand-in checks assertions and expiries by the tests' clock (moved by the refresh test).
  oauth = await startOAuthStandIn({ accounts: [sa.account], delayMs: 150, now });
  sa = { ...sa, key: { ...sa.key, token_uri: oauth.tokenUri } };
  server = await startGcsStandIn({ buckets: ["bkt"], checkToken: (t) => oauth.check(t) });
  server.objects.set("bkt/fleet.txt", {
    data: Buffer.from("fleet bytes"),
    contentType: "text/plain",
    generation: 1,
    md5: "",
  });
});
afterAll(async () => {
  await server?.stop();
  await oauth?.stop();
});
let before = 0;
beforeEach(() => {
  before = oauth.requests.length;
  clock.now = Date.now();
});
const fetches = (): number => oauth.requests.slice(before).filter((r) => r.status === 200).length;

describe("gcs stateStore options", () => {
  it("refuses a store without a sealKey, a bad sealKey, a bad store, and a provider that does not say whose tokens it has", () => {
    const auth = serviceAccount(sa.key);
    expect(() => gcs({ auth, stateStore: memoryStateStore() })).toThrow(/sealKey/);
    expect(() => gcs({ auth, stateStore: memoryStateStore(), sealKey: randomBytes(16) })).toThrow(
      InvalidOptionsError,
    );
    expect(() => gcs({ auth, stateStore: {} as StateStore, sealKey: randomBytes(32) })).toThrow(/StateStore/);
    const sealKey = randomBytes(32);
    expect(() => gcs({ auth: metadataServer(), stateStore: memoryStateStore(), sealKey })).toThrow(
      /tokenIdentity/,
    );
    expect(() =>
      gcs({ auth: metadataServer(), stateStore: memoryStateStore(), sealKey, tokenIdentity: "sa@p.iam" }),
    ).not.toThrow();
    expect(() =>
      gcs({
        auth: metadataServer({ account: "sa@p.iam.gserviceaccount.com" }),
        stateStore: memoryStateStore(),
        sealKey,
      }),
    ).not.toThrow();
    expect(() =>
      gcs({ auth: serviceAccount(sa.key), stateStore: memoryStateStore(), sealKey, tokenLeaseMs: 0 }),
    ).toThrow(/tokenLeaseMs/);
  });
});

describe("gcs with a shared stateStore in one process", () => {
  function client(stateStore: StateStore, sealKey: Uint8Array, extra: Parameters<typeof gcs>[0] = {}) {
    const c = createClient({
      middleware: [
        gcs({ auth: serviceAccount(sa.key), endpoint: server.url, stateStore, sealKey, ...extra }),
      ],
    });
    cleanup.push(() => c.close());
    return c;
  }
  const read = async (c: ReturnType<typeof createClient>): Promise<string> =>
    (await c.request("gs://bkt/fleet.txt")).text();

  it("four clients reading at once make one token fetch; the store holds only a sealed token under hashed keys", async () => {
    const stateStore = memoryStateStore();
    const seen: Array<{ key: string; value: string | undefined }> = [];
    stateStore.subscribe("", (change) => {
      void stateStore.get(change.key).then((entry) => seen.push({ key: change.key, value: entry?.value }));
    });
    const sealKey = randomBytes(32);
    const cs = [0, 1, 2, 3].map(() => client(stateStore, sealKey));
    expect(await Promise.all(cs.map(read))).toEqual(Array(4).fill("fleet bytes"));
    expect(fetches()).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    const token = [...oauth.issued.keys()].at(-1) as string;
    expect(seen.some((s) => s.key.startsWith("gcs:token:"))).toBe(true);
    for (const { key, value } of seen) {
      expect(key).toMatch(/^gcs:(token|fetch):[A-Za-z0-9_-]{22}$/);
      if (key.startsWith("gcs:token:")) {
        expect(value?.startsWith("v1.")).toBe(true);
        expect(value).not.toContain(token);
      }
    }
  });

  it("a client with another sealKey cannot open the shared token and fetches its own", async () => {
    const stateStore = memoryStateStore();
    expect(await read(client(stateStore, randomBytes(32)))).toBe("fleet bytes");
    expect(await read(client(stateStore, randomBytes(32)))).toBe("fleet bytes");
    expect(fetches()).toBe(2);
  });

  it("another scope is another token: a read-write client does not take the read-only client's token", async () => {
    const stateStore = memoryStateStore();
    const sealKey = randomBytes(32);
    expect(await read(client(stateStore, sealKey))).toBe("fleet bytes");
    const rw = client(stateStore, sealKey, {
      scopes: ["https://www.googleapis.com/auth/devstorage.read_write"],
    });
    expect(await read(rw)).toBe("fleet bytes");
    expect(fetches()).toBe(2);
  });

  it("at the refresh point one client fetches the next token and the other takes it from the store", async () => {
    // One clock for the store's TTLs and both plugins' expiry.
    const stateStore = memoryStateStore({ now });
    const sealKey = randomBytes(32);
    const [a, b] = [0, 1].map(() => client(stateStore, sealKey, { now })) as [
      ReturnType<typeof createClient>,
      ReturnType<typeof createClient>,
    ];
    expect(await read(a)).toBe("fleet bytes");
    expect(await read(b)).toBe("fleet bytes");
    expect(fetches()).toBe(1);
    // 56 minutes later the hour-long token is inside its 5-minute refresh window (still valid).
    clock.now += 56 * 60_000;
    expect(await read(a)).toBe("fleet bytes");
    expect(await read(b)).toBe("fleet bytes");
    expect(fetches()).toBe(2);
  });

  it("a token GCS refuses (401) is dropped from the store too: the next client fetches a new one", async () => {
    const stateStore = memoryStateStore();
    const sealKey = randomBytes(32);
    const a = client(stateStore, sealKey);
    expect(await read(a)).toBe("fleet bytes");
    // The stand-in no longer knows the token: GCS answers 401 to it.
    const token = [...oauth.issued.keys()].at(-1) as string;
    (oauth.issued as Map<string, unknown>).delete(token);
    await expect(read(a)).rejects.toMatchObject({ status: 401 });
    // Let the background drop reach the store.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(await read(client(stateStore, sealKey))).toBe("fleet bytes");
    expect(fetches()).toBe(2);
  });
});

async function runFleet(store: { kind: "sqlite"; path: string } | { kind: "redis"; url: string }) {
  const sealKey = randomBytes(32).toString("base64");
  const spec = JSON.stringify({ store, endpoint: server.url, key: sa.key, sealKey });
  const fleet = await startFleet(WORKER, [spec], 8);
  cleanup.push(() => fleet.close());
  const answers = await fleet.all({ get: "gs://bkt/fleet.txt" });
  expect(answers).toEqual(Array(8).fill({ text: "fleet bytes" }));
  // Every one of the eight reads carried a token GCS accepted, and the token endpoint saw one fetch.
  expect(fetches()).toBe(1);
}

describe("gcs with a stateStore shared by real processes", () => {
  it("eight processes on one SQLite file make one token fetch between them", async () => {
    const dir = await createPeerTempDir("gcs-fleet");
    cleanup.push(() => dir.remove());
    await runFleet({ kind: "sqlite", path: join(dir.path, "state.db") });
  }, 60_000);

  it.skipIf(redis.skip)(
    `eight processes on one redis-server make one token fetch ${redis.reason}`,
    async () => {
      const peer = await startRedis();
      cleanup.push(() => peer.stop());
      await runFleet({ kind: "redis", url: peer.url });
    },
    60_000,
  );
});

describe.skipIf(redis.skip)(`gcs on a real redis-server going down ${redis.reason}`, () => {
  it("hung, then killed: every read still succeeds on this process's own token, and a failure event is published", async () => {
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
    const make = () => {
      const c = createClient({
        middleware: [
          gcs({
            auth: serviceAccount(sa.key),
            endpoint: server.url,
            stateStore,
            sealKey,
            stateStoreTimeoutMs: 50,
          }),
        ],
      });
      cleanup.push(() => c.close());
      return c;
    };
    await peer.hang();
    expect(await (await make().request("gs://bkt/fleet.txt")).text()).toBe("fleet bytes");
    await peer.crash();
    expect(await (await make().request("gs://bkt/fleet.txt")).text()).toBe("fleet bytes");
    expect(fetches()).toBe(2);
    expect(events).toContainEqual(expect.objectContaining({ event: "failure", plugin: "gcs" }));
    for (const event of events) expect(JSON.stringify(event)).not.toMatch(/gcs:token|v1\./);
  }, 30_000);
});
