import diagnosticsChannel from "node:diagnostics_channel";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@switchyard/core";
import { redisStore } from "@switchyard/redis-store";
import { requirePeer, startRedis } from "@switchyard/test-peers";
import { startFleet } from "@switchyard/test-peers/fleet";
import { createPeerTempDir } from "@switchyard/testkit/process";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterEach, describe, expect, it } from "vitest";
import { breaker } from "../src/index.ts";

const WORKER = fileURLToPath(new URL("./fleet-worker.ts", import.meta.url));
const redis = requirePeer("redis");
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

async function failingOrigin(): Promise<TestServer> {
  const s = await startTestServer();
  cleanup.push(() => s.close());
  s.route("/", { status: 503 });
  return s;
}

/**
 * Four processes each see 5 failures of an origin whose circuit needs 20 outcomes: alone none
 * would open; with the window shared, the fleet's 20th failure opens it, and the open circuit
 * reaches every process, which then fails fast without a request.
 */
async function fourProcesses(store: { kind: "sqlite"; path: string } | { kind: "redis"; url: string }) {
  const origin = await failingOrigin();
  const spec = JSON.stringify({ store, now: 1_000_000, minimumRequests: 20 });
  const fleet = await startFleet(WORKER, [spec], 4);
  cleanup.push(() => fleet.close());
  const first = await fleet.all({ send: origin.url, times: 5 });
  expect(first).toEqual(Array(4).fill({ statuses: [503, 503, 503, 503, 503] }));
  // Bounded wait for the open circuit to reach every process (SQLite notifies by polling).
  let states: string[] = [];
  for (let round = 0; round < 250; round++) {
    const snapshots = await fleet.all({ state: true });
    states = snapshots.map((s) => (s.circuits as Array<{ state: string }>)[0]?.state ?? "none");
    if (states.every((state) => state === "open")) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(states).toEqual(["open", "open", "open", "open"]);
  const after = await fleet.all({ send: origin.url, times: 1 });
  expect(after).toEqual(Array(4).fill({ statuses: ["SWITCHYARD_ERR_CIRCUIT_OPEN"] }));
  expect(origin.requests).toHaveLength(20);
}

describe("breaker: one window for the fleet, real processes", () => {
  it("four processes on one SQLite file: 4 x 5 failures open the circuit that needs 20", async () => {
    const dir = await createPeerTempDir("breaker-fleet");
    cleanup.push(() => dir.remove());
    await fourProcesses({ kind: "sqlite", path: join(dir.path, "state.db") });
  }, 60_000);

  it.skipIf(redis.skip)(
    `four processes on one redis-server ${redis.reason}`,
    async () => {
      const peer = await startRedis();
      cleanup.push(() => peer.stop());
      await fourProcesses({ kind: "redis", url: peer.url });
    },
    60_000,
  );
});

describe.skipIf(redis.skip)(`breaker on a real redis-server going down ${redis.reason}`, () => {
  it("hung, then killed: requests still pass and the circuit still opens on this process's own failures", async () => {
    const peer = await startRedis();
    cleanup.push(() => peer.stop());
    const origin = await failingOrigin();
    origin.route("/ok", { status: 200 });
    const events: Record<string, unknown>[] = [];
    const listener = (m: unknown): void => void events.push(m as Record<string, unknown>);
    diagnosticsChannel.subscribe("switchyard:core:state-store", listener);
    cleanup.push(async () => {
      diagnosticsChannel.unsubscribe("switchyard:core:state-store", listener);
    });
    const stateStore = redisStore({ url: peer.url, commandTimeoutMs: 300 });
    cleanup.push(() => stateStore.close());
    const middleware = breaker({ stateStore, minimumRequests: 4, buckets: 1, now: () => 1_000_000 });
    const client = createClient({ middleware: [middleware] });
    cleanup.push(async () => {
      middleware.close();
      await client.close();
    });
    const status = async (path: string): Promise<number | string> => {
      try {
        const res = await client.request(`${origin.origin}${path}`);
        await res.discard();
        return res.status;
      } catch (error) {
        return (error as { code?: string }).code ?? String(error);
      }
    };
    await peer.hang();
    expect(await status("/ok")).toBe(200);
    await peer.crash();
    // One success and three failures: 4 outcomes, 75 % failing: open.
    for (let i = 0; i < 3; i++) expect(await status("/")).toBe(503);
    expect(await status("/")).toBe("SWITCHYARD_ERR_CIRCUIT_OPEN");
    // Let the background flushes time out, then look for the guard's event.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events).toContainEqual(expect.objectContaining({ event: "failure", plugin: "breaker" }));
  }, 30_000);
});
