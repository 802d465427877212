import diagnosticsChannel from "node:diagnostics_channel";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient, memoryStateStore } from "@switchyard/core";
import { redisStore } from "@switchyard/redis-store";
import { requirePeer, startRedis } from "@switchyard/test-peers";
import { type Fleet, startFleet } from "@switchyard/test-peers/fleet";
import { createPeerTempDir } from "@switchyard/testkit/process";
import { startTestServer } from "@switchyard/testkit/servers";
import { recordingStateStore } from "@switchyard/testkit/state-store";
import { afterEach, describe, expect, it } from "vitest";
import { retry } from "../src/retry.ts";
import { RetryBudget } from "../src/retry-budget.ts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

describe("retry with a stateStore, in one process", () => {
  it("requests that need no retry never touch the store", async () => {
    const s = await startTestServer();
    cleanup.push(() => s.close());
    s.route("/*", { status: 200, body: "ok" });
    const stateStore = recordingStateStore(memoryStateStore());
    const middleware = retry({ stateStore });
    const client = createClient({ middleware: [middleware] });
    cleanup.push(() => client.close());
    for (let i = 0; i < 50; i++) await (await client.request(s.url)).discard();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(stateStore.calls).toEqual([]);
    expect(middleware.budget?.shared).toBe(true);
  });

  it.each<[string, Parameters<typeof retry>[0]]>([
    ["with a RetryBudget of its own", { stateStore: memoryStateStore(), budget: new RetryBudget() }],
    ["with budget false", { stateStore: memoryStateStore(), budget: false }],
    ["a store that is not one", { stateStore: {} as never }],
  ])("refuses a stateStore %s", (_name, options) => {
    expect(() => retry(options)).toThrow(/stateStore|StateStore/);
  });
});

/** Forks `count` worker processes (test/fleet-worker.ts) on one store; killed by PID at cleanup. */
async function fleet(count: number, args: readonly string[]): Promise<Fleet> {
  const started = await startFleet(fileURLToPath(new URL("./fleet-worker.ts", import.meta.url)), args, count);
  cleanup.push(() => started.close());
  return started;
}

/** Asks `probe` every 20 ms until `done` holds for its answer (bounded: 10 s). */
async function until(probe: () => Promise<unknown>, done: (answer: unknown) => boolean): Promise<unknown> {
  let answer: unknown;
  for (let i = 0; i < 500; i++) {
    answer = await probe();
    if (done(answer)) return answer;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return answer;
}

async function origin(): Promise<{ url: string; failures: () => number }> {
  let failures = 0;
  const server: Server = createServer((req, res) => {
    if (req.url === "/fail") {
      failures++;
      res.writeHead(503).end();
    } else res.end("ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, failures: () => failures };
}

/**
 * Three processes, one budget of 50 tokens at 5 a retry. The first spends it all on a failing
 * request (10 retries: 11 requests); once the others have heard, their failing requests get no
 * retry at all (1 request each: 13 in all, where three budgets of their own would allow 33). Then
 * successes in one process refill the fleet's budget, and the others hear of it.
 */
async function oneBudgetForTheFleet(args: readonly string[]): Promise<void> {
  const server = await origin();
  const { ask } = await fleet(3, args);
  expect(await ask(0, { request: `${server.url}/fail` })).toEqual({ statuses: [503] });
  expect(server.failures()).toBe(11);
  for (const i of [1, 2]) {
    expect(
      await until(
        () => ask(i, { probe: true }),
        (a) => (a as { available: number }).available === 0,
      ),
    ).toEqual({
      available: 0,
    });
  }
  expect(await Promise.all([1, 2].map((i) => ask(i, { request: `${server.url}/fail` })))).toEqual([
    { statuses: [503] },
    { statuses: [503] },
  ]);
  expect(server.failures()).toBe(13);
  // Ten first-try successes in process 1 give back ten tokens (batched, in the background).
  expect(await ask(1, { request: `${server.url}/ok`, times: 10 })).toEqual({ statuses: Array(10).fill(200) });
  for (const i of [0, 2]) {
    expect(
      await until(
        () => ask(i, { probe: true }),
        (a) => (a as { available: number }).available === 10,
      ),
    ).toEqual({
      available: 10,
    });
  }
  // Two retries' worth: the next failing request anywhere makes two retries, then stops.
  expect(await ask(2, { request: `${server.url}/fail` })).toEqual({ statuses: [503] });
  expect(server.failures()).toBe(16);
}

const redisPeer = requirePeer("redis");

describe.skipIf(redisPeer.skip)(
  `retry's shared budget on a real redis-server going down ${redisPeer.reason}`,
  () => {
    it("SIGSTOP then SIGKILL mid-run: every call still retries and succeeds on its local budget; the guard recovers after a restart", async () => {
      const peer = await startRedis();
      cleanup.push(() => peer.stop());
      let n = 0;
      const server: Server = createServer((_req, res) => {
        // Every other request fails: each call takes one retry, which spends budget (a store write).
        n++;
        if (n % 2 === 1) res.writeHead(503).end();
        else res.end("ok");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const stateStore = redisStore({ url: peer.url, commandTimeoutMs: 500 });
      cleanup.push(() => stateStore.close());
      const events: Record<string, unknown>[] = [];
      const listener = (m: unknown): void => void events.push(m as Record<string, unknown>);
      diagnosticsChannel.subscribe("switchyard:core:state-store", listener);
      cleanup.push(async () => {
        diagnosticsChannel.unsubscribe("switchyard:core:state-store", listener);
      });
      const middleware = retry({ stateStore, stateStoreTimeoutMs: 50, minDelay: 0, maxDelay: 0 });
      const client = createClient({ middleware: [middleware] });
      cleanup.push(() => client.close());
      const call = async (): Promise<number> => {
        const res = await client.request(url);
        await res.discard();
        return res.status;
      };
      expect(await call()).toBe(200);
      await peer.hang();
      for (let i = 0; i < 10; i++) expect(await call()).toBe(200);
      await peer.crash();
      for (let i = 0; i < 10; i++) expect(await call()).toBe(200);
      expect(n).toBe(42);
      // The budget's writes run beside the calls: their bounded wait ends (an event) on its own time.
      const failed = () => events.some((e) => e.event === "failure" && e.plugin === "retry");
      for (let i = 0; i < 100 && !failed(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(failed()).toBe(true);
      await peer.restart();
      // The guard backs off (jittered, doubling) and lets a trial through; calls go on meanwhile.
      // Bounded: 300 calls, 100 ms apart.
      let recovered = false;
      for (let i = 0; i < 300 && !recovered; i++) {
        expect(await call()).toBe(200);
        recovered = events.some((e) => e.event === "recovered" && e.plugin === "retry");
        if (!recovered) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(recovered).toBe(true);
    }, 90_000);
  },
);

describe("retry with a stateStore shared by real processes", () => {
  it("SQLite: one retry budget for three processes", async () => {
    const dir = await createPeerTempDir("retry-budget-fleet");
    cleanup.push(() => dir.remove());
    await oneBudgetForTheFleet(["sqlite", join(dir.path, "state.db")]);
  }, 60_000);

  const redis = requirePeer("redis");
  it.skipIf(redis.skip)(
    `Redis: one retry budget for three processes ${redis.reason}`,
    async () => {
      const server = await startRedis();
      cleanup.push(() => server.stop());
      await oneBudgetForTheFleet(["redis", server.url]);
    },
    60_000,
  );
});
