import diagnosticsChannel from "node:diagnostics_channel";
import type { Client } from "@switchyard/core";
import {
  CIRCUIT_OPEN_CODE,
  Context,
  createClient,
  InvalidOptionsError,
  memoryStateStore,
} from "@switchyard/core";
import { mirror } from "@switchyard/mirror";
import { fakeClock } from "@switchyard/testkit/clock";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { recordingStateStore } from "@switchyard/testkit/state-store";
import { afterEach, describe, expect, it } from "vitest";
import { breaker } from "./breaker.ts";
import type { BreakerOptions } from "./breaker-options.ts";
import { CircuitOpenError } from "./errors.ts";

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function server(): Promise<TestServer> {
  const s = await startTestServer();
  cleanup.push(() => s.close());
  return s;
}

function setup(options: BreakerOptions = {}) {
  const clock = fakeClock(1_000_000);
  const middleware = breaker({ now: clock.now, minimumRequests: 4, openMs: 5000, ...options });
  const client = createClient({ middleware: [middleware] });
  cleanup.push(() => client.destroy());
  return { client, clock, middleware };
}

function subscribe(name: string): Array<Record<string, unknown>> {
  const events: Array<Record<string, unknown>> = [];
  const listener = (message: unknown) => events.push(message as Record<string, unknown>);
  diagnosticsChannel.subscribe(name, listener);
  cleanup.push(() => void diagnosticsChannel.unsubscribe(name, listener));
  return events;
}

