import diagnosticsChannel from "node:diagnostics_channel";
import type { AttemptBudget, Client, Middleware } from "@switchyard/core";
import { createClient, InvalidOptionsError } from "@switchyard/core";
import { mirror } from "@switchyard/mirror";
import { retry } from "@switchyard/retry";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterEach, describe, expect, it } from "vitest";
import { hedge } from "./hedge.ts";
import type { HedgeOptions } from "./hedge-options.ts";

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function server(): Promise<TestServer> {
  const s = await startTestServer();
  cleanup.push(() => s.close());
  return s;
}

/** Timers the test fires by hand: the hedge delay is captured, never slept. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  const delays: number[] = [];
  let id = 0;
  return {
    delays,
    pending,
    set(fn: () => void, ms: number) {
      delays.push(ms);
      pending.set(++id, { fn, ms });
      return id;
    },
    clear(handle: unknown) {
      pending.delete(handle as number);
    },
    fire() {
      for (const [handle, t] of [...pending]) {
        pending.delete(handle);
        t.fn();
      }
    },
  };
}

function setup(options: HedgeOptions = {}, extra: Middleware[] = []) {
  const timers = manualTimers();
  const middleware = hedge({ delay: 50, maxExtraLoad: 1, timers, ...options });
  const client = createClient({ middleware: [middleware, ...extra] });
  cleanup.push(() => client.destroy());
  return { client, timers, middleware };
}

function subscribe(name: string): Array<Record<string, unknown>> {
  const events: Array<Record<string, unknown>> = [];
  const listener = (message: unknown) => events.push(message as Record<string, unknown>);
  diagnosticsChannel.subscribe(name, listener);
  cleanup.push(() => void diagnosticsChannel.unsubscribe(name, listener));
  return events;
}

async function text(client: Client, url: string, init?: Parameters<Client["request"]>[1]): Promise<string> {
  const res = await client.request(url, init);
  return res.text();
}

// Bounded in count: lets pending I/O run until `condition` holds.
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 5000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  expect(condition()).toBe(true);
}

describe("hedge", () => {
  it("sends a hedge when the first attempt has not answered; the first answer wins, the loser is aborted", async () => {
    const s = await server();
    s.route("/x", [{ delayMs: 20_000, body: "slow" }, { body: "fast" }]);
    const { client, timers, middleware } = setup();
    const wins = subscribe("switchyard:hedge:win");
    const sent = subscribe("switchyard:hedge:hedge");
    const pending = text(client, `${s.origin}/x?token=hunter2`);
    await until(() => s.requests.length === 1);
    expect(timers.delays).toEqual([50]);
    timers.fire();
    expect(await pending).toBe("fast");
    expect(s.requests).toHaveLength(2);
    expect(wins).toMatchObject([{ origin: s.origin, winner: "hedge" }]);
    expect(sent).toMatchObject([{ origin: s.origin, method: "GET", delayMs: 50 }]);
    expect(JSON.stringify(sent[0]?.url)).not.toContain("hunter2");
    // The slow attempt was aborted: its connection closes long before the server would answer.
    await s.waitForOpenConnections(1);
    expect(middleware.snapshot()[0]).toMatchObject({ calls: 1, hedges: 1, hedgeWins: 1 });
    expect(middleware.inFlight).toBe(0);
  });

  it("sends no hedge when the first attempt answers in time, and clears its timer", async () => {
    const s = await server();
    s.route("/x", { body: "ok" });
    const { client, timers } = setup();
    for (let i = 0; i < 5; i++) expect(await text(client, `${s.origin}/x`)).toBe("ok");
    expect(timers.delays).toHaveLength(5);
    expect(timers.pending.size).toBe(0);
    expect(s.requests).toHaveLength(5);
  });

  it("learns the delay from the origin's live latency (p95) after warming up", async () => {
    const s = await server();
    s.route("/x", { body: "ok" });
    let clock = 0;
    let latency = 0;
    // Advances the fake clock by the latency of this attempt before it goes out.
    const slowBy: Middleware = {
      name: "slow-by",
      stage: "send",
      handle: (request, next) => {
        clock += latency;
        return next(request);
      },
    };
    const { client, timers, middleware } = setup({ delay: undefined, minSamples: 20, now: () => clock }, [
      slowBy,
    ]);
    for (latency = 1; latency <= 20; latency++) await text(client, `${s.origin}/x`);
    expect(timers.delays).toEqual([]); // warming up: no hedge armed
    latency = 0;
    await text(client, `${s.origin}/x`);
    const [delay] = timers.delays;
    // p95 of 1..20 ms is 19 ms; the histogram answers within 10 % above.
    expect(delay).toBeGreaterThanOrEqual(19);
    expect(delay).toBeLessThanOrEqual(19 * 1.1);
    expect(middleware.snapshot()[0]).toMatchObject({ samples: 21, delayMs: delay });
  });

  it("spends the retry budget on the call's context and stops when it is empty", async () => {
    const s = await server();
    s.route("/x", [{ delayMs: 20_000 }, { body: "fast" }, { delayMs: 300, body: "primary" }]);
    const r = retry({ budget: { capacity: 5, retryCost: 5 } });
    const timers = manualTimers();
    const client = createClient({ middleware: [r, hedge({ delay: 10, maxExtraLoad: 1, timers })] });
    cleanup.push(() => client.destroy());
    const skips = subscribe("switchyard:hedge:skip");
    const first = text(client, `${s.origin}/x`);
    await until(() => s.requests.length === 1);
    timers.fire();
    expect(await first).toBe("fast");
    // 5 - 5 for the hedge, + 1 that retry gives back for a call answered at its first attempt.
    expect(r.budget?.available).toBe(1);
    const second = text(client, `${s.origin}/x`);
    await until(() => s.requests.length === 3);
    timers.fire();
    expect(await second).toBe("primary");
    expect(skips).toMatchObject([{ origin: s.origin, reason: "budget" }]);
    expect(s.requests).toHaveLength(3);
  });

  it("uses a budget given as an option and `false` for none", async () => {
    const s = await server();
    s.route("/x", [{ delayMs: 300, body: "primary" }]);
    const refusing: AttemptBudget = { acquire: () => undefined };
    const { client, timers } = setup({ budget: refusing });
    const skips = subscribe("switchyard:hedge:skip");
    const call = text(client, `${s.origin}/x`);
    await until(() => s.requests.length === 1);
    timers.fire();
    expect(await call).toBe("primary");
    expect(skips.map((e) => e.reason)).toEqual(["budget"]);
  });

  it("caps extra load at maxExtraLoad of calls", async () => {
    const s = await server();
    s.route("/x", { delayMs: 100, body: "ok" });
    const { client, timers } = setup({ maxExtraLoad: 0.5 });
    const skips = subscribe("switchyard:hedge:skip");
    for (let i = 0; i < 4; i++) {
      const call = text(client, `${s.origin}/x`);
      await until(() => timers.pending.size === 1);
      timers.fire();
      await call;
    }
    // Four calls earn two hedges; the other two are skipped.
    expect(s.requests).toHaveLength(6);
    expect(skips.map((e) => e.reason)).toEqual(["extra-load", "extra-load"]);
  });

  it("caps hedges in flight", async () => {
    const s = await server();
    s.route("/x", { delayMs: 100, body: "ok" });
    const { client, timers } = setup({ maxInFlight: 0 });
    const skips = subscribe("switchyard:hedge:skip");
    const call = text(client, `${s.origin}/x`);
    await until(() => timers.pending.size === 1);
    timers.fire();
    await call;
    expect(skips.map((e) => e.reason)).toEqual(["in-flight"]);
    expect(s.requests).toHaveLength(1);
  });

  it("never hedges a non-idempotent method or a one-shot body", async () => {
    const s = await server();
    s.route("/x", { body: "ok" });
    const { client, timers } = setup({ methods: ["GET", "PUT"] });
    await text(client, `${s.origin}/x`, { method: "POST", body: "a" });
    await text(client, `${s.origin}/x`, {
      method: "PUT",
      body: (async function* () {
        yield new TextEncoder().encode("once");
      })(),
    });
    expect(timers.delays).toEqual([]);
    await text(client, `${s.origin}/x`, { method: "PUT", body: "replayable" });
    expect(timers.delays).toEqual([50]);
  });

  it("fails as it would without hedging when the first attempt fails before the hedge", async () => {
    const s = await server();
    s.route("/x", { closeBeforeHeaders: true });
    const { client, timers } = setup();
    await expect(client.request(`${s.origin}/x`)).rejects.toMatchObject({ transient: true });
    expect(timers.pending.size).toBe(0);
    expect(s.requests).toHaveLength(1);
  });

  it("waits for the hedge when the first attempt fails after it went", async () => {
    const s = await server();
    s.route("/x", [
      { delayMs: 300, closeBeforeHeaders: true },
      { delayMs: 100, body: "hedge" },
    ]);
    const { client, timers } = setup();
    const call = text(client, `${s.origin}/x`);
    await until(() => s.requests.length === 1);
    timers.fire();
    expect(await call).toBe("hedge");
  });

  it("aborts both attempts when the caller aborts", async () => {
    const s = await server();
    s.route("/x", { delayMs: 20_000 });
    const { client, timers, middleware } = setup();
    const controller = new AbortController();
    const call = client.request(`${s.origin}/x`, { signal: controller.signal });
    await until(() => s.requests.length === 1);
    timers.fire();
    await until(() => s.requests.length === 2);
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: "SWITCHYARD_ERR_ABORTED" });
    await s.waitForOpenConnections(0);
    expect(middleware.inFlight).toBe(0);
  });

  it("sends the hedge to another mirror than the one still busy", async () => {
    const slow = await server();
    const fast = await server();
    slow.route("/pkgs/*", { delayMs: 20_000, body: "slow" });
    fast.route("/pkgs/*", { body: "fast" });
    const { client, timers } = setup({}, [
      mirror({
        mirrors: { "https://origin.invalid/pkgs": [`${slow.origin}/pkgs`, `${fast.origin}/pkgs`] },
      }),
    ]);
    const call = text(client, "https://origin.invalid/pkgs/a");
    await until(() => slow.requests.length === 1);
    timers.fire();
    expect(await call).toBe("fast");
    expect(slow.requests).toHaveLength(1);
    expect(fast.requests).toHaveLength(1);
  });

  it("passes other origins through untouched", async () => {
    const s = await server();
    s.route("/x", { body: "ok" });
    const { client, timers, middleware } = setup({ origins: ["https://api.example.com"] });
    await text(client, `${s.origin}/x`);
    expect(timers.delays).toEqual([]);
    expect(middleware.snapshot()).toEqual([]);
  });

  it.each([
    [{ quantile: 1 }],
    [{ quantile: 0 }],
    [{ delay: -1 }],
    [{ minSamples: 0 }],
    [{ maxExtraLoad: 0 }],
    [{ maxInFlight: -1 }],
    [{ methods: [""] }],
    [{ budget: {} }],
    [{ timers: { set: () => 1 } }],
    [{ origins: ["x"] }],
  ])("throws InvalidOptionsError from the factory for %j", (options) => {
    expect(() => hedge(options as HedgeOptions)).toThrow(InvalidOptionsError);
  });
});
