import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Client, Middleware } from "@switchyard/core";
import { createClient, isSwitchyardError, servedByKey, TimeoutError } from "@switchyard/core";
import { type NginxPeer, requirePeer, startNginx } from "@switchyard/test-peers";
import { startFaultProxy } from "@switchyard/testkit/fault";
import { freePort, pidExists } from "@switchyard/testkit/process";
import { Agent } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AllMirrorsFailedError, mirror, mirrorRouteKey } from "../src/index.ts";
import { startCaptureServer } from "./capture-server.ts";

const nginx = requirePeer("nginx");
const PKG = "/linux-64/pkg-1.0-0.txt";
const BIG = 64 * 1024;

function filesFor(name: string): Record<string, string | Uint8Array> {
  return {
    [`ch${PKG}`]: `from-${name}`,
    "ch/linux-64/repodata.json": `{"server":"${name}"}`,
    "ch/linux-64/repodata.json.zst": `zst-${name}`,
    "ch/big.bin": new Uint8Array(BIG).fill(name.charCodeAt(0)),
  };
}

/** Requests an nginx peer served under `/ch/` (its access log), optionally only one path. */
async function hits(peer: NginxPeer, path?: string): Promise<number> {
  const log = await peer.accessLog();
  return log
    .filter((e) => e.uri.startsWith("/ch/") || e.uri.startsWith("/slow/ch/"))
    .filter((e) => path === undefined || e.uri.endsWith(path)).length;
}