async function status(client: Client, url: string): Promise<number | string> {
  try {
    const res = await client.request(url);
    await res.discard();
    return res.status;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe("breaker", () => {
  it("opens after a burst of 503s and fails fast without sending", async () => {
    const s = await server();
    s.route("/", [{ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 }, { status: 200 }]);
    const { client, middleware } = setup();
    const opens = subscribe("switchyard:breaker:open");
    for (let i = 0; i < 4; i++) expect(await status(client, s.url)).toBe(503);
    expect(middleware.snapshot()).toMatchObject([{ origin: s.origin, state: "open", opened: 1 }]);
    expect(opens).toMatchObject([{ origin: s.origin, openMs: 5000, source: "local" }]);

    const error = await client.request(`${s.url}x?token=hunter2`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CircuitOpenError);
    const open = error as CircuitOpenError;
    expect(open.code).toBe(CIRCUIT_OPEN_CODE);
    expect(open.transient).toBe(true);
    expect(open.origin).toBe(s.origin);
    expect(open.retryInMs).toBe(5000);
    expect(open.message).toContain(s.origin);
    expect(open.message).toContain(open.probeAt.toISOString());
    expect(open.message).not.toContain("hunter2");
    expect(s.requests).toHaveLength(4);
  });

  it("counts statuses only when configured, and 2xx/4xx never", async () => {
    const s = await server();
    s.route("/", { status: 404 });
    const { client, middleware } = setup();
    for (let i = 0; i < 10; i++) expect(await status(client, s.url)).toBe(404);
    expect(middleware.snapshot()[0]).toMatchObject({ state: "closed", total: 10, failures: 0 });

    const strict = setup({ statuses: [404] });
    for (let i = 0; i < 4; i++) await status(strict.client, s.url);
    expect(strict.middleware.snapshot()[0]?.state).toBe("open");
  });

  it("counts transport errors (connections closed before an answer)", async () => {
    const s = await server();
    s.route("/", { closeBeforeHeaders: true });
    const { client, middleware } = setup();
    for (let i = 0; i < 4; i++) expect(await status(client, s.url)).not.toBe(CIRCUIT_OPEN_CODE);
    expect(middleware.snapshot()[0]?.state).toBe("open");
    expect(await status(client, s.url)).toBe(CIRCUIT_OPEN_CODE);
    expect(s.requests).toHaveLength(4);
  });

  it("does not count the caller's abort", async () => {
    const s = await server();
    s.route("/", { delayMs: 10_000 });
    const { client, middleware } = setup();
    for (let i = 0; i < 4; i++) {
      const controller = new AbortController();
      const pending = client.request(s.url, { signal: controller.signal });
      await s.waitForRequests(i + 1);
      controller.abort();
      await expect(pending).rejects.toMatchObject({ code: "SWITCHYARD_ERR_ABORTED" });
    }
    expect(middleware.snapshot()[0]).toMatchObject({ state: "closed", failures: 0 });
  });

  it("lets one probe through after openMs; success closes it", async () => {
    const s = await server();
    s.route("/", [{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }, { status: 200 }]);
    const { client, clock, middleware } = setup();
    const halfOpen = subscribe("switchyard:breaker:half-open");
    const closed = subscribe("switchyard:breaker:close");
    for (let i = 0; i < 4; i++) await status(client, s.url);
    await clock.sleep(4999);
    expect(await status(client, s.url)).toBe(CIRCUIT_OPEN_CODE);
    await clock.sleep(1);
    expect(await status(client, s.url)).toBe(200);
    expect(halfOpen).toEqual([{ origin: s.origin }]);
    expect(closed).toEqual([{ origin: s.origin }]);
    expect(middleware.snapshot()[0]?.state).toBe("closed");
    expect(s.requests).toHaveLength(5);
  });

  it("rejects a second request while the only probe is in flight", async () => {
    const s = await server();
    s.route("/", [{ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }, { delayMs: 200 }]);
    const { client, clock } = setup();
    for (let i = 0; i < 4; i++) await status(client, s.url);
    await clock.sleep(5000);
    const probe = status(client, s.url);
    await s.waitForRequests(5);
    const error = await client.request(s.url).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: CIRCUIT_OPEN_CODE, state: "half-open" });
    expect(await probe).toBe(200);
    expect(s.requests).toHaveLength(5);
  });

  it("opens again when the probe fails", async () => {
    const s = await server();
    s.route("/", { status: 502 });
    const { client, clock, middleware } = setup();
    for (let i = 0; i < 4; i++) await status(client, s.url);
    await clock.sleep(5000);
    expect(await status(client, s.url)).toBe(502);
    expect(middleware.snapshot()[0]).toMatchObject({
      state: "open",
      opened: 2,
      openUntil: clock.now() + 5000,
    });
    expect(await status(client, s.url)).toBe(CIRCUIT_OPEN_CODE);
    expect(s.requests).toHaveLength(5);
  });

  it("passes the failed response's body through unbuffered", async () => {
    const s = await server();
    s.route("/", { status: 503, body: { size: 8 << 20 } });
    const { client } = setup();
    const res = await client.request(s.url);
    expect(res.status).toBe(503);
    let bytes = 0;
    for await (const chunk of res.body) bytes += (chunk as Buffer).length;
    expect(bytes).toBe(8 << 20);
  });

  it("keeps one circuit per origin and leaves other origins alone", async () => {
    const bad = await server();
    const good = await server();
    bad.route("/", { status: 503 });
    good.route("/", { status: 200 });
    const { client } = setup();
    for (let i = 0; i < 4; i++) await status(client, bad.url);
    expect(await status(client, bad.url)).toBe(CIRCUIT_OPEN_CODE);
    expect(await status(client, good.url)).toBe(200);
  });

  it("passes through origins outside `origins` without a circuit", async () => {
    const s = await server();
    s.route("/", { status: 503 });
    const { client, middleware } = setup({ origins: ["https://api.example.com"] });
    for (let i = 0; i < 6; i++) expect(await status(client, s.url)).toBe(503);
    expect(middleware.snapshot()).toEqual([]);
  });

  it("forgets the oldest closed circuit past maxCircuits", async () => {
    const servers = [await server(), await server(), await server()];
    for (const s of servers) s.route("/", { status: 200 });
    const { client, middleware } = setup({ maxCircuits: 2 });
    for (const s of servers) await status(client, s.url);
    expect(middleware.snapshot().map((c) => c.origin)).toEqual([servers[1]!.origin, servers[2]!.origin]);
  });

  it("makes mirror skip a mirror whose circuit is open, at once and without a connection", async () => {
    const dead = await server();
    const live = await server();
    dead.route("/pkgs/*", { status: 503 });
    live.route("/pkgs/*", { status: 200, body: "ok" });
    const clock = fakeClock(1_000_000);
    const delays: number[] = [];
    const client = createClient({
      middleware: [
        breaker({ now: clock.now, minimumRequests: 2, openMs: 60_000 }),
        mirror({
          mirrors: { "https://origin.invalid/pkgs": [`${dead.origin}/pkgs`, `${live.origin}/pkgs`] },
          maxFailures: 100,
          // List order every time (mirror would otherwise put the failing mirror last itself).
          select: () => [0, 1],
          delay: (n) => {
            delays.push(n);
            return 0;
          },
        }),
      ],
    });
    cleanup.push(() => client.destroy());
    // Two calls: each tries the dead mirror (503), then fails over to the live one.
    for (let i = 0; i < 2; i++) expect(await status(client, "https://origin.invalid/pkgs/a")).toBe(200);
    expect(dead.requests).toHaveLength(2);
    expect(delays).toEqual([1, 1]);
    const connections = dead.connections;
    // The dead mirror's circuit is open: mirror moves on without a request, a connection or a delay.
    const context = new Context();
    const res = await client.request("https://origin.invalid/pkgs/b", { context });
    expect(await res.text()).toBe("ok");
    expect(dead.requests).toHaveLength(2);
    expect(dead.connections).toBe(connections);
    expect(delays).toEqual([1, 1]);
  });

  it("shares open circuits through a state store: one process's breaker protects the other", async () => {
    const s = await server();
    s.route("/", { status: 503 });
    const clock = fakeClock(1_000_000);
    const store = recordingStateStore(memoryStateStore({ now: clock.now }));
    const a = setup({ stateStore: store, now: clock.now });
    const b = setup({ stateStore: store, now: clock.now });
    cleanup.push(
      () => a.middleware.close(),
      () => b.middleware.close(),
    );
    const opens = subscribe("switchyard:breaker:open");
    for (let i = 0; i < 4; i++) await status(a.client, s.url);
    // The store's notification and get() are asynchronous: let them land.
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.calls).toContain(`extendDeadline breaker:open:${s.origin}`);
    expect(opens.map((e) => e.source).sort()).toEqual(["local", "store"]);
    expect(await status(b.client, s.url)).toBe(CIRCUIT_OPEN_CODE);
    expect(s.requests).toHaveLength(4);
    expect(b.middleware.snapshot()[0]).toMatchObject({ state: "open", openUntil: clock.now() + 5000 });
  });

  it("keeps working on local state when the store fails, with an event", async () => {
    const s = await server();
    s.route("/", { status: 503 });
    const clock = fakeClock(1_000_000);
    const store = recordingStateStore(memoryStateStore({ now: clock.now }));
    store.failing = true;
    const { client, middleware } = setup({ stateStore: store, now: clock.now });
    cleanup.push(() => middleware.close());
    const errors = subscribe("switchyard:breaker:store-error");
    for (let i = 0; i < 4; i++) await status(client, s.url);
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([{ store: "memory", operation: "extendDeadline", error: "Error" }]);
    expect(await status(client, s.url)).toBe(CIRCUIT_OPEN_CODE);
  });

  it.each([
    [{ failureRatio: 0 }],
    [{ failureRatio: 1.5 }],
    [{ minimumRequests: 0 }],
    [{ openMs: -1 }],
    [{ halfOpenProbes: 1.5 }],
    [{ statuses: [99] }],
    [{ origins: ["not a url"] }],
    [{ key: "origin" }],
    [{ stateStore: {} }],
  ])("throws InvalidOptionsError from the factory for %j", (options) => {
    expect(() => breaker(options as BreakerOptions)).toThrow(InvalidOptionsError);
  });

  it("never puts a userinfo secret from `origins` into the error", () => {
    expect(() => breaker({ origins: ["https://user:s3cret@"] })).toThrow(/^(?!.*s3cret)/);
  });
});
