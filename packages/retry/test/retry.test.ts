import diagnosticsChannel from "node:diagnostics_channel";
import { Readable } from "node:stream";
import type { Client, Middleware } from "@switchyard/core";
import {
  AbortError,
  attemptKey,
  BodyNotReplayableError,
  Context,
  createClient,
  notBeforeKey,
  replayable,
  SocketError,
  TimeoutError,
} from "@switchyard/core";
import { fakeClock } from "@switchyard/testkit/clock";
import type { RecordedRequest, ResponseStep } from "@switchyard/testkit/servers";
import { startTestServer } from "@switchyard/testkit/servers";
import { afterEach, describe, expect, it } from "vitest";
import { RetriesExhaustedError } from "../src/errors.ts";
import type { RetryOptions } from "../src/retry.ts";
import { retry } from "../src/retry.ts";
import { RetryBudget } from "../src/retry-budget.ts";
import { retryPolicy, retryPolicyKey } from "../src/retry-policy.ts";
import type { LocalServer } from "./local-server.ts";
import { digestBody, patternBytes, sha256, startLocalServer } from "./local-server.ts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

interface Scripted {
  readonly origin: string;
  readonly requests: readonly RecordedRequest[];
  url(path?: string): string;
}

/** The testkit's scriptable server, answering every path with `steps` in order (the last repeats). */
async function scripted(steps: readonly ResponseStep[]): Promise<Scripted> {
  const s = await startTestServer();
  cleanup.push(() => s.close());
  s.route("/*", steps);
  return {
    origin: s.origin,
    get requests() {
      return s.requests;
    },
    url: (path = "/") => s.origin + path,
  };
}

/** A local server with a hand-written handler, for what a script cannot express. */
async function server(handler: Parameters<typeof startLocalServer>[0]): Promise<LocalServer> {
  const s = await startLocalServer(handler);
  cleanup.push(() => s.close());
  return s;
}

function client(options: RetryOptions & { extra?: Middleware[]; connections?: number; timeout?: number }): {
  client: Client;
  clock: ReturnType<typeof fakeClock>;
} {
  const clock = fakeClock();
  const { extra = [], connections, timeout, ...retryOptions } = options;
  const c = createClient({
    middleware: [retry({ now: clock.now, sleep: clock.sleep, ...retryOptions }), ...extra],
    ...(connections === undefined ? {} : { connections }),
    ...(timeout === undefined ? {} : { timeout }),
  });
  cleanup.push(() => c.destroy());
  return { client: c, clock };
}

