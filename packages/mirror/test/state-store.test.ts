import { createClient, memoryStateStore } from "@switchyard/core";
import { startTestServer, type TestServer } from "@switchyard/testkit/servers";
import { recordingStateStore } from "@switchyard/testkit/state-store";
import { afterEach, describe, expect, it } from "vitest";
import { mirror } from "../src/mirror.ts";

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

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` every 10 ms until true (bounded: 5 s); answers whether it became true. */
async function until(probe: () => boolean): Promise<boolean> {
  for (let i = 0; i < 500; i++) {
    if (probe()) return true;
    await pause(10);
  }
  return false;
}

type Mirror = ReturnType<typeof mirror>;
const deadState = (m: Mirror) => m.snapshot()[0]?.mirrors[0];

describe("mirror with a stateStore", () => {
  it("a failure one client sees is known to the others: they skip the dead mirror; one probe after the cool-down", async () => {
    const dead = await server(503);
    const good = await server(200);
    const stateStore = memoryStateStore();
    const middlewares = [0, 1, 2].map(() =>
      mirror({
        mirrors: { "https://origin.example/files": [dead.url, good.url] },
        maxFailures: 1,
        cooldownMs: 300,
        delay: () => 0,
        stateStore,
      }),
    );
    const clients = middlewares.map((m) => createClient({ middleware: [m] }));
    cleanup.push(async () => {
      await Promise.all(clients.map((c) => c.close()));
    });
    const get = async (i: number): Promise<string> =>
      (await clients[i]!.request("https://origin.example/files/a")).text();
    expect(await get(0)).toBe("ok");
    expect(dead.requests).toHaveLength(1);
    // The shared counter's notification and read reach the other two.
    expect(await until(() => middlewares.every((m) => deadState(m)?.availability === "cooling"))).toBe(true);
    expect(await Promise.all([get(1), get(2)])).toEqual(["ok", "ok"]);
    expect(dead.requests).toHaveLength(1);
    // After the cool-down exactly one client of the three holds the probe lease (the others keep
    // cooling): the dead mirror sees one probe, not three.
    expect(
      await until(() => middlewares.filter((m) => deadState(m)?.availability === "probe").length === 1),
    ).toBe(true);
    expect(middlewares.filter((m) => deadState(m)?.availability === "cooling")).toHaveLength(2);
    expect(await Promise.all([get(0), get(1), get(2)])).toEqual(["ok", "ok", "ok"]);
    expect(dead.requests).toHaveLength(2);
  });

  it("a recovered mirror is forgiven by every client after one success", async () => {
    const flaky = await startTestServer();
    cleanup.push(() => flaky.close());
    flaky.route("/*", [{ status: 503 }, { status: 200, body: "flaky-ok" }]);
    const good = await server(200);
    const stateStore = memoryStateStore();
    const make = () =>
      createClient({
        middleware: [
          mirror({
            mirrors: { "https://origin.example/files": [flaky.url, good.url] },
            maxFailures: 1,
            cooldownMs: 200,
            delay: () => 0,
            stateStore,
          }),
        ],
      });
    const [a, b] = [make(), make()];
    cleanup.push(async () => {
      await Promise.all([a.close(), b.close()]);
    });
    expect(await (await a.request("https://origin.example/files/x")).text()).toBe("ok");
    await pause(400); // cool-down over; one of the two holds the probe lease
    const [ra, rb] = await Promise.all([
      a.request("https://origin.example/files/x"),
      b.request("https://origin.example/files/x"),
    ]);
    expect([await ra.text(), await rb.text()].sort()).toEqual(["flaky-ok", "ok"]);
    await pause(20);
    expect(await (await b.request("https://origin.example/files/y")).text()).toBe("flaky-ok");
    expect(await (await a.request("https://origin.example/files/z")).text()).toBe("flaky-ok");
  });

  it("a process that starts after the failure learns it at start (one read per mirror), not by paying for it", async () => {
    const dead = await server(503);
    const good = await server(200);
    const stateStore = recordingStateStore(memoryStateStore());
    const options = {
      mirrors: { "https://origin.example/files": [dead.url, good.url] },
      maxFailures: 1,
      cooldownMs: 60_000,
      delay: () => 0,
      stateStore,
    };
    const first = createClient({ middleware: [mirror(options)] });
    cleanup.push(() => first.close());
    expect(await (await first.request("https://origin.example/files/a")).text()).toBe("ok");
    expect(dead.requests).toHaveLength(1);
    // Started later: the failure's notification went out before it listened.
    const before = stateStore.calls.length;
    const late = mirror(options);
    expect(stateStore.calls.slice(before).filter((c) => c.startsWith("get"))).toHaveLength(2);
    expect(await until(() => deadState(late)?.availability === "cooling")).toBe(true);
    const second = createClient({ middleware: [late] });
    cleanup.push(() => second.close());
    expect(await (await second.request("https://origin.example/files/b")).text()).toBe("ok");
    expect(dead.requests).toHaveLength(1);
  });

  it("refuses a stateStore that is not one", () => {
    expect(() => mirror({ mirrors: {}, stateStore: {} as never })).toThrow(/StateStore/);
  });
});
