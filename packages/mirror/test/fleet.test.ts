import { type ChildProcess, fork } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { requirePeer, startRedis } from "@switchyard/test-peers";
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
  const script = fileURLToPath(new URL("./fleet-worker.ts", import.meta.url));
  const children: ChildProcess[] = [];
  const replies = new Map<ChildProcess, Array<(m: Record<string, unknown>) => void>>();
  cleanup.push(async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
            child.once("exit", () => {
              clearTimeout(timer);
              resolve();
            });
            child.send({ close: true });
          }),
      ),
    );
  });
  for (let i = 0; i < count; i++) {
    const child = fork(script, [...args], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      execArgv: ["--disable-warning=ExperimentalWarning"],
    });
    children.push(child);
    replies.set(child, []);
  }
  // Started together; each answers once it hears the store's notifications.
  const ready = await Promise.all(
    children.map((child) => new Promise((resolve) => child.once("message", (m) => resolve(m)))),
  );
  expect(ready).toEqual(children.map(() => ({ ready: true })));
  for (const child of children) {
    child.on("message", (m) => replies.get(child)?.shift()?.(m as Record<string, unknown>));
  }
  const ask = (i: number, message: unknown): Promise<Record<string, unknown>> =>
    new Promise((resolve) => {
      const child = children[i]!;
      replies.get(child)?.push(resolve);
      child.send(message as never);
    });
  return { ask, all: (message: unknown) => Promise.all(children.map((_c, i) => ask(i, message))) };
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
