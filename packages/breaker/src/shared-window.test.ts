import { createClient, memoryStateStore } from "@switchyard/core";
import { fakeClock } from "@switchyard/testkit/clock";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { recordingStateStore } from "@switchyard/testkit/state-store";
import { afterEach, describe, expect, it } from "vitest";
import { type BreakerOptions, breaker } from "./index.ts";

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()?.();
});

async function failing(): Promise<TestServer> {
  const s = await startTestServer();
  cleanup.push(() => s.close());
  s.route("/", { status: 503 });
  return s;
}

function setup(options: BreakerOptions) {
  const middleware = breaker({ minimumRequests: 10, openMs: 5000, buckets: 1, ...options });
  const client = createClient({ middleware: [middleware] });
  cleanup.push(
    () => client.destroy(),
    () => middleware.close(),
  );
  return { client, middleware };
}

async function status(client: ReturnType<typeof createClient>, url: string): Promise<number | string> {
  try {
    const res = await client.request(url);
    await res.discard();
    return res.status;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe("breaker: window counts shared through a state store", () => {
  it("failures seen by two processes add up: 5 + 5 opens a circuit that needs 10", async () => {
    const s = await failing();
    const clock = fakeClock(1_000_000);
    const store = recordingStateStore(memoryStateStore({ now: clock.now }));
    const a = setup({ stateStore: store, now: clock.now });
    const b = setup({ stateStore: store, now: clock.now });
    for (let i = 0; i < 5; i++) expect(await status(a.client, s.url)).toBe(503);
    await settle();
    expect(a.middleware.snapshot()[0]).toMatchObject({ state: "closed", total: 5, failures: 5 });
    for (let i = 0; i < 5; i++) expect(await status(b.client, s.url)).toBe(503);
    await settle();
    expect(b.middleware.snapshot()[0]?.state).toBe("open");
    expect(a.middleware.snapshot()[0]?.state).toBe("open");
    expect(await status(a.client, s.url)).toBe("SWITCHYARD_ERR_CIRCUIT_OPEN");
    expect(s.requests).toHaveLength(10);
    // Counter keys hash the origin: no host in the store.
    const counted = store.calls.filter((c) => c.startsWith("increment "));
    expect(counted.length).toBeGreaterThan(0);
    for (const call of counted)
      expect(call).toMatch(/^increment breaker:(total|failures):[A-Za-z0-9_-]{22}$/);
  });

  it("with shareWindow: false each process counts alone and neither opens", async () => {
    const s = await failing();
    const clock = fakeClock(1_000_000);
    const store = memoryStateStore({ now: clock.now });
    const a = setup({ stateStore: store, now: clock.now, shareWindow: false });
    const b = setup({ stateStore: store, now: clock.now, shareWindow: false });
    for (let i = 0; i < 5; i++) await status(a.client, s.url);
    for (let i = 0; i < 5; i++) await status(b.client, s.url);
    await settle();
    expect(a.middleware.snapshot()[0]?.state).toBe("closed");
    expect(b.middleware.snapshot()[0]?.state).toBe("closed");
  });

  it("a store that fails leaves the counts local: the process opens on its own failures alone", async () => {
    const s = await failing();
    const clock = fakeClock(1_000_000);
    const store = recordingStateStore(memoryStateStore({ now: clock.now }));
    store.failing = true;
    const a = setup({ stateStore: store, now: clock.now });
    for (let i = 0; i < 9; i++) expect(await status(a.client, s.url)).toBe(503);
    await settle();
    expect(a.middleware.snapshot()[0]).toMatchObject({ state: "closed", total: 9, failures: 9 });
    expect(await status(a.client, s.url)).toBe(503);
    expect(a.middleware.snapshot()[0]?.state).toBe("open");
  });

  it("after the circuit closes again, the fleet's old failures do not reopen it", async () => {
    const s = await failing();
    const clock = fakeClock(1_000_000);
    const store = memoryStateStore({ now: clock.now });
    // One minute-long slice: the failures that opened it are still in the fleet's counter.
    const a = setup({ stateStore: store, now: clock.now, windowMs: 60_000 });
    for (let i = 0; i < 10; i++) await status(a.client, s.url);
    await settle();
    expect(a.middleware.snapshot()[0]?.state).toBe("open");
    await clock.sleep(5000);
    s.route("/", { status: 200 });
    expect(await status(a.client, s.url)).toBe(200); // the probe closes it
    await settle();
    expect(a.middleware.snapshot()[0]?.state).toBe("closed");
    s.route("/", { status: 503 });
    expect(await status(a.client, s.url)).toBe(503);
    await settle();
    expect(a.middleware.snapshot()[0]).toMatchObject({ state: "closed", total: 1, failures: 1 });
  });

  it("rejects a bad shareWindow or stateStoreTimeoutMs", () => {
    expect(() => breaker({ shareWindow: "yes" as never })).toThrow(/shareWindow/);
    expect(() => breaker({ stateStoreTimeoutMs: 0 })).toThrow(/stateStoreTimeoutMs/);
  });
});
