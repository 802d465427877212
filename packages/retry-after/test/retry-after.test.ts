import diagnosticsChannel from "node:diagnostics_channel";
import type { Client, HttpRequest, Middleware } from "@switchyard/core";
import { AbortError, Context, createClient, notBeforeKey, TimeoutError } from "@switchyard/core";
import { fakeClock } from "@switchyard/testkit/clock";
import type { TestServer } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterEach, describe, expect, it } from "vitest";
import { DeadlineStore } from "../src/deadline-store.ts";
import { RetryAfterTooLongError } from "../src/errors.ts";
import type { RetryAfterOptions } from "../src/retry-after.ts";
import { retryAfter } from "../src/retry-after.ts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function server(): Promise<TestServer> {
  const s = await startTestServer();
  cleanup.push(() => s.close());
  return s;
}

function setup(options: RetryAfterOptions = {}, extra: Middleware[] = []) {
  const clock = fakeClock();
  const middleware = retryAfter({ now: clock.now, sleep: clock.sleep, ...options });
  const client = createClient({ middleware: [middleware, ...extra] });
  cleanup.push(() => client.destroy());
  return { client, clock, middleware };
}

function subscribe(name: string): Array<Record<string, unknown>> {
  const events: Array<Record<string, unknown>> = [];
  const listener = (message: unknown) => events.push(message as Record<string, unknown>);
  diagnosticsChannel.subscribe(name, listener);
  cleanup.push(async () => {
    diagnosticsChannel.unsubscribe(name, listener);
  });
  return events;
}

