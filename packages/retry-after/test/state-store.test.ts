import { type ChildProcess, fork } from "node:child_process";
import diagnosticsChannel from "node:diagnostics_channel";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, memoryStateStore, type StateStore } from "@switchyard/core";
import { redisStore } from "@switchyard/redis-store";
import { requirePeer, startRedis } from "@switchyard/test-peers";
import { fakeClock } from "@switchyard/testkit/clock";
import { createPeerTempDir } from "@switchyard/testkit/process";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterEach, describe, expect, it } from "vitest";
import { retryAfter } from "../src/retry-after.ts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

const settle = async (rounds = 5): Promise<void> => {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe("retryAfter with a stateStore", () => {
  it("a 429 seen by one client holds back another client on the same store until the deadline", async () => {
    const s = await startTestServer();
    cleanup.push(() => s.close());
    s.route("/", [{ status: 429, headers: { "retry-after": "7" } }, { status: 200 }]);
    const clock = fakeClock();
    // One clock for the store and both clients, so the shared deadline is exact.
    const stateStore = memoryStateStore({ now: clock.now });
    const a = retryAfter({ stateStore, now: clock.now, sleep: clock.sleep });
    const b = retryAfter({ stateStore, now: clock.now, sleep: clock.sleep });
    const clientA = createClient({ middleware: [a] });
    const clientB = createClient({ middleware: [b] });
    cleanup.push(
      () => clientA.destroy(),
      () => clientB.destroy(),
    );
    await (await clientA.request(s.url)).discard();
    await settle();
    expect(b.store.size).toBe(1);
    const res = await clientB.request(s.url);
    await res.discard();
    expect(res.status).toBe(200);
    expect(clock.delays).toEqual([7000]);
  });

  it("stores only a hashed key: no host, no user, no path", async () => {
    const stateStore = memoryStateStore();
    const keys: string[] = [];
    stateStore.subscribe("", (change) => keys.push(change.key));
    const s = await startTestServer();
    cleanup.push(() => s.close());
    s.route("/", [{ status: 429, headers: { "retry-after": "1" } }]);
    const client = createClient({ middleware: [retryAfter({ stateStore, key: "url" })] });
    cleanup.push(() => client.destroy());
    await (await client.request(`http://alice:pw@127.0.0.1:${s.port}/?token=abc`)).discard();
    await settle();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^retry-after:[A-Za-z0-9_-]{22}$/);
  });

  it("never waits on the store: a store that never answers leaves requests and local deadlines working", async () => {
    const never = new Promise<never>(() => {});
    const inner = memoryStateStore();
    const hung: StateStore = { ...inner, get: () => never, extendDeadline: () => never };
    const events: unknown[] = [];
    const listener = (m: unknown): void => void events.push(m);
    diagnosticsChannel.subscribe("switchyard:core:state-store", listener);
    cleanup.push(async () => {
      diagnosticsChannel.unsubscribe("switchyard:core:state-store", listener);
    });
    const s = await startTestServer();
    cleanup.push(() => s.close());
    s.route("/", [{ status: 200 }, { status: 429, headers: { "retry-after": "3" } }, { status: 200 }]);
    const clock = fakeClock();
    const client = createClient({
      middleware: [
        retryAfter({ stateStore: hung, stateStoreTimeoutMs: 20, now: clock.now, sleep: clock.sleep }),
      ],
    });
    cleanup.push(() => client.destroy());
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await client.request(s.url);
      await res.discard();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 429, 200]);
    expect(clock.delays).toEqual([3000]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toContainEqual(
      expect.objectContaining({ event: "failure", plugin: "retry-after", reason: "timeout" }),
    );
  });
});

const redis = requirePeer("redis");