describe.skipIf(nginx.skip)(`mirror against real nginx mirrors ${nginx.reason}`, () => {
  // origin: the URL requests name; a, b: healthy mirrors (b also throttled under /slow/); c: 503.
  let origin: NginxPeer;
  let a: NginxPeer;
  let b: NginxPeer;
  let c: NginxPeer;
  let prefix: string;
  const clients: Client[] = [];
  const extra: { stop(): Promise<unknown> }[] = [];

  beforeAll(async () => {
    [origin, a, b, c] = await Promise.all([
      startNginx({ files: filesFor("origin") }),
      startNginx({ files: filesFor("a") }),
      startNginx({ files: filesFor("b"), slow: [{ prefix: "/slow/", bytesPerSecond: 2000 }] }),
      startNginx({ files: filesFor("c"), failing: [{ location: "/ch/", status: 503, retryAfter: 1 }] }),
    ]);
    prefix = `${origin.url}/ch`;
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((cl) => cl.close()));
    await Promise.all(extra.splice(0).map((x) => x.stop()));
  });

  afterAll(async () => {
    await Promise.all([origin, a, b, c].filter(Boolean).map((p) => p.stop()));
  });

  function client(...middleware: Middleware[]): Client {
    const cl = createClient({ middleware });
    clients.push(cl);
    return cl;
  }

  function capture(): { delays: number[]; delay: (n: number) => number } {
    const delays: number[] = [];
    const delay = (n: number): number => {
      delays.push(n);
      return 0;
    };
    return { delays, delay };
  }

  it("fails over inside one request: a mirror stopped by PID, then one answering 503, then a healthy one", async () => {
    const x = await startNginx({ files: filesFor("x") });
    extra.push(x);
    const { delays, delay } = capture();
    const m = mirror({ mirrors: { [prefix]: [`${x.url}/ch`, `${c.url}/ch/`, `${a.url}/ch`] }, delay });
    const cl = client(m);

    const first = await cl.request(`${prefix}${PKG}`);
    expect(await first.text()).toBe("from-x");
    expect(first.context.get(servedByKey)).toEqual({ kind: "mirror", url: `${x.url}/ch` });

    await x.stop();
    expect(pidExists(x.pid)).toBe(false);
    const cBefore = await hits(c);
    const res = await cl.request(`${prefix}${PKG}?v=2`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("from-a");
    expect(res.url).toBe(`${a.url}/ch${PKG}?v=2`);
    expect(res.context.get(servedByKey)).toEqual({ kind: "mirror", url: `${a.url}/ch` });
    const route = res.context.get(mirrorRouteKey)!;
    expect(route.attempts.map((t) => [t.url, t.outcome, t.status])).toEqual([
      [`${x.url}/ch`, "failed", undefined],
      [`${c.url}/ch`, "failed", 503],
    ]);
    expect(route.attempts[0]!.error).toMatch(/ConnectError|SocketError/);
    expect(delays).toEqual([1, 2]);
    expect(await hits(c)).toBe(cBefore + 1);
    expect(await hits(origin)).toBe(0);

    // The pool learned: the healthy mirror goes first now, the failed ones are not contacted.
    const again = await cl.request(`${prefix}${PKG}`);
    expect(await again.text()).toBe("from-a");
    expect(again.context.get(mirrorRouteKey)!.attempts).toEqual([]);
    expect(await hits(c)).toBe(cBefore + 1);
    const [pool] = m.snapshot();
    expect(pool!.mirrors.map((s) => [s.failures, s.everAnswered])).toEqual([
      [1, true],
      [1, true],
      [0, true],
    ]);
    expect(pool!.mirrors[1]!.lastError).toBe("HTTP 503 Service Temporarily Unavailable");
  });

  it("learns: a dead mirror is skipped after maxFailures, probed after the cool-down, and recovered", async () => {
    const proxy = await startFaultProxy({ target: { host: "127.0.0.1", port: a.port }, mode: "reset" });
    extra.push({ stop: () => proxy.close() });
    const clock = { t: 1_700_000_000_000 };
    const events: { name: string; payload: Record<string, unknown> }[] = [];
    const listeners = ["selected", "failed", "recovered"].map((name) => {
      const fn = (payload: unknown) => events.push({ name, payload: payload as Record<string, unknown> });
      subscribe(`switchyard:mirror:${name}`, fn);
      return () => unsubscribe(`switchyard:mirror:${name}`, fn);
    });
    try {
      const m = mirror({
        mirrors: {
          [prefix]: { mirrors: [`http://user:hunter2@127.0.0.1:${proxy.port}/ch`], fallbackToOrigin: true },
        },
        maxFailures: 2,
        cooldownMs: 10_000,
        now: () => clock.t,
        delay: () => 0,
      });
      const cl = client(m);
      const get = async () => {
        const res = await cl.request(`${prefix}${PKG}`);
        return { text: await res.text(), served: res.context.get(servedByKey) };
      };

      expect(await get()).toEqual({ text: "from-origin", served: { kind: "origin", url: prefix } });
      expect(await get()).toMatchObject({ text: "from-origin" });
      expect(proxy.connections).toBe(2);
      const [tripped] = m.snapshot()[0]!.mirrors;
      expect(tripped).toMatchObject({ failures: 2, availability: "cooling", everAnswered: false });
      expect(tripped!.lastError).toMatch(/SocketError|ConnectError/);
      expect(tripped!.lastError).not.toContain("hunter2");

      // Cooling down: skipped without a connection.
      clock.t += 9_999;
      expect(await get()).toMatchObject({ text: "from-origin" });
      expect(proxy.connections).toBe(2);

      // Cool-down over, mirror still dead: one probe, which fails and restarts the cool-down.
      clock.t += 1;
      expect(m.snapshot()[0]!.mirrors[0]!.availability).toBe("probe");
      expect(await get()).toMatchObject({ text: "from-origin" });
      expect(proxy.connections).toBe(3);
      expect(m.snapshot()[0]!.mirrors[0]).toMatchObject({ failures: 3, availability: "cooling" });

      // The mirror comes back; after the next cool-down the probe finds it and it serves again.
      proxy.setMode("pass");
      clock.t += 10_000;
      expect(await get()).toEqual({
        text: "from-a",
        served: { kind: "mirror", url: `http://***@127.0.0.1:${proxy.port}/ch` },
      });
      expect(m.snapshot()[0]!.mirrors[0]).toMatchObject({
        failures: 0,
        availability: "healthy",
        everAnswered: true,
        successes: 1,
      });
      expect(await get()).toMatchObject({ text: "from-a" });

      const names = events.map((e) => `${e.name}:${e.payload.kind}`);
      expect(names).toEqual([
        "selected:mirror",
        "failed:mirror",
        "selected:origin",
        "selected:mirror",
        "failed:mirror",
        "selected:origin",
        "selected:origin",
        "selected:mirror",
        "failed:mirror",
        "selected:origin",
        "selected:mirror",
        "recovered:mirror",
        "selected:mirror",
      ]);
      expect(events.filter((e) => e.name === "selected").map((e) => e.payload.probe)).toEqual([
        false,
        false,
        false,
        false,
        false,
        true,
        false,
        true,
        false,
      ]);
      expect(events.find((e) => e.name === "recovered")!.payload.previousFailures).toBe(3);
      expect(JSON.stringify(events.map((e) => ({ ...e.payload, context: undefined })))).not.toContain(
        "hunter2",
      );
    } finally {
      for (const off of listeners) off();
    }
  });

  it("falls back to the origin when every mirror fails", async () => {
    const dead = await freePort();
    const { delays, delay } = capture();
    const m = mirror({
      mirrors: { [prefix]: [`${c.url}/ch`, `http://127.0.0.1:${dead}/ch`] },
      fallbackToOrigin: true,
      delay,
    });
    const res = await client(m).request(`${prefix}/linux-64/repodata.json`);
    expect(await res.json()).toEqual({ server: "origin" });
    expect(res.url).toBe(`${prefix}/linux-64/repodata.json`);
    expect(res.context.get(servedByKey)).toEqual({ kind: "origin", url: prefix });
    expect(res.context.get(mirrorRouteKey)!.attempts.map((t) => t.outcome)).toEqual(["failed", "failed"]);
    expect(delays).toEqual([1, 2]);
  });

  it("replaces the pool at run time, keeping the history of mirrors present in both", async () => {
    const dead = await freePort();
    const m = mirror({
      mirrors: { [prefix]: [`http://127.0.0.1:${dead}/ch`, `${c.url}/ch`, `${a.url}/ch`] },
      delay: () => 0,
    });
    const cl = client(m);
    expect(await (await cl.request(`${prefix}${PKG}`)).text()).toBe("from-a");
    expect(m.snapshot()[0]!.mirrors.map((s) => s.failures)).toEqual([1, 1, 0]);

    // Drop the dead mirror, keep c (with its failure) and a, add b first in the list.
    m.setMirrors({ [`${prefix}/`]: [`${b.url}/ch`, `${c.url}/ch/`, `${a.url}/ch`] });
    const snap = m.snapshot()[0]!;
    expect(snap.prefix).toBe(prefix);
    expect(snap.mirrors.map((s) => [s.url, s.failures, s.successes])).toEqual([
      [`${b.url}/ch`, 0, 0],
      [`${c.url}/ch`, 1, 0],
      [`${a.url}/ch`, 0, 1],
    ]);
    const res = await cl.request(`${prefix}${PKG}`);
    expect(await res.text()).toBe("from-b");

    // The pool's own replace: only c left; its failure still counts, so it is tried and fails.
    m.pool(`${prefix}///`)!.replace([`${c.url}/ch`]);
    const error = await cl.request(`${prefix}${PKG}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllMirrorsFailedError);
    expect(m.snapshot()[0]!.mirrors).toMatchObject([{ url: `${c.url}/ch`, failures: 2, totalFailures: 2 }]);

    // An invalid table changes nothing.
    expect(() => m.setMirrors({ [prefix]: [] })).toThrow(/non-empty/);
    expect(m.snapshot()[0]!.mirrors).toHaveLength(1);
  });

  it("answers a 404 itself, without touching the network, when no mirror carries the file kind", async () => {
    const m = mirror({
      mirrors: {
        [prefix]: [
          { url: `${a.url}/ch`, noZstd: true },
          { url: `${b.url}/ch`, noZstd: true, skip: (path) => path.startsWith("/private/") },
        ],
      },
    });
    const cl = client(m);
    const before = [await hits(a), await hits(b), await hits(origin)];
    const res = await cl.request(`${prefix}/linux-64/repodata.json.zst`);
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/no mirror of .* carries \/linux-64\/repodata\.json\.zst/);
    expect(res.context.get(mirrorRouteKey)).toMatchObject({ synthetic: true, attempts: [] });
    expect([await hits(a), await hits(b), await hits(origin)]).toEqual(before);

    // The plain file is carried: a serves it. A skip rule sends /private/ past b.
    expect(await (await cl.request(`${prefix}/linux-64/repodata.json`)).json()).toEqual({ server: "a" });

    const mixed = mirror({
      mirrors: { [prefix]: [{ url: `${a.url}/ch`, noZstd: true }, `${b.url}/ch`] },
    });
    const zst = await client(mixed).request(`${prefix}/linux-64/repodata.json.zst`);
    expect(await zst.text()).toBe("zst-b");
    expect(await hits(a, ".zst")).toBe(0);
  });

  it("throws AllMirrorsFailedError listing each mirror, or hands back the last response by option", async () => {
    const dead = await freePort();
    const mirrors = { [prefix]: [`${c.url}/ch`, `http://user:hunter2@127.0.0.1:${dead}/ch`] };
    const m = mirror({ mirrors, delay: () => 0 });
    const error = (await client(m)
      .request(`${prefix}${PKG}`)
      .catch((e: unknown) => e)) as AllMirrorsFailedError;
    expect(error).toBeInstanceOf(AllMirrorsFailedError);
    expect(isSwitchyardError(error, "SWITCHYARD_ERR_ALL_MIRRORS_FAILED")).toBe(true);
    expect(error.transient).toBe(true);
    expect(error.prefix).toBe(prefix);
    expect(error.mirrors.map((r) => [r.url, r.outcome, r.status])).toEqual([
      [`${c.url}/ch`, "failed", 503],
      [`http://***@127.0.0.1:${dead}/ch`, "failed", undefined],
    ]);
    expect(error.mirrors[1]!.error).toMatch(/ConnectError SWITCHYARD_ERR_CONNECT/);
    expect(error.message).toContain(`GET ${prefix}${PKG}: no mirror of ${prefix} could serve the request`);
    expect(error.message).toContain(`${c.url}/ch failed: HTTP 503`);
    expect(error.message).not.toContain("hunter2");
    expect(JSON.stringify(error.mirrors)).not.toContain("hunter2");

    // A fresh pool with one attempt: c, listed first, answers 503 and that response is handed back.
    const last = mirror({ mirrors, delay: () => 0, onExhausted: "last-response", maxAttempts: 1 });
    const res = await client(last).request(`${prefix}${PKG}`);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.text()).toBe("unavailable\n");
    expect(res.context.get(servedByKey)).toEqual({ kind: "mirror", url: `${c.url}/ch` });
  });

  it("lets a retry outside the mirror middleware re-select a mirror from the updated pool", async () => {
    const dead = await freePort();
    const seen: string[] = [];
    // A tiny policy-stage middleware: on a transient error, call the rest of the chain once more.
    const retryOnce: Middleware = {
      name: "retry-once",
      stage: "policy",
      handle: (request, next) =>
        next(request).catch((error: unknown) => {
          seen.push(isSwitchyardError(error) ? `${error.code} transient=${error.transient}` : String(error));
          if (!isSwitchyardError(error) || !error.transient) throw error;
          return next(request);
        }),
    };
    const m = mirror({
      mirrors: { [prefix]: [`http://127.0.0.1:${dead}/ch`, `${a.url}/ch`] },
      maxAttempts: 1,
    });
    const res = await client(m, retryOnce).request(`${prefix}${PKG}`);
    expect(await res.text()).toBe("from-a");
    expect(seen).toEqual(["SWITCHYARD_ERR_ALL_MIRRORS_FAILED transient=true"]);
    expect(m.snapshot()[0]!.mirrors.map((s) => s.failures)).toEqual([1, 0]);
  });

  it("counts a slow mirror whose body stalls past bodyTimeout as a failure, and prefers another next time", async () => {
    const m = mirror({ mirrors: { [prefix]: [`${b.url}/slow/ch`, `${a.url}/ch`] } });
    const cl = client(m);
    const slow = await cl.request(`${prefix}/big.bin`, { bodyTimeout: 300 });
    expect(slow.status).toBe(200);
    expect(slow.context.get(servedByKey)?.url).toBe(`${b.url}/slow/ch`);
    const begin = performance.now();
    const error = await slow.bytes().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("body");
    expect(performance.now() - begin).toBeLessThan(5000);
    expect(m.snapshot()[0]!.mirrors[0]).toMatchObject({ failures: 1 });
    expect(m.snapshot()[0]!.mirrors[0]!.lastError).toMatch(/body timeout/);

    const fast = await cl.request(`${prefix}/big.bin`);
    expect((await fast.bytes()).length).toBe(BIG);
    expect(fast.context.get(servedByKey)?.url).toBe(`${a.url}/ch`);
  });

  it("rewrites onto an oci:// mirror for the resolve stage, with the rest of the path and the query", async () => {
    const resolved: string[] = [];
    // Stands in for @switchyard/oci: turns oci://registry.test/<path> into an http request to a.
    const fakeOci: Middleware = {
      name: "fake-oci",
      stage: "resolve",
      handle: (request, next) => {
        if (request.scheme !== "oci") return next(request);
        resolved.push(request.url);
        const u = request.parsedUrl;
        return next(
          request.with({ url: `${a.url}/ch${u.pathname.replace(/^\/mirrors\/cf/, "")}${u.search}` }),
        );
      },
    };
    const m = mirror({ mirrors: { [prefix]: ["oci://registry.test/mirrors/cf/"] } });
    const res = await client(fakeOci, m).request(`${prefix}${PKG}?x=1`);
    expect(await res.text()).toBe("from-a");
    expect(resolved).toEqual([`oci://registry.test/mirrors/cf${PKG}?x=1`]);
    expect(res.context.get(servedByKey)).toEqual({ kind: "mirror", url: "oci://registry.test/mirrors/cf" });
  });

  it("leaves no socket open: failed responses are discarded, pools closed at the end", async () => {
    const baseline = process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
    const agent = new Agent({ keepAliveTimeout: 10_000 });
    // nginx cannot return a 96 KiB error body from its config: a node:http server does. Such a
    // body overflows the socket buffers, so only a discard frees the connection.
    const big503 = await startCaptureServer(() => ({ status: 503, body: "x".repeat(96 * 1024) }));
    extra.push({ stop: () => big503.close() });
    // select pins the order so the 503 mirror is tried (and its response discarded) every time.
    const m = mirror({
      mirrors: { [prefix]: [`${big503.url}/ch`, `${c.url}/ch`, `${a.url}/ch`] },
      delay: () => 0,
      select: () => [0, 1, 2],
    });
    const cl = createClient({ middleware: [m], dispatcher: agent });
    for (let i = 0; i < 5; i++) {
      const res = await cl.request(`${prefix}${PKG}?i=${i}`);
      expect(await res.text()).toBe("from-a");
      expect(res.context.get(mirrorRouteKey)!.attempts).toHaveLength(2);
    }
    // Every 503 was drained, not leaked nor destroyed: one idle, reused socket per origin.
    type Stats = Record<string, { connected: number; free: number; running: number; pending: number }>;
    const origins = [big503.url, c.url, a.url];
    const idle = (st: Stats) =>
      origins.every((o) => st[o]?.running === 0 && st[o]?.connected === st[o]?.free);
    // undici marks a socket free a tick after the body's end: poll briefly (bounded).
    for (let i = 0; i < 50 && !idle(agent.stats as Stats); i++) await new Promise((r) => setTimeout(r, 10));
    const stats = agent.stats as Stats;
    expect(big503.requests).toHaveLength(5);
    for (const origin of origins) {
      expect(stats[origin]).toMatchObject({ running: 0, pending: 0 });
      expect(stats[origin]!.connected).toBe(stats[origin]!.free);
      expect(stats[origin]!.connected).toBe(1);
    }
    await cl.close();
    await agent.close();
    // Client-owned pool too: create, use, close.
    const owned = createClient({ middleware: [m] });
    await (await owned.request(`${prefix}${PKG}`)).text();
    await owned.close();
    let open = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 50 && open > baseline; i++) {
      await new Promise((r) => setTimeout(r, 20));
      open = process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
    }
    expect(open).toBeLessThanOrEqual(baseline);
  });
});