async function status(client: Client, url: string, context?: Context): Promise<number> {
  const res = await client.request(url, context ? { context } : undefined);
  await res.discard();
  return res.status;
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

describe("retryAfter", () => {
  it("records a delay-seconds deadline on 503 and waits it before the next request to the origin", async () => {
    const s = await server();
    s.route("/a", [{ status: 503, headers: { "retry-after": "2" } }, { status: 200 }]);
    s.route("/b", { status: 200 });
    const { client, clock, middleware } = setup();
    const first = new Context();
    const started = clock.now();
    expect(await status(client, `${s.origin}/a`, first)).toBe(503);
    expect(first.get(notBeforeKey)).toBe(started + 2000);
    expect(middleware.store.size).toBe(1);
    expect(clock.delays).toEqual([]);

    const second = new Context();
    expect(await status(client, `${s.origin}/b`, second)).toBe(200);
    expect(clock.delays).toEqual([2000]);
    expect(second.get(notBeforeKey)).toBe(started + 2000);
    // The deadline has passed: later requests go at once.
    expect(await status(client, `${s.origin}/a`)).toBe(200);
    expect(clock.delays).toEqual([2000]);
    expect(middleware.store.size).toBe(0);
  });

  it("records a deadline on 429 with an IMF-fixdate", async () => {
    const s = await server();
    const { client, clock } = setup();
    const deadline = Math.floor(clock.now() / 1000) * 1000 + 5000;
    s.route("/", [
      { status: 429, headers: { "retry-after": new Date(deadline).toUTCString() } },
      { status: 200 },
    ]);
    const at = clock.now();
    expect(await status(client, s.url)).toBe(429);
    expect(await status(client, s.url)).toBe(200);
    expect(clock.delays).toEqual([deadline - at]);
    expect(deadline - at).toBeGreaterThan(4000);
  });

  it.each([
    [
      "RFC 850",
      (d: Date) => {
        const days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
        const [, dd, mon, yyyy, time] = d.toUTCString().split(" ");
        return `${days[d.getUTCDay()]}, ${dd}-${mon}-${yyyy!.slice(2)} ${time} GMT`;
      },
    ],
    [
      "asctime",
      (d: Date) => {
        const [wkd, dd, mon, yyyy, time] = d.toUTCString().split(" ");
        return `${wkd!.slice(0, 3)} ${mon} ${String(Number(dd)).padStart(2, " ")} ${time} ${yyyy}`;
      },
    ],
  ])("records a deadline given in the %s form", async (_form, format) => {
    const s = await server();
    const { client, clock } = setup();
    const deadline = Math.floor(clock.now() / 1000) * 1000 + 3000;
    s.route("/", [{ status: 503, headers: { "retry-after": format(new Date(deadline)) } }, { status: 200 }]);
    const at = clock.now();
    expect(await status(client, s.url)).toBe(503);
    expect(await status(client, s.url)).toBe(200);
    expect(clock.delays).toEqual([deadline - at]);
  });

  it.each([
    ["a date in the past", "Sun, 06 Nov 1994 08:49:37 GMT"],
    ["zero seconds", "0"],
  ])("does not wait for %s", async (_what, value) => {
    const s = await server();
    s.route("/", [{ status: 503, headers: { "retry-after": value } }, { status: 200 }]);
    const { client, clock, middleware } = setup();
    await status(client, s.url);
    await status(client, s.url);
    expect(clock.delays).toEqual([]);
    expect(middleware.store.size).toBe(0);
  });

  it("ignores an invalid value with an event, never an error", async () => {
    const s = await server();
    s.route("/", [{ status: 503, headers: { "retry-after": "soon, maybe" } }, { status: 200 }]);
    const invalid = subscribe("switchyard:retry-after:invalid");
    const { client, clock } = setup();
    expect(await status(client, s.url)).toBe(503);
    expect(await status(client, s.url)).toBe(200);
    expect(clock.delays).toEqual([]);
    expect(invalid).toEqual([{ method: "GET", url: s.url, header: "retry-after", value: "soon, maybe" }]);
  });

  it("ignores Retry-After on statuses it was not told to watch, and watches the ones it was", async () => {
    const s = await server();
    s.route("/", [{ status: 500, headers: { "retry-after": "5" } }, { status: 200 }]);
    const { client, clock } = setup();
    await status(client, s.url);
    await status(client, s.url);
    expect(clock.delays).toEqual([]);

    const s2 = await server();
    s2.route("/", [{ status: 500, headers: { "retry-after": "5" } }, { status: 200 }]);
    const custom = setup({ statuses: [500] });
    await status(custom.client, s2.url);
    await status(custom.client, s2.url);
    expect(custom.clock.delays).toEqual([5000]);
  });

  it("keys deadlines per origin by default: another origin does not wait", async () => {
    const a = await server();
    const b = await server();
    a.route("/", { status: 503, headers: { "retry-after": "30" } });
    b.route("/", { status: 200 });
    const { client, clock } = setup();
    await status(client, a.url);
    expect(await status(client, b.url)).toBe(200);
    expect(clock.delays).toEqual([]);
  });

  it("keys deadlines per URL by option: another path on the same origin does not wait", async () => {
    const s = await server();
    s.route("/slow", [{ status: 503, headers: { "retry-after": "7" } }, { status: 200 }]);
    s.route("/other", { status: 200 });
    const { client, clock } = setup({ key: "url" });
    await status(client, `${s.origin}/slow`);
    await status(client, `${s.origin}/other`);
    expect(clock.delays).toEqual([]);
    await status(client, `${s.origin}/slow`);
    expect(clock.delays).toEqual([7000]);
  });

  it("keys deadlines with a custom function", async () => {
    const s = await server();
    s.route("/tenant-a/x", [{ status: 429, headers: { "retry-after": "3" } }, { status: 200 }]);
    s.route("/tenant-a/y", { status: 200 });
    s.route("/tenant-b/y", { status: 200 });
    const key = (r: HttpRequest) => r.parsedUrl.pathname.split("/")[1]!;
    const { client, clock } = setup({ key });
    await status(client, `${s.origin}/tenant-a/x`);
    await status(client, `${s.origin}/tenant-b/y`);
    expect(clock.delays).toEqual([]);
    await status(client, `${s.origin}/tenant-a/y`);
    expect(clock.delays).toEqual([3000]);
  });

  it("fails fast past maxWait with an error that states the deadline, without sending", async () => {
    const s = await server();
    s.route("/", { status: 503, headers: { "retry-after": "3600" } });
    const { client, clock } = setup({ maxWait: 60_000 });
    const first = new Context();
    expect(await status(client, `${s.origin}/?token=abc123`, first)).toBe(503);
    // A hint beyond maxWait is not handed to retry.
    expect(first.get(notBeforeKey)).toBeUndefined();
    const error = await client.request(`${s.origin}/?token=abc123`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryAfterTooLongError);
    const e = error as RetryAfterTooLongError;
    const deadline = new Date(clock.now() + 3_600_000);
    expect(e.code).toBe("SWITCHYARD_ERR_RETRY_AFTER_TOO_LONG");
    expect(e.transient).toBe(false);
    expect(e.deadline).toEqual(deadline);
    expect(e.maxWait).toBe(60_000);
    expect(e.message).toBe(
      `GET ${s.origin}/?token=***: the server asked to wait until ${deadline.toISOString()} (3600 s from now), longer than maxWait (60000 ms); try again after that time or raise maxWait`,
    );
    expect(s.requests).toHaveLength(1);
    expect(clock.delays).toEqual([]);
  });

  it("reads RateLimit-Reset and X-RateLimit-Reset only when asked", async () => {
    const s = await server();
    s.route("/", [{ status: 429, headers: { "x-ratelimit-reset": "4" } }, { status: 200 }]);
    const off = setup();
    await status(off.client, s.url);
    await status(off.client, s.url);
    expect(off.clock.delays).toEqual([]);

    const s2 = await server();
    s2.route("/", [{ status: 429, headers: { "ratelimit-reset": "6" } }, { status: 200 }]);
    const on = setup({ rateLimitReset: true });
    await status(on.client, s2.url);
    await status(on.client, s2.url);
    expect(on.clock.delays).toEqual([6000]);

    // Retry-After wins over the rate-limit headers.
    const s3 = await server();
    s3.route("/", [
      { status: 429, headers: { "retry-after": "1", "x-ratelimit-reset": "9" } },
      { status: 200 },
    ]);
    const both = setup({ rateLimitReset: true });
    await status(both.client, s3.url);
    await status(both.client, s3.url);
    expect(both.clock.delays).toEqual([1000]);
  });

  it("keeps its store at its bound with many distinct targets", async () => {
    const s = await server();
    s.route("/*", { status: 503, headers: { "retry-after": "60" } });
    const { client, middleware } = setup({ key: "url", capacity: 50 });
    for (let i = 0; i < 1000; i++) await status(client, `${s.origin}/item/${i}`);
    expect(middleware.store.size).toBe(50);
    expect(s.requests).toHaveLength(1000);
  });

  it("shares a store between clients when given one", async () => {
    const s = await server();
    s.route("/", [{ status: 503, headers: { "retry-after": "2" } }, { status: 200 }]);
    const store = new DeadlineStore({ capacity: 10 });
    const clock = fakeClock();
    const one = createClient({ middleware: [retryAfter({ store, now: clock.now, sleep: clock.sleep })] });
    const two = createClient({ middleware: [retryAfter({ store, now: clock.now, sleep: clock.sleep })] });
    cleanup.push(
      () => one.destroy(),
      () => two.destroy(),
    );
    await status(one, s.url);
    await status(two, s.url);
    expect(clock.delays).toEqual([2000]);
  });

  describe("waiting", () => {
    it("holds no lock: a request to another target is not delayed by one that waits", async () => {
      const a = await server();
      const b = await server();
      a.route("/", [
        { status: 503, headers: { "retry-after": "10" } },
        { status: 200, body: "a" },
      ]);
      b.route("/", { status: 200, body: "b" });
      const wakes: Array<() => void> = [];
      let now = Date.now();
      const middleware = retryAfter({
        now: () => now,
        sleep: (ms) =>
          new Promise<void>((resolve) => {
            wakes.push(() => {
              now += ms;
              resolve();
            });
          }),
      });
      const client = createClient({ middleware: [middleware] });
      cleanup.push(() => client.destroy());
      await status(client, a.url);
      let aDone = false;
      const pendingA = client.request(a.url).then(async (res) => {
        aDone = true;
        return res.text();
      });
      const bRes = await client.request(b.url);
      expect(await bRes.text()).toBe("b");
      expect(aDone).toBe(false);
      expect(wakes).toHaveLength(1);
      wakes[0]!();
      expect(await pendingA).toBe("a");
    });

    it("rejects at once when the caller aborts during a wait, and clears the timer", async () => {
      const s = await server();
      s.route("/", { status: 503, headers: { "retry-after": "50" } });
      const client = createClient({ middleware: [retryAfter()] });
      cleanup.push(() => client.destroy());
      await status(client, s.url);
      const waits = subscribe("switchyard:retry-after:wait");
      const before = timers();
      const controller = new AbortController();
      const started = performance.now();
      const pending = client.request(s.url, { signal: controller.signal });
      while (waits.length === 0 && performance.now() - started < 5000)
        await new Promise((r) => setTimeout(r, 5));
      expect(waits).toHaveLength(1);
      expect(waits[0]!.delay).toBeGreaterThan(49_000);
      controller.abort();
      const error = await pending.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AbortError);
      expect((error as AbortError).message).toMatch(/aborted while waiting for the server's Retry-After/);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(timers()).toBeLessThanOrEqual(before);
      expect(s.requests).toHaveLength(1);
    });

    it("gives up with the whole-call TimeoutError when the client's timeout fires during a wait", async () => {
      const s = await server();
      s.route("/", { status: 429, headers: { "retry-after": "30" } });
      const client = createClient({ middleware: [retryAfter()], timeout: 100 });
      cleanup.push(() => client.destroy());
      await status(client, s.url);
      const error = await client.request(s.url).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).phase).toBe("request");
    });

    it("lets a 429 storm wait for one deadline instead of hammering the origin", async () => {
      const s = await server();
      s.route("/", [
        ...Array.from({ length: 20 }, () => ({ status: 429, headers: { "retry-after": "1" } })),
        { status: 200 },
      ]);
      const { client, clock, middleware } = setup();
      const firstWave = await Promise.all(Array.from({ length: 20 }, () => status(client, s.url)));
      expect(firstWave.every((x) => x === 429)).toBe(true);
      expect(middleware.store.size).toBe(1);
      const secondWave = await Promise.all(Array.from({ length: 20 }, () => status(client, s.url)));
      expect(secondWave.every((x) => x === 200)).toBe(true);
      // Every request of the second wave waited (at most) the one recorded second, none longer.
      expect(clock.delays.length).toBeGreaterThan(0);
      expect(clock.delays.every((d) => d > 0 && d <= 1000)).toBe(true);
      expect(s.requests).toHaveLength(40);
    });
  });

  describe("with an outer retry", () => {
    // A stand-in for @switchyard/retry at the policy stage (plugins do not import each other):
    // retries 503 once, waiting the longer of its backoff and core's not-before hint.
    const outerRetry = (
      clock: ReturnType<typeof fakeClock>,
      backoff: number,
      waits: number[],
    ): Middleware => ({
      name: "outer-retry",
      stage: "policy",
      async handle(request, next, context) {
        const res = await next(request);
        if (res.status !== 503) return res;
        await res.discard();
        const hint = context.get(notBeforeKey);
        const wait = Math.max(backoff, hint === undefined ? 0 : hint - clock.now());
        waits.push(wait);
        await clock.sleep(wait);
        return next(request);
      },
    });

    it.each([
      ["the hint when it is longer", 250, 2000],
      ["the backoff when it is longer", 5000, 5000],
    ])("makes the total wait %s, not hint + backoff", async (_what, backoff, total) => {
      const s = await server();
      s.route("/", [
        { status: 503, headers: { "retry-after": "2" } },
        { status: 200, body: "ok" },
      ]);
      const clock = fakeClock();
      const retryWaits: number[] = [];
      const client = createClient({
        middleware: [
          retryAfter({ now: clock.now, sleep: clock.sleep }),
          outerRetry(clock, backoff, retryWaits),
        ],
      });
      cleanup.push(() => client.destroy());
      const res = await client.request(s.url);
      expect(await res.text()).toBe("ok");
      expect(retryWaits).toEqual([total]);
      // retry-after's own gate found the deadline passed: nothing added.
      expect(clock.delays).toEqual([total]);
    });
  });

  describe("diagnostics", () => {
    it("publishes record and wait events without secrets", async () => {
      const s = await server();
      s.route("/", [{ status: 503, headers: { "retry-after": "2" } }, { status: 200 }]);
      const records = subscribe("switchyard:retry-after:record");
      const waits = subscribe("switchyard:retry-after:wait");
      const { client } = setup();
      const url = `${s.origin.replace("//", "//user:pw-secret@")}/?api_key=key-secret`;
      await status(client, url);
      await status(client, url);
      expect(records).toMatchObject([{ method: "GET", status: 503, header: "retry-after", delay: 2000 }]);
      expect(waits).toMatchObject([{ method: "GET", delay: 2000 }]);
      const text = JSON.stringify([...records, ...waits].map(({ context: _context, ...rest }) => rest));
      expect(text).not.toMatch(/pw-secret|key-secret/);
      expect(records[0]!.url).toBe(`${s.origin.replace("//", "//***@")}/?api_key=***`);
    });
  });

  describe("options", () => {
    it.each<[RetryAfterOptions, RegExp]>([
      [{ maxWait: -1 }, /maxWait must be a number of milliseconds from 0/],
      [{ maxWait: Number.POSITIVE_INFINITY }, /maxWait/],
      [{ statuses: [429, 1000] }, /statuses must hold HTTP statuses/],
      [{ key: "host" as never }, /key must be "origin", "url" or a function/],
      [{ capacity: 0 }, /capacity must be an integer >= 1/],
      [{ store: new Map() as never }, /store must be a DeadlineStore/],
      [{ now: 5 as never }, /now must be a function/],
      [{ sleep: "x" as never }, /sleep must be a function/],
    ])("refuses %j synchronously", (options, message) => {
      expect(() => retryAfter(options)).toThrow(message);
    });

    it("has the documented defaults", () => {
      const m = retryAfter();
      expect(m.name).toBe("retry-after");
      expect(m.stage).toBe("send");
      expect(m.store.capacity).toBe(1000);
    });
  });
});
