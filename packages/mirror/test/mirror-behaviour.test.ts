import { Readable } from "node:stream";
import type { Client, HttpRequest, Middleware } from "@switchyard/core";
import {
  AbortError,
  createClient,
  InvalidOptionsError,
  isSwitchyardError,
  servedByKey,
  TimeoutError,
} from "@switchyard/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { MirrorOptions } from "../src/index.ts";
import { AllMirrorsFailedError, mirror, mirrorRouteKey } from "../src/index.ts";
import type { CaptureServer } from "./capture-server.ts";
import { startCaptureServer } from "./capture-server.ts";

describe("mirror (node:http servers as origin and mirrors)", () => {
  let origin: CaptureServer;
  let ok1: CaptureServer;
  let ok2: CaptureServer;
  let down: CaptureServer;
  let missing: CaptureServer;
  let limited: CaptureServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    const echo = (name: string) => (r: { method: string; url: string; body: string }) => ({
      status: 200,
      body: `${name} ${r.method} ${r.url} ${r.body}`.trim(),
    });
    [origin, ok1, ok2, down, missing, limited] = await Promise.all([
      startCaptureServer(echo("origin")),
      startCaptureServer(echo("ok1")),
      startCaptureServer(echo("ok2")),
      startCaptureServer(() => ({ status: 502, body: "bad gateway" })),
      startCaptureServer(() => ({ status: 404, body: "not here" })),
      startCaptureServer(() => ({ status: 429, body: "slow down" })),
    ]);
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    for (const s of [origin, ok1, ok2, down, missing, limited]) s.requests.length = 0;
  });

  afterAll(async () => {
    await Promise.all([origin, ok1, ok2, down, missing, limited].filter(Boolean).map((s) => s.close()));
  });

  function client(...middleware: Middleware[]): Client {
    const c = createClient({ middleware });
    clients.push(c);
    return c;
  }

  const table = (...mirrors: string[]) => ({ [`${origin.url}/ch`]: mirrors.map((m) => `${m}/m`) });
  const base = (options: Partial<MirrorOptions> & { mirrors: MirrorOptions["mirrors"] }): MirrorOptions => ({
    delay: () => 0,
    ...options,
  });

  it("never sends the caller's credentials for the original host to a mirror on another origin", async () => {
    // Stands in for @switchyard/auth further in: credentials for the mirror's own host.
    const auth: Middleware = {
      name: "fake-auth",
      stage: "authorize",
      handle: (request, next) =>
        request.parsedUrl.host === new URL(ok2.url).host && !request.headers.has("authorization")
          ? next(request.with({ headers: { authorization: "Bearer mirror-token" } }))
          : next(request),
    };
    const m = mirror(
      base({
        mirrors: {
          [`${origin.url}/ch`]: [`${down.url}/m`, `${origin.url}/same-origin-mirror`],
          [`${origin.url}/other`]: [`${ok2.url}/m`],
        },
      }),
    );
    const c = client(m, auth);
    const headers = { authorization: "Bearer origin-secret", cookie: "s=origin", "x-trace": "t1" };
    await (await c.request(`${origin.url}/other/f.txt`, { headers })).text();
    expect(ok2.requests).toHaveLength(1);
    expect(ok2.requests[0]!.headers).toMatchObject({ authorization: "Bearer mirror-token", "x-trace": "t1" });
    expect(ok2.requests[0]!.headers.cookie).toBeUndefined();

    // down is on another origin: stripped; the same-origin mirror keeps them.
    const res = await c.request(`${origin.url}/ch/f.txt`, { headers });
    expect(await res.text()).toBe("origin GET /same-origin-mirror/f.txt");
    expect(down.requests[0]!.headers.authorization).toBeUndefined();
    expect(down.requests[0]!.headers.cookie).toBeUndefined();
    expect(down.requests[0]!.headers["x-trace"]).toBe("t1");
    expect(origin.requests[0]!.headers).toMatchObject({
      authorization: "Bearer origin-secret",
      cookie: "s=origin",
    });
  });

  it("drops every secret header core names, and the client's own, on a mirror on another origin", async () => {
    const secrets = {
      "x-api-key": "planted-api-key",
      "x-amz-security-token": "planted-amz-token",
      "x-auth-token": "planted-auth-token",
      "proxy-authorization": "Basic planted",
      "x-session-handle": "planted-handle",
    };
    const m = mirror(
      base({
        mirrors: { [`${origin.url}/other`]: [`${ok2.url}/m`], [`${origin.url}/ch`]: [`${origin.url}/same`] },
      }),
    );
    const c = createClient({ middleware: [m], secretHeaders: ["x-session-handle"] });
    clients.push(c);
    const headers = { ...secrets, "x-trace": "t2" };
    await (await c.request(`${origin.url}/other/f.txt`, { headers })).text();
    expect(ok2.requests).toHaveLength(1);
    for (const name of Object.keys(secrets)) expect(ok2.requests[0]!.headers[name], name).toBeUndefined();
    expect(ok2.requests[0]!.headers["x-trace"]).toBe("t2");
    // A mirror on the same origin keeps them all.
    await (await c.request(`${origin.url}/ch/f.txt`, { headers })).text();
    expect(origin.requests[0]!.headers).toMatchObject(secrets);
  });

  it("follows a redirect within a mirror on another origin without the original host's credentials", async () => {
    const hopping = await startCaptureServer((r) =>
      r.url === "/m/a"
        ? { status: 302, body: "", headers: { location: "/m/b" } }
        : { status: 200, body: `at ${r.url}` },
    );
    try {
      const m = mirror(base({ mirrors: table(hopping.url) }));
      const res = await client(m).request(`${origin.url}/ch/a`, {
        headers: { authorization: "Bearer origin-secret" },
      });
      expect(await res.text()).toBe("at /m/b");
      expect(res.redirected).toBe(true);
      expect(res.url).toBe(`${hopping.url}/m/b`);
      expect(hopping.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
        ["/m/a", undefined],
        ["/m/b", undefined],
      ]);
      // With redirect "manual" the caller gets the mirror's redirect as it is.
      const manual = await client(m).request(`${origin.url}/ch/a`, { redirect: "manual" });
      expect(manual.status).toBe(302);
      expect(manual.headers.get("location")).toBe("/m/b");
    } finally {
      await hopping.close();
    }
  });

  it("fails over with a replayable body, and stops after one attempt with a one-shot stream", async () => {
    const m = mirror(base({ mirrors: table(down.url, ok1.url), methods: ["POST"] }));
    const c = client(m);
    const res = await c.request(`${origin.url}/ch/upload`, { method: "POST", body: "payload" });
    expect(await res.text()).toBe("ok1 POST /m/upload payload");
    expect(down.requests.map((r) => r.body)).toEqual(["payload"]);

    const fresh = mirror(base({ mirrors: table(down.url, ok1.url), methods: ["POST"] }));
    const error = await client(fresh)
      .request(`${origin.url}/ch/upload`, { method: "POST", body: Readable.from([Buffer.from("once")]) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllMirrorsFailedError);
    expect((error as Error).message).toMatch(/one-shot stream .* no other mirror was tried/);
    expect((error as AllMirrorsFailedError).mirrors.map((r) => r.outcome)).toEqual(["failed", "not-tried"]);
    expect(ok1.requests.filter((r) => r.method === "POST")).toHaveLength(1);
  });

  it("routes only GET and HEAD by default and passes other requests through untouched", async () => {
    const seen: HttpRequest[] = [];
    const spy: Middleware = {
      name: "spy",
      stage: "send",
      handle: (request, next) => {
        seen.push(request);
        return next(request);
      },
    };
    const c = client(mirror(base({ mirrors: table(ok1.url) })), spy);
    const post = await c.request(`${origin.url}/ch/x`, { method: "POST", body: "b" });
    expect(await post.text()).toBe("origin POST /ch/x b");
    const other = await c.request(`${origin.url}/elsewhere`);
    expect(await other.text()).toBe("origin GET /elsewhere");
    expect(other.context.get(mirrorRouteKey)).toBeUndefined();
    const head = await c.request(`${origin.url}/ch/x`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(ok1.requests.map((r) => r.method)).toEqual(["HEAD"]);
    expect(seen.map((r) => r.url)).toEqual([
      `${origin.url}/ch/x`,
      `${origin.url}/elsewhere`,
      `${ok1.url}/m/x`,
    ]);
  });

  it("judges 404 and 429 by option", async () => {
    // Defaults: 404 is the answer, 429 a failure.
    const d = await client(mirror(base({ mirrors: table(missing.url, ok1.url) }))).request(
      `${origin.url}/ch/a`,
    );
    expect(d.status).toBe(404);
    await d.discard();
    const r = await client(mirror(base({ mirrors: table(limited.url, ok1.url) }))).request(
      `${origin.url}/ch/a`,
    );
    expect(await r.text()).toBe("ok1 GET /m/a");

    // on404 "next": try the next mirror without counting a failure.
    const next = mirror(base({ mirrors: table(missing.url, ok1.url), on404: "next" }));
    const n = await client(next).request(`${origin.url}/ch/a`);
    expect(await n.text()).toBe("ok1 GET /m/a");
    expect(next.snapshot()[0]!.mirrors.map((s) => [s.failures, s.everAnswered])).toEqual([
      [0, true],
      [0, true],
    ]);
    // Every mirror lacks it: the last 404 is the answer, not an error.
    const all = await client(
      mirror(
        base({ mirrors: table(missing.url, missing.url.replace("127.0.0.1", "localhost")), on404: "next" }),
      ),
    ).request(`${origin.url}/ch/a`);
    expect(all.status).toBe(404);
    expect(await all.text()).toBe("not here");

    // on429 "answer": hand it back.
    const ans = await client(mirror(base({ mirrors: table(limited.url, ok1.url), on429: "answer" }))).request(
      `${origin.url}/ch/a`,
    );
    expect(ans.status).toBe(429);
    await ans.discard();
  });

  it("shuffles ties with the injected random and lets a select hook choose", async () => {
    const shuffled = mirror(base({ mirrors: table(ok1.url, ok2.url), shuffle: true, random: () => 0 }));
    const s = await client(shuffled).request(`${origin.url}/ch/a`);
    expect(await s.text()).toBe("ok2 GET /m/a");

    const inputs: unknown[] = [];
    const selected = mirror(
      base({
        mirrors: { [`${origin.url}/ch`]: [`${ok1.url}/m`, { url: `${ok2.url}/m`, noZstd: true }] },
        select: (input) => {
          inputs.push({
            prefix: input.prefix,
            order: input.order,
            carries: input.mirrors.map((m) => m.carries),
          });
          return [...input.order].reverse();
        },
      }),
    );
    const c = client(selected);
    expect(await (await c.request(`${origin.url}/ch/a`)).text()).toBe("ok2 GET /m/a");
    expect(await (await c.request(`${origin.url}/ch/r.json.zst`)).text()).toBe("ok1 GET /m/r.json.zst");
    expect(inputs).toEqual([
      { prefix: `${origin.url}/ch`, order: [0, 1], carries: [true, true] },
      { prefix: `${origin.url}/ch`, order: [0], carries: [true, false] },
    ]);

    const bad = mirror(base({ mirrors: table(ok1.url), select: () => [5] }));
    await expect(client(bad).request(`${origin.url}/ch/a`)).rejects.toThrow(InvalidOptionsError);
    const none = mirror(base({ mirrors: table(ok1.url), select: () => [] }));
    await expect(client(none).request(`${origin.url}/ch/a`)).rejects.toThrow(/select hook chose no mirror/);
  });

  it("stops waiting between attempts when the caller aborts or the whole-call timeout fires", async () => {
    const delays: number[] = [];
    const m = mirror({
      mirrors: table(down.url, ok1.url),
      // Pinned order: the failing mirror first on every call, whatever the pool learned.
      select: () => [0, 1],
      delay: (n) => {
        delays.push(n);
        return 60_000;
      },
    });
    const c = client(m);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const begin = performance.now();
    const aborted = await c
      .request(`${origin.url}/ch/a`, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(AbortError);
    const timedOut = await c.request(`${origin.url}/ch/a`, { timeout: 50 }).catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(TimeoutError);
    expect((timedOut as TimeoutError).phase).toBe("request");
    expect(performance.now() - begin).toBeLessThan(5000);
    expect(delays).toEqual([1, 1]);
    expect(ok1.requests).toHaveLength(0);
  });

  it("caps the attempts per request, and the origin comes on top of them", async () => {
    const m = mirror(
      base({ mirrors: table(down.url, limited.url, ok1.url), maxAttempts: 2, fallbackToOrigin: true }),
    );
    const res = await client(m).request(`${origin.url}/ch/a`);
    expect(await res.text()).toBe("origin GET /ch/a");
    expect(res.context.get(servedByKey)).toEqual({ kind: "origin", url: `${origin.url}/ch` });
    expect(ok1.requests).toHaveLength(0);
    expect(res.context.get(mirrorRouteKey)!.attempts.map((a) => a.status)).toEqual([502, 429]);

    const strict = mirror(base({ mirrors: table(down.url, limited.url, ok1.url), maxAttempts: 1 }));
    const error = (await client(strict)
      .request(`${origin.url}/ch/a`)
      .catch((e: unknown) => e)) as AllMirrorsFailedError;
    expect(error.message).toContain("maxAttempts (1) reached");
    expect(error.mirrors.map((r) => r.outcome)).toEqual(["failed", "not-tried", "not-tried"]);
  });

  it("reports every mirror cooling down without contacting any", async () => {
    const m = mirror(base({ mirrors: table(down.url), maxFailures: 1, cooldownMs: 60_000 }));
    const c = client(m);
    await expect(c.request(`${origin.url}/ch/a`)).rejects.toThrow(AllMirrorsFailedError);
    const error = (await c.request(`${origin.url}/ch/a`).catch((e: unknown) => e)) as AllMirrorsFailedError;
    expect(error.message).toContain("every mirror is cooling down");
    expect(error.transient).toBe(true);
    expect(error.mirrors).toEqual([
      {
        url: `${down.url}/m`,
        kind: "mirror",
        outcome: "cooling",
        error: "HTTP 502 Bad Gateway",
        failures: 1,
      },
    ]);
    expect(down.requests).toHaveLength(1);
    expect(isSwitchyardError(error, "SWITCHYARD_ERR_ALL_MIRRORS_FAILED")).toBe(true);
  });

  it("lets only one of several concurrent requests probe a mirror whose cool-down ended", async () => {
    const clock = { t: 0 };
    const m = mirror(
      base({ mirrors: table(down.url, ok1.url), maxFailures: 1, cooldownMs: 1000, now: () => clock.t }),
    );
    const c = client(m);
    expect(await (await c.request(`${origin.url}/ch/a`)).text()).toBe("ok1 GET /m/a");
    expect(down.requests).toHaveLength(1);
    clock.t += 1000;
    const texts = await Promise.all(
      [1, 2, 3].map(async (i) => (await c.request(`${origin.url}/ch/${i}`)).text()),
    );
    expect(texts).toEqual(["ok1 GET /m/1", "ok1 GET /m/2", "ok1 GET /m/3"]);
    // One probe (it failed again, restarting the cool-down); the two others skipped the mirror.
    expect(down.requests.map((r) => r.url)).toEqual(["/m/a", "/m/1"]);
    expect(m.snapshot()[0]!.mirrors[0]).toMatchObject({ failures: 2, availability: "cooling" });
  });

  it("throws InvalidOptionsError synchronously for bad options", () => {
    const mirrors = table("http://127.0.0.1:1");
    expect(() => mirror(undefined as never)).toThrow(InvalidOptionsError);
    expect(() => mirror({ mirrors: undefined as never })).toThrow(InvalidOptionsError);
    expect(() => mirror({ mirrors, maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => mirror({ mirrors, cooldownMs: -1 })).toThrow(/cooldownMs/);
    expect(() => mirror({ mirrors, failureDecayMs: 0 })).toThrow(/failureDecayMs/);
    expect(() => mirror({ mirrors, on404: "maybe" as never })).toThrow(/on404/);
    expect(() => mirror({ mirrors, onExhausted: "shrug" as never })).toThrow(/onExhausted/);
    expect(() => mirror({ mirrors, delay: 5 as never })).toThrow(/delay/);
    expect(() => mirror({ mirrors, methods: [""] })).toThrow(/methods/);
    expect(() => mirror({ mirrors, maxFailures: 1.5 })).toThrow(/maxFailures/);
    const m = mirror({ mirrors });
    expect(m).toMatchObject({ name: "mirror", stage: "route" });
  });
});
