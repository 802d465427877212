import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { requirePeer, startRedis } from "@switchyard/test-peers";
import { startFleet } from "@switchyard/test-peers/fleet";
import { createPeerTempDir } from "@switchyard/testkit/process";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterEach, describe, expect, it } from "vitest";

const WORKER = fileURLToPath(new URL("./fleet-worker.ts", import.meta.url));
const redis = requirePeer("redis");
const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

/**
 * Four processes each send 3 requests to an origin the fleet may call 6 times a window: together
 * they ask 12 times, the origin sees 6, and the other 6 calls fail unsent with the typed error.
 */
async function fourProcesses(store: { kind: "sqlite"; path: string } | { kind: "redis"; url: string }) {
  const origin = await startTestServer();
  cleanup.push(() => origin.close());
  origin.route("/", { status: 200 });
  const spec = JSON.stringify({ store, origin: origin.origin, limit: 6, now: 1_000_000 });
  const fleet = await startFleet(WORKER, [spec], 4);
  cleanup.push(() => fleet.close());
  const replies = await fleet.all({ send: origin.url, times: 3 });
  const statuses = replies.flatMap((r) => r.statuses as Array<number | string>);
  expect(statuses.filter((s) => s === 200)).toHaveLength(6);
  expect(statuses.filter((s) => s === "SWITCHYARD_ERR_RATE_LIMITED")).toHaveLength(6);
  expect(origin.requests).toHaveLength(6);
}

describe("rate-limit: one fleet limit, real processes", () => {
  it("four processes on one SQLite file stay under the fleet's 6 per window", async () => {
    const dir = await createPeerTempDir("rate-limit-fleet");
    cleanup.push(() => dir.remove());
    await fourProcesses({ kind: "sqlite", path: join(dir.path, "state.db") });
  }, 60_000);

  it.skipIf(redis.skip)(
    `four processes on one redis-server stay under the fleet's 6 per window ${redis.reason}`,
    async () => {
      const peer = await startRedis();
      cleanup.push(() => peer.stop());
      await fourProcesses({ kind: "redis", url: peer.url });
    },
    60_000,
  );
});
