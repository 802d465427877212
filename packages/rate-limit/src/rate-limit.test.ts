import diagnosticsChannel from "node:diagnostics_channel";
import type { Client, Middleware } from "@switchyard/core";
import { createClient, InvalidOptionsError, memoryStateStore } from "@switchyard/core";
import { fakeClock } from "@switchyard/testkit/clock";
import type { TestRequest, TestResponse, TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { recordingStateStore } from "@switchyard/testkit/state-store";
import { afterEach, describe, expect, it } from "vitest";
import { RateLimitExceededError } from "./errors.ts";
import { rateLimit } from "./rate-limit.ts";
import type { RateLimitOptions } from "./rate-limit-options.ts";

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function server(): Promise<TestServer> {
  const s = await startTestServer();
  cleanup.push(() => s.close());
  return s;
}

function setup(options: RateLimitOptions = {}, clock = fakeClock(1_000_000)) {
  const middleware = rateLimit({ now: clock.now, sleep: clock.sleep, ...options });
  const client = createClient({ middleware: [middleware] });
  cleanup.push(() => client.destroy());
  cleanup.push(() => middleware.close());
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

/**
 * A server that enforces `limit` requests, then answers 429 with Retry-After; a request that
 * arrives while it is penalising (before the client could have waited) doubles the penalty.
 * Time is the client's fake clock, sent in a header, so the server judges in the same time.
 */
function limitedServer(s: TestServer, limit: number, retryAfterS: number) {
  const state = { served: 0, excess: 0, penaltyUntil: 0 };
  s.route("/", (req: TestRequest, res: TestResponse) => {
    const now = Number(req.headers["x-clock"]);
    if (now < state.penaltyUntil) {
      state.excess++;
      state.penaltyUntil += retryAfterS * 1000;
      res.statusCode = 429;
      res.setHeader("retry-after", String(retryAfterS * 2));
      res.end();
      return;
    }
    if (state.served >= limit) {
      state.served = 0;
      state.penaltyUntil = now + retryAfterS * 1000;
      res.statusCode = 429;
      res.setHeader("retry-after", String(retryAfterS));
      res.end("slow down");
      return;
    }
    state.served++;
    res.end("ok");
  });
  return state;
}

// Bounded in count: each round lets pending I/O run once.
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 5000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(condition()).toBe(true);
}

describe("rateLimit", () => {
  it("waits out Retry-After on a 429 and never sends into the penalty", async () => {
    const s = await server();
    const state = limitedServer(s, 5, 3);
    const clock = fakeClock(1_000_000);
    const middleware = rateLimit({ now: clock.now, sleep: clock.sleep });
    // Stamps the (fake) time of sending, after the limiter's wait: the server judges in that time.
    const stamp: Middleware = {
      name: "stamp",
      stage: "send",
      handle: (request, next) => next(request.with({ headers: { "x-clock": String(clock.now()) } })),
    };
    const client = createClient({ middleware: [middleware, stamp] });
    cleanup.push(() => client.destroy());
    const throttles = subscribe("switchyard:rate-limit:throttle");
    const results: Array<number | string> = [];
    for (let i = 0; i < 12; i++) results.push(await status(client, s.url));
    // 5 served, 1 refused, a wait, 5 served, 1 refused: never a request inside a penalty.
    expect(results.filter((r) => r === 429)).toHaveLength(2);
    expect(state.excess).toBe(0);
    expect(clock.delays.some((d) => d >= 3000)).toBe(true);
    expect(throttles[0]).toMatchObject({
      origin: s.origin,
      status: 429,
      previousRate: Number.POSITIVE_INFINITY,
      pauseMs: 3000,
    });
    expect(throttles).toHaveLength(2);
    expect(middleware.snapshot()[0]?.throttles).toBe(2);
  });

  it("paces a configured rate with a one-second burst", async () => {
    const s = await server();
    s.route("/", { status: 200 });
    const { client, clock } = setup({ hosts: { [s.origin]: { rate: 2 } } });
    for (let i = 0; i < 5; i++) expect(await status(client, s.url)).toBe(200);
    expect(clock.delays).toEqual([500, 500, 500]);
  });

  it("cuts the rate by beta on a 429 and recovers additively to unlimited", async () => {
    const s = await server();
    s.route("/", [{ status: 200 }, { status: 200 }, { status: 429 }, { status: 200 }]);
    const { client, clock, middleware } = setup({ increase: 1 });
    const recovered = subscribe("switchyard:rate-limit:recover");
    for (let i = 0; i < 3; i++) await status(client, s.url);
    // Three requests in one half-second slice measure 6/s; 0.7 of it is 4.2/s.
    expect(middleware.snapshot()[0]?.rate).toBeCloseTo(4.2, 5);
    await clock.sleep(1000);
    await status(client, s.url);
    expect(middleware.snapshot()[0]?.rate).toBeCloseTo(5.2, 5);
    await clock.sleep(1000);
    await status(client, s.url);
    expect(recovered).toEqual([{ origin: s.origin, rate: Number.POSITIVE_INFINITY }]);
    expect(middleware.snapshot()[0]?.rate).toBe(Number.POSITIVE_INFINITY);
  });

  it("does not pile up debt across throttles: each wait is one token at the new rate", async () => {
    const s = await server();
    s.route("/", { status: 503 });
    const { client, clock, middleware } = setup({ minRate: 1, beta: 0.5 });
    for (let i = 0; i < 6; i++) expect(await status(client, s.url)).toBe(503);
    // Cut to the 1/s floor: every later request waits one second, never more.
    expect(middleware.snapshot()[0]?.rate).toBe(1);
    expect(clock.delays.every((d) => d <= 1000)).toBe(true);
    expect(clock.delays.slice(-3)).toEqual([1000, 1000, 1000]);
  });

  it("pauses until the reset when RateLimit headers say the quota is spent", async () => {
    const s = await server();
    s.route("/", [
      { status: 200, headers: { "ratelimit-remaining": "0", "ratelimit-reset": "7" } },
      { status: 200 },
    ]);
    const { client, clock } = setup();
    const pauses = subscribe("switchyard:rate-limit:pause");
    await status(client, s.url);
    await status(client, s.url);
    expect(clock.delays).toEqual([7000]);
    expect(pauses).toEqual([{ origin: s.origin, pauseMs: 7000, reason: "quota spent" }]);
  });

  it("fails fast past maxWait without sending", async () => {
    const s = await server();
    s.route("/", { status: 429, headers: { "retry-after": "3600" } });
    const { client } = setup({ maxWait: 10_000 });
    expect(await status(client, s.url)).toBe(429);
    const error = await client.request(`${s.url}?sig=hunter2`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitExceededError);
    expect(error).toMatchObject({ code: "SWITCHYARD_ERR_RATE_LIMITED", origin: s.origin, transient: false });
    expect((error as Error).message).not.toContain("hunter2");
    expect(s.requests).toHaveLength(1);
  });

  it("aborts a wait at once and sends nothing", async () => {
    const s = await server();
    s.route("/", [{ status: 503, headers: { "retry-after": "30" } }, { status: 200 }]);
    const middleware = rateLimit(); // real timers: the abort must clear them
    const client = createClient({ middleware: [middleware] });
    cleanup.push(() => client.destroy());
    const waits = subscribe("switchyard:rate-limit:wait");
    expect(await status(client, s.url)).toBe(503);
    const controller = new AbortController();
    const pending = client.request(s.url, { signal: controller.signal });
    await new Promise((resolve) => setImmediate(resolve));
    expect(waits).toHaveLength(1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: "SWITCHYARD_ERR_ABORTED" });
    expect(s.requests).toHaveLength(1);
  });

  it("holds at most `concurrency` requests in flight per origin, in arrival order", async () => {
    const s = await server();
    let inFlight = 0;
    let peak = 0;
    const order: string[] = [];
    const held: Array<() => void> = [];
    s.route("/*", (req: TestRequest, res: TestResponse) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      order.push(req.url ?? "");
      held.push(() => {
        inFlight--;
        res.end("ok");
      });
    });
    const { client } = setup({ concurrency: 2 });
    const calls = [0, 1, 2, 3, 4].map((i) => status(client, `${s.origin}/${i}`));
    for (let answered = 0; answered < 5; answered++) {
      await until(() => order.length >= Math.min(5, answered + 2));
      held.shift()!();
    }
    expect(await Promise.all(calls)).toEqual([200, 200, 200, 200, 200]);
    expect(peak).toBe(2);
    expect(order).toEqual(["/0", "/1", "/2", "/3", "/4"]);
  });

  it("keeps a fleet under one limit through the state store", async () => {
    const s = await server();
    s.route("/", { status: 200 });
    const clock = fakeClock(1_000_000);
    const store = recordingStateStore(memoryStateStore({ now: clock.now }));
    const hosts = { [s.origin]: { fleet: { limit: 3, windowMs: 10_000 } } };
    const a = setup({ stateStore: store, hosts }, clock);
    const b = setup({ stateStore: store, hosts }, clock);
    await status(a.client, s.url);
    await status(b.client, s.url);
    await status(a.client, s.url);
    expect(clock.delays).toEqual([]);
    await status(b.client, s.url); // the fourth in the window: waits for it to end
    expect(clock.delays).toEqual([10_000]);
    expect(s.requests).toHaveLength(4);
  });

  it("shares a server's pause with the fleet", async () => {
    const s = await server();
    s.route("/", [{ status: 200 }, { status: 429, headers: { "retry-after": "5" } }, { status: 200 }]);
    const clock = fakeClock(1_000_000);
    const store = recordingStateStore(memoryStateStore({ now: clock.now }));
    const a = setup({ stateStore: store }, clock);
    const b = setup({ stateStore: store }, clock);
    await status(b.client, s.url); // b knows the origin
    expect(await status(a.client, s.url)).toBe(429);
    await new Promise((resolve) => setImmediate(resolve));
    await status(b.client, s.url);
    expect(clock.delays).toEqual([5000]);
  });

  it("decides locally when the store fails, with an event", async () => {
    const s = await server();
    s.route("/", { status: 200 });
    const clock = fakeClock(1_000_000);
    const store = recordingStateStore(memoryStateStore({ now: clock.now }));
    store.failing = true;
    const errors = subscribe("switchyard:rate-limit:store-error");
    const { client } = setup(
      { stateStore: store, hosts: { [s.origin]: { fleet: { limit: 1, windowMs: 1000 } } } },
      clock,
    );
    expect(await status(client, s.url)).toBe(200);
    expect(await status(client, s.url)).toBe(200);
    expect(errors.map((e) => e.operation)).toEqual(["increment", "increment"]);
  });

  it("applies known-host limits only when asked", async () => {
    const s = await server();
    s.route("/", { status: 200 });
    // The key names the limiter: a loopback server stands in for the well-known host.
    const key = () => "api.stackexchange.com";
    const off = setup({ key });
    const on = setup({ key, knownHosts: true });
    await status(off.client, s.url);
    await status(on.client, s.url);
    expect(off.middleware.snapshot()[0]?.rate).toBe(Number.POSITIVE_INFINITY);
    expect(on.middleware.snapshot()[0]?.rate).toBe(30);
  });

  it("passes origins outside `origins` through untouched", async () => {
    const s = await server();
    s.route("/", { status: 429, headers: { "retry-after": "60" } });
    const { client, clock, middleware } = setup({ origins: ["https://api.example.com"] });
    for (let i = 0; i < 3; i++) expect(await status(client, s.url)).toBe(429);
    expect(clock.delays).toEqual([]);
    expect(middleware.snapshot()).toEqual([]);
  });

  it.each([
    [{ rate: 0 }],
    [{ rate: -1 }],
    [{ concurrency: 0 }],
    [{ beta: 1 }],
    [{ maxWait: -1 }],
    [{ throttleStatuses: [42] }],
    [{ hosts: { x: { fleet: { limit: 1, windowMs: 1 } } } }],
    [{ hosts: { x: { rate: "fast" } } }],
    [{ knownHosts: "yes" }],
    [{ origins: ["nope"] }],
  ])("throws InvalidOptionsError from the factory for %j", (options) => {
    expect(() => rateLimit(options as RateLimitOptions)).toThrow(InvalidOptionsError);
  });
});