describe.skipIf(redis.skip)(`retryAfter on a real redis-server going down ${redis.reason}`, () => {
  it("SIGSTOP then SIGKILL mid-run: every request succeeds, and the guard recovers after a restart", async () => {
    const server = await startRedis();
    cleanup.push(() => server.stop());
    const s = await startTestServer();
    cleanup.push(() => s.close());
    s.route("/*", { status: 200 });
    const stateStore = redisStore({ url: server.url, commandTimeoutMs: 500 });
    cleanup.push(() => stateStore.close());
    const events: Record<string, unknown>[] = [];
    const listener = (m: unknown): void => void events.push(m as Record<string, unknown>);
    diagnosticsChannel.subscribe("switchyard:core:state-store", listener);
    cleanup.push(async () => {
      diagnosticsChannel.unsubscribe("switchyard:core:state-store", listener);
    });
    // "url" keys: every distinct URL is a first contact, i.e. one background read of the store.
    const middleware = retryAfter({ stateStore, key: "url" });
    const client = createClient({ middleware: [middleware] });
    cleanup.push(() => client.destroy());
    const ok = async (path: string): Promise<number> => {
      const res = await client.request(`${s.url}${path.slice(1)}`);
      await res.discard();
      return res.status;
    };
    expect(await ok("/?warm")).toBe(200);
    await server.hang();
    for (let i = 0; i < 20; i++) expect(await ok(`/?hung=${i}`)).toBe(200);
    await server.crash();
    for (let i = 0; i < 20; i++) expect(await ok(`/?dead=${i}`)).toBe(200);
    await server.restart();
    // The guard backs off (jittered, doubling); requests go on meanwhile, and once a trial read
    // reaches the restarted server the guard reports recovery. Bounded: 300 requests, 100 ms apart.
    let recovered = false;
    for (let i = 0; i < 300 && !recovered; i++) {
      expect(await ok(`/?back=${i}`)).toBe(200);
      recovered = events.some((e) => e.event === "recovered");
      if (!recovered) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(recovered).toBe(true);
    expect(events.filter((e) => e.event === "failure").length).toBeGreaterThan(0);
  }, 60_000);
});

describe("retryAfter with a stateStore shared by real processes (SQLite)", () => {
  it("one process's 429 holds back three other processes: none of their requests arrives before the deadline", async () => {
    const dir = await createPeerTempDir("retry-after-fleet");
    cleanup.push(() => dir.remove());
    let deadline = 0;
    const arrivals: number[] = [];
    const origin: Server = createServer((req, res) => {
      if (req.url === "/first") {
        deadline = Date.now() + 1000;
        res.writeHead(429, { "retry-after": "1" }).end();
        return;
      }
      arrivals.push(Date.now());
      res.end("ok");
    });
    await new Promise<void>((resolve) => origin.listen(0, "127.0.0.1", resolve));
    cleanup.push(() => new Promise((resolve) => origin.close(() => resolve())));
    const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
    const script = fileURLToPath(new URL("./fleet-worker.ts", import.meta.url));
    const children: ChildProcess[] = [];
    const replies = new Map<ChildProcess, Array<(m: Record<string, unknown>) => void>>();
    const ask = (child: ChildProcess, message: unknown): Promise<Record<string, unknown>> =>
      new Promise((resolve) => {
        replies.get(child)?.push(resolve);
        child.send(message as never);
      });
    for (let i = 0; i < 4; i++) {
      const child = fork(script, [join(dir.path, "state.db")], {
        stdio: ["ignore", "inherit", "inherit", "ipc"],
        execArgv: ["--disable-warning=ExperimentalWarning"],
      });
      children.push(child);
      replies.set(child, []);
      const ready = new Promise<void>((resolve) => child.once("message", () => resolve()));
      await ready;
      child.on("message", (m) => replies.get(child)?.shift()?.(m as Record<string, unknown>));
    }
    cleanup.push(async () => {
      for (const child of children) child.kill("SIGKILL");
    });
    const [first, ...others] = children as [ChildProcess, ...ChildProcess[]];
    expect(await ask(first, { request: `${url}/first` })).toEqual({ status: 429 });
    // Wait (bounded) until every other process has heard of the deadline through the store.
    for (let round = 0; round < 200; round++) {
      const known = await Promise.all(others.map((child) => ask(child, { probe: true })));
      if (known.every((k) => k.knows === true)) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const statuses = await Promise.all(others.map((child) => ask(child, { request: `${url}/after` })));
    expect(statuses).toEqual(others.map(() => ({ status: 200 })));
    expect(arrivals).toHaveLength(3);
    for (const at of arrivals) expect(at).toBeGreaterThanOrEqual(deadline);
    await Promise.all(
      children.map((child) => {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.send({ close: true });
        return exited;
      }),
    );
  }, 60_000);
});
