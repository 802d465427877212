import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { requirePeer, startRedis } from "@switchyard/test-peers";
import { startFleet } from "@switchyard/test-peers/fleet";
import { createPeerTempDir } from "@switchyard/testkit/process";
import { startTestServer, type TestServer } from "@switchyard/testkit/servers";
import { afterEach, describe, expect, it } from "vitest";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

async function server(status: number): Promise<TestServer> {
  const s = await startTestServer();
  s.route("/*", { status, body: status === 200 ? "ok" : "down" });
  cleanup.push(() => s.close());
  return s;
}

/** Forks `count` worker processes (test/fleet-worker.ts); each closed, or killed by PID, at cleanup. */
async function fleet(count: number, args: readonly string[]) {
  const started = await startFleet(fileURLToPath(new URL("./fleet-worker.ts", import.meta.url)), args, count);
  cleanup.push(() => started.close());
  return started;
}

/** Asks every 20 ms until `done` holds (bounded: 15 s); answers the last answer. */
async function until<T>(probe: () => Promise<T>, done: (answer: T) => boolean): Promise<T> {
  let answer = await probe();
  for (let i = 0; i < 750 && !done(answer); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    answer = await probe();
  }
  return answer;
}

const FILE = "https://origin.example/files/a";

/**
 * Four processes, one dead mirror. The first process's failure is known to the other three (they
 * skip the mirror without ever sending to it); after the cool-down exactly one process of the four
 * holds the probe lease, so when all four send at once the dead mirror sees one probe, not four.
 */
async function oneFailureOneProbe(store: readonly string[]): Promise<void> {
  const dead = await server(503);
  const good = await server(200);
  const { ask, all } = await fleet(4, [...store, dead.url, good.url, "1500"]);
  const availability = async () => (await all({ probe: true })).map((a) => a.availability);

  expect(await ask(0, { request: FILE })).toEqual({ body: "ok" });
  expect(dead.requests).toHaveLength(1);
  expect(await until(availability, (a) => a.every((x) => x === "cooling"))).toEqual(Array(4).fill("cooling"));
  expect(await Promise.all([1, 2, 3].map((i) => ask(i, { request: FILE })))).toEqual(
    Array(3).fill({ body: "ok" }),
  );
  expect(dead.requests).toHaveLength(1);

  const probing = await until(availability, (a) => a.includes("probe"));
  expect(probing.filter((x) => x === "probe")).toHaveLength(1);
  expect(await all({ request: FILE })).toEqual(Array(4).fill({ body: "ok" }));
  expect(dead.requests).toHaveLength(2);
}

describe("mirror with a stateStore shared by real processes", () => {
  it("SQLite: a failure one process sees is known to all; a recovering mirror gets one probe", async () => {
    const dir = await createPeerTempDir("mirror-fleet");
    cleanup.push(() => dir.remove());
    await oneFailureOneProbe(["sqlite", join(dir.path, "state.db")]);
  }, 60_000);

  const redis = requirePeer("redis");
  it.skipIf(redis.skip)(
    `Redis: the same across processes ${redis.reason}`,
    async () => {
      const peer = await startRedis();
      cleanup.push(() => peer.stop());
      await oneFailureOneProbe(["redis", peer.url]);
    },
    60_000,
  );
});