function subscribe(name: string): unknown[] {
  const events: unknown[] = [];
  const listener = (message: unknown) => events.push(message);
  diagnosticsChannel.subscribe(name, listener);
  cleanup.push(async () => {
    diagnosticsChannel.unsubscribe(name, listener);
  });
  return events;
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

describe("retry", () => {
  it("retries 503s, then returns the 200 with the attempt count on the response", async () => {
    const s = await scripted([{ status: 503 }, { status: 503 }, { status: 200, body: "ok" }]);
    const { client: c, clock } = client({ jitter: "none" });
    const res = await c.request(s.url("/data"));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
    expect(res.context.get(attemptKey)).toBe(3);
    expect(s.requests).toHaveLength(3);
    expect(clock.delays).toEqual([100, 200]);
  });

  it("returns the last response when retries run out, with the attempt count", async () => {
    const s = await scripted([{ status: 502, body: "bad gateway" }]);
    const { client: c, clock } = client({ maxRetries: 2 });
    const res = await c.request(s.url());
    expect(res.status).toBe(502);
    expect(await res.text()).toBe("bad gateway");
    expect(res.context.get(attemptKey)).toBe(3);
    expect(s.requests).toHaveLength(3);
    expect(clock.delays).toHaveLength(2);
  });

  it("throws RetriesExhaustedError when retries run out and onExhausted is throw", async () => {
    const s = await scripted([{ status: 503 }]);
    const { client: c } = client({ maxRetries: 2, onExhausted: "throw" });
    const error = await c.request(s.url("/x?token=s3cr3t")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    const e = error as RetriesExhaustedError;
    expect(e.code).toBe("SWITCHYARD_ERR_RETRIES_EXHAUSTED");
    expect([e.status, e.attempts, e.reason]).toEqual([503, 3, "max-retries"]);
    expect(e.context?.get(attemptKey)).toBe(3);
    expect(e.message).toBe(
      `GET ${s.origin}/x?token=***: still 503 after 3 attempts: retries exhausted; the server may be down: try later or raise maxRetries`,
    );
  });

  it.each([400, 401, 404, 409, 501, 505])("does not retry status %i", async (status) => {
    const s = await scripted([{ status }, { status: 200 }]);
    const { client: c } = client({});
    const res = await c.request(s.url());
    expect(res.status).toBe(status);
    expect(res.context.get(attemptKey)).toBe(1);
    expect(s.requests).toHaveLength(1);
  });

  it.each([408, 429, 500, 502, 503, 504])("retries status %i", async (status) => {
    const s = await scripted([{ status }, { status: 200 }]);
    const { client: c } = client({});
    expect((await c.request(s.url())).status).toBe(200);
    expect(s.requests).toHaveLength(2);
  });

  it("retries a connection reset before the response", async () => {
    const s = await server((req, res, index) => {
      if (index === 0) {
        req.socket.destroy();
        return;
      }
      res.end("second");
    });
    const { client: c } = client({});
    const res = await c.request(s.url());
    expect(await res.text()).toBe("second");
    expect(res.context.get(attemptKey)).toBe(2);
  });

  it("retries a headers timeout (core marks it transient)", async () => {
    // The first request never gets an answer; undici's timers tick about once a second.
    const s = await server((_req, res, index) => {
      if (index > 0) res.end("fast");
    });
    const { client: c } = client({});
    const res = await c.request(s.url(), { headersTimeout: 100 });
    expect(await res.text()).toBe("fast");
    expect(res.context.get(attemptKey)).toBe(2);
  });

  it("retries a refused connection even for POST: nothing was sent", async () => {
    // The port is free at first; the server starts during the backoff.
    const probe = await startLocalServer(() => {});
    const port = Number(new URL(probe.origin).port);
    await probe.close();
    let s: LocalServer | undefined;
    const clock = fakeClock();
    const c = createClient({
      middleware: [
        retry({
          now: clock.now,
          sleep: async (ms) => {
            clock.delays.push(ms);
            s ??= await startLocalServer(async (req, res) => {
              res.end(`got ${(await digestBody(req)).length} bytes`);
            }, port);
          },
        }),
      ],
    });
    cleanup.push(async () => {
      await c.destroy();
      await s?.close();
    });
    const res = await c.request(`http://127.0.0.1:${port}/`, { method: "POST", body: "hello" });
    expect(await res.text()).toBe("got 5 bytes");
    expect(res.context.get(attemptKey)).toBe(2);
  });

  it("does not retry POST on a 503", async () => {
    const s = await scripted([{ status: 503 }, { status: 200 }]);
    const { client: c } = client({});
    const res = await c.request(s.url(), { method: "POST", body: "x" });
    expect(res.status).toBe(503);
    expect(res.context.get(attemptKey)).toBe(1);
    expect(s.requests).toHaveLength(1);
  });

  it("does not retry POST after a reset (the server may have acted on it)", async () => {
    const s = await server((req) => {
      req.socket.destroy();
    });
    const { client: c } = client({});
    const error = await c.request(s.url(), { method: "POST", body: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).context?.get(attemptKey)).toBe(1);
    expect(s.requests).toHaveLength(1);
  });

  it("retries POST that carries an Idempotency-Key", async () => {
    const s = await scripted([{ status: 503 }, { status: 201 }]);
    const { client: c } = client({});
    const res = await c.request(s.url(), {
      method: "POST",
      body: "x",
      headers: { "idempotency-key": "k-1" },
    });
    expect(res.status).toBe(201);
    expect(s.requests.map((r) => r.headers["idempotency-key"])).toEqual(["k-1", "k-1"]);
  });

  it("retries POST when retryNonIdempotent is set", async () => {
    const s = await scripted([{ status: 500 }, { status: 200 }]);
    const { client: c } = client({ retryNonIdempotent: true });
    expect((await c.request(s.url(), { method: "POST", body: "x" })).status).toBe(200);
    expect(s.requests).toHaveLength(2);
  });

  it("never resends a one-shot stream body; the final error says why", async () => {
    const s = await server((req) => {
      req.once("data", () => req.socket.destroy());
    });
    const { client: c } = client({});
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < 64; i++) yield patternBytes(64 * 1024);
      })(),
    );
    const error = await c.request(s.url("/upload"), { method: "PUT", body }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyNotReplayableError);
    const e = error as BodyNotReplayableError;
    expect(e.message).toMatch(
      /attempt 1 failed \(SocketError \(SWITCHYARD_ERR_SOCKET\)\) and retry would send it again/,
    );
    expect(e.message).toMatch(/one-shot stream that was already sent; pass a factory/);
    expect(e.cause).toBeInstanceOf(SocketError);
    expect(e.context?.get(attemptKey)).toBe(1);
    expect(s.requests).toHaveLength(1);
  });

  it("returns a 503 answered to a one-shot stream body without resending, or throws saying why", async () => {
    const s = await server(async (req, res) => {
      await digestBody(req);
      res.statusCode = 503;
      res.end();
    });
    const { client: c } = client({});
    const res = await c.request(s.url(), { method: "PUT", body: Readable.from([Buffer.from("once")]) });
    expect(res.status).toBe(503);
    expect(res.context.get(attemptKey)).toBe(1);
    const { client: throwing } = client({ onExhausted: "throw" });
    const error = await throwing
      .request(s.url(), { method: "PUT", body: Readable.from([Buffer.from("once")]) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect((error as RetriesExhaustedError).reason).toBe("not-replayable");
    expect((error as Error).message).toMatch(
      /still 503 after 1 attempt: the request body is a one-shot stream/,
    );
    expect(s.requests).toHaveLength(2);
  });

  it("throws the last error with the attempt count when retries run out on errors", async () => {
    const s = await server((req) => {
      req.socket.destroy();
    });
    const { client: c, clock } = client({ maxRetries: 2 });
    const error = await c.request(s.url()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).context?.get(attemptKey)).toBe(3);
    expect(s.requests).toHaveLength(3);
    expect(clock.delays).toHaveLength(2);
  });

  it("resends a factory body: a large upload survives a reset in the middle", async () => {
    const chunk = patternBytes(256 * 1024);
    const total = chunk.length * 16; // 4 MiB
    const seen: Array<{ length: number; sha256: string }> = [];
    const s = await server(async (req, res, index) => {
      if (index === 0) {
        let received = 0;
        req.on("data", (data: Buffer) => {
          received += data.length;
          if (received >= 1024 * 1024) req.socket.destroy();
        });
        return;
      }
      const digest = await digestBody(req);
      seen.push(digest);
      res.end(JSON.stringify(digest));
    });
    const { client: c } = client({});
    let opened = 0;
    const body = replayable(
      () => {
        opened++;
        return Readable.from(
          (function* () {
            for (let i = 0; i < 16; i++) yield chunk;
          })(),
        );
      },
      { length: total },
    );
    const res = await c.request(s.url("/upload"), { method: "PUT", body });
    expect(res.status).toBe(200);
    const expected = sha256(Buffer.concat(Array.from({ length: 16 }, () => chunk)));
    expect(await res.json()).toEqual({ length: total, sha256: expected });
    expect(opened).toBe(2);
    expect(res.context.get(attemptKey)).toBe(2);
  });

  it("discards a failed response before retrying, so its connection is reused", async () => {
    const s = await scripted([
      { status: 503, body: "x".repeat(10_000) },
      { status: 200, body: "ok" },
    ]);
    const { client: c } = client({ connections: 1 });
    const res = await c.request(s.url());
    expect(await res.text()).toBe("ok");
    const ports = s.requests.map((r) => r.remotePort);
    expect(ports).toHaveLength(2);
    expect(ports[1]).toBe(ports[0]);
  });

  it("waits the longer of its backoff and a not-before hint, never the sum", async () => {
    // A stand-in for retry-after at the send stage: on a 503 it hints "not before now + 2 s".
    const s = await scripted([
      { status: 503, headers: { "retry-after": "2" } },
      { status: 200, body: "ok" },
    ]);
    const clock = fakeClock();
    const hint: Middleware = {
      name: "hint",
      stage: "send",
      handle: (request, next, context) =>
        next(request).then((res) => {
          const seconds = Number(res.headers.get("retry-after"));
          if (res.status === 503 && seconds > 0) context.set(notBeforeKey, clock.now() + seconds * 1000);
          return res;
        }),
    };
    const c = createClient({
      middleware: [hint, retry({ now: clock.now, sleep: clock.sleep, jitter: "none", minDelay: 300 })],
    });
    cleanup.push(() => c.destroy());
    const res = await c.request(s.url());
    expect(res.status).toBe(200);
    expect(clock.delays).toEqual([2000]);

    // And when the backoff is the longer one, the backoff alone.
    const s2 = await scripted([
      { status: 503, headers: { "retry-after": "1" } },
      { status: 200, body: "ok" },
    ]);
    const clock2 = fakeClock();
    const hint2: Middleware = {
      ...hint,
      handle: (request, next, context) =>
        next(request).then((r) => {
          if (r.status === 503) context.set(notBeforeKey, clock2.now() + 1000);
          return r;
        }),
    };
    const c2 = createClient({
      middleware: [hint2, retry({ now: clock2.now, sleep: clock2.sleep, jitter: "none", minDelay: 5000 })],
    });
    cleanup.push(() => c2.destroy());
    expect((await c2.request(s2.url())).status).toBe(200);
    expect(clock2.delays).toEqual([5000]);
  });

  it("stops retrying when the next wait would end past maxElapsed", async () => {
    const s = await scripted([{ status: 503 }]);
    const { client: c, clock } = client({ jitter: "none", minDelay: 1000, maxElapsed: 2500, maxRetries: 10 });
    const giveUps = subscribe("switchyard:retry:give-up");
    const res = await c.request(s.url());
    expect(res.status).toBe(503);
    expect(clock.delays).toEqual([1000]); // 1000, then 1000 + 2000 > 2500
    expect(res.context.get(attemptKey)).toBe(2);
    expect(giveUps).toMatchObject([{ attempts: 2, stop: "max-elapsed", reason: "status 503" }]);
  });

  it("uses a custom delay function, given the retry number, the outcome and the backoff", async () => {
    const s = await scripted([{ status: 503 }, { status: 500 }, { status: 200 }]);
    const calls: unknown[] = [];
    const { client: c, clock } = client({
      jitter: "none",
      delay: (n, outcome, backoff) => {
        calls.push([n, outcome.response?.status, outcome.attempt, backoff]);
        return n * 7;
      },
    });
    expect((await c.request(s.url())).status).toBe(200);
    expect(calls).toEqual([
      [1, 503, 1, 100],
      [2, 500, 2, 200],
    ]);
    expect(clock.delays).toEqual([7, 14]);
  });

  it("fails with InvalidOptionsError when the custom delay function returns no number", async () => {
    const s = await scripted([{ status: 503 }]);
    const { client: c } = client({ delay: () => Number.NaN });
    await expect(c.request(s.url())).rejects.toThrow(
      /the delay function must return milliseconds >= 0, got NaN/,
    );
  });

  it("lets a custom classifier see the request, the outcome and the attempt, and defer to the default", async () => {
    const s = await scripted([{ status: 404 }, { status: 503 }, { status: 200 }]);
    const seen: unknown[] = [];
    const { client: c } = client({
      shouldRetry: ({ request, response, attempt }) => {
        seen.push([request.method, response?.status, attempt]);
        return response?.status === 404 ? attempt < 2 : undefined;
      },
    });
    expect((await c.request(s.url())).status).toBe(200);
    expect(seen).toEqual([
      ["GET", 404, 1],
      ["GET", 503, 2],
      ["GET", 200, 3],
    ]);
  });

  it("turns off or swaps the policy per call through retryPolicyKey", async () => {
    const s = await scripted([{ status: 503 }]);
    const { client: c } = client({ maxRetries: 3 });
    const off = await c.request(s.url(), { context: new Context().set(retryPolicyKey, false) });
    expect(off.context.get(attemptKey)).toBeUndefined();
    expect(s.requests).toHaveLength(1);
    const one = await c.request(s.url(), {
      context: new Context().set(retryPolicyKey, retryPolicy({ maxRetries: 1 })),
    });
    expect(one.context.get(attemptKey)).toBe(2);
    expect(s.requests).toHaveLength(3);
    await expect(
      c.request(s.url(), { context: new Context().set(retryPolicyKey, { maxRetries: 1 } as never) }),
    ).rejects.toThrow(/must be false or made by retryPolicy/);
  });

  describe("budget", () => {
    it("stops retrying when the client's budget is spent, and successes refill it", async () => {
      let failing = true;
      const s = await server((req, res) => {
        req.resume();
        res.statusCode = failing ? 503 : 200;
        res.end();
      });
      const budget = new RetryBudget({ capacity: 10 });
      const { client: c } = client({ budget, maxRetries: 5 });
      const giveUps = subscribe("switchyard:retry:give-up");

      const first = await c.request(s.url());
      expect(first.context.get(attemptKey)).toBe(3); // two retries of 5 tokens each
      expect(budget.available).toBe(0);
      const second = await c.request(s.url());
      expect(second.context.get(attemptKey)).toBe(1);
      expect(giveUps).toMatchObject([{ stop: "budget" }, { stop: "budget" }]);

      failing = false;
      for (let i = 0; i < 5; i++) expect((await c.request(s.url())).status).toBe(200);
      expect(budget.available).toBe(5);
      failing = true;
      const third = await c.request(s.url());
      expect(third.context.get(attemptKey)).toBe(2);
    });

    it("refills on answers not worth retrying, not on failures it may not retry", async () => {
      const s = await scripted([{ status: 404 }, { status: 503 }]);
      const budget = new RetryBudget({ capacity: 10 });
      budget.acquire(false);
      const { client: c } = client({ budget });
      await (await c.request(s.url())).discard(); // a 404: the call worked
      expect(budget.available).toBe(6);
      await (await c.request(s.url(), { method: "POST", body: "x" })).discard(); // a 503 to a POST
      expect(budget.available).toBe(6);
    });

    it("bounds a 429 storm: 40 concurrent calls make only the retries the budget pays for", async () => {
      const s = await scripted([{ status: 429, headers: { "retry-after": "1" } }]);
      const budget = new RetryBudget({ capacity: 50 }); // 10 retries
      const { client: c, clock } = client({ budget, maxRetries: 3 });
      const retries = subscribe("switchyard:retry:retry");
      const responses = await Promise.all(Array.from({ length: 40 }, () => c.request(s.url())));
      expect(responses.every((r) => r.status === 429)).toBe(true);
      const attempts = responses.reduce((sum, r) => sum + (r.context.get(attemptKey) ?? 0), 0);
      expect(attempts).toBe(50);
      expect(s.requests).toHaveLength(50);
      expect(retries).toHaveLength(10);
      expect(clock.delays).toHaveLength(10);
      expect(budget.available).toBe(0);
    });

    it("charges a retry after a timeout more, and refunds it when the retry succeeds", async () => {
      const s = await server((_req, res, index) => {
        if (index === 0) return; // never answered: a headers timeout
        res.statusCode = index === 1 ? 503 : 200;
        res.end();
      });
      const budget = new RetryBudget({ capacity: 100 });
      const { client: c } = client({ budget });
      const seen: number[] = [];
      const listener = () => seen.push(budget.available);
      diagnosticsChannel.subscribe("switchyard:retry:retry", listener);
      cleanup.push(async () => {
        diagnosticsChannel.unsubscribe("switchyard:retry:retry", listener);
      });
      const res = await c.request(s.url(), { headersTimeout: 80 });
      expect(res.status).toBe(200);
      expect(seen).toEqual([90, 85]); // 10 after the timeout, 5 after the 503
      expect(budget.available).toBe(90); // the last retry's 5 came back with the success
    });
  });

  describe("aborts", () => {
    it("rejects at once when the caller aborts during a backoff, and clears the timer", async () => {
      const s = await scripted([{ status: 503 }]);
      const c = createClient({ middleware: [retry({ delay: () => 60_000 })] });
      cleanup.push(() => c.destroy());
      const controller = new AbortController();
      const retries = subscribe("switchyard:retry:retry");
      const before = timers();
      const started = performance.now();
      const pending = c.request(s.url(), { signal: controller.signal });
      while (retries.length === 0 && performance.now() - started < 5000)
        await new Promise((r) => setTimeout(r, 5));
      expect(retries).toHaveLength(1);
      controller.abort();
      const error = await pending.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AbortError);
      expect(performance.now() - started).toBeLessThan(5000);
      expect((error as AbortError).context?.get(attemptKey)).toBe(1);
      expect(timers()).toBeLessThanOrEqual(before);
    });

    it("gives up with the whole-call TimeoutError when the client's timeout fires during a backoff", async () => {
      const s = await scripted([{ status: 503 }]);
      const c = createClient({ middleware: [retry({ delay: () => 60_000 })], timeout: 150 });
      cleanup.push(() => c.destroy());
      const started = performance.now();
      const error = await c.request(s.url()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).phase).toBe("request");
      expect(performance.now() - started).toBeLessThan(5000);
      expect(s.requests).toHaveLength(1);
    });
  });

  describe("diagnostics", () => {
    it("publishes one event per retry with attempt, delay and reason, and no secret", async () => {
      const s = await scripted([{ status: 503 }, { status: 500 }, { status: 200 }]);
      const events = subscribe("switchyard:retry:retry");
      const { client: c } = client({ jitter: "none" });
      await c.request(`${s.origin.replace("//", "//user:hunter2@")}/p?token=tok-secret&x=1`, {
        headers: { authorization: "Bearer bearer-secret" },
      });
      expect(events).toHaveLength(2);
      expect(events[0]).toMatchObject({
        method: "GET",
        attempt: 1,
        nextAttempt: 2,
        delay: 100,
        reason: "status 503",
      });
      expect(events[1]).toMatchObject({ attempt: 2, delay: 200, reason: "status 500" });
      const text = JSON.stringify(
        events.map((e) => {
          const { context: _context, ...rest } = e as Record<string, unknown>;
          return rest;
        }),
      );
      expect(text).not.toMatch(/hunter2|tok-secret|bearer-secret/);
      expect((events[0] as { url: string }).url).toBe(`${s.origin.replace("//", "//***@")}/p?token=***&x=1`);
    });
  });
});
