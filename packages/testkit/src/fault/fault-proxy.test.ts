import { createHash } from "node:crypto";
import { connect } from "node:net";
import { Agent, request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { generatedBodySha256 } from "../servers/generated-body.ts";
import { startTestServer, type TestServer } from "../servers/test-server.ts";
import { getTestCertificates } from "../tls/test-certificates.ts";
import { closeAfter, delay, resetAfter, throttle } from "./fault-mode.ts";
import { type FaultProxy, startFaultProxy } from "./fault-proxy.ts";

const BODY = { size: 1_000_000, seed: "fault" };

let srv: TestServer;
let proxy: FaultProxy;
let agent: Agent;

beforeEach(async () => {
  srv = await startTestServer();
  srv.route("/body", { body: BODY });
  srv.route("/small", { body: "small" });
  proxy = await startFaultProxy({ target: srv.origin });
  agent = new Agent({ headersTimeout: 2_000, bodyTimeout: 2_000 });
});
afterEach(async () => {
  await agent.close();
  await proxy.close();
  await srv.close();
});

/** GETs `path` through the proxy and reads the body; resolves with what arrived or the error. */
async function get(path: string, dispatcher: Agent = agent) {
  let bytes = 0;
  const hash = createHash("sha256");
  try {
    const res = await request(`${proxy.origin}${path}`, { dispatcher });
    for await (const chunk of res.body) {
      bytes += (chunk as Buffer).length;
      hash.update(chunk as Buffer);
    }
    return { status: res.statusCode, bytes, sha256: hash.digest("hex"), error: undefined };
  } catch (error) {
    return { status: undefined, bytes, sha256: undefined, error: error as NodeJS.ErrnoException };
  }
}

describe("startFaultProxy", () => {
  it("passes traffic through and counts it", async () => {
    const res = await get("/body");
    expect(res).toMatchObject({ status: 200, bytes: BODY.size, sha256: generatedBodySha256(BODY) });
    expect(proxy.origin).toBe(`http://127.0.0.1:${proxy.port}`);
    expect(proxy.connections).toBe(1);
    expect(proxy.bytesToClient).toBeGreaterThan(BODY.size);
    expect(proxy.bytesToTarget).toBeGreaterThan(0);
    const [open] = proxy.openConnections();
    expect(open).toMatchObject({ id: 1, mode: "pass", bytesToClient: proxy.bytesToClient });
  });

  it("reset: the client sees a connection reset", async () => {
    proxy.setMode("reset");
    const { error } = await get("/small");
    expect(error?.code).toBe("ECONNRESET");
    expect(srv.connections).toBe(0);
  });

  it("close: the client sees the other side close", async () => {
    proxy.setMode("close");
    const { error } = await get("/small");
    expect(error?.code).toBe("UND_ERR_SOCKET");
    expect(error?.message).toMatch(/other side closed/);
  });

  it("resetAfter: the body stops with a reset after the given response bytes", async () => {
    proxy.setMode(resetAfter(200_000));
    const res = await get("/body");
    expect(["ECONNRESET", "UND_ERR_SOCKET"]).toContain(res.error?.code);
    expect(res.bytes).toBeLessThan(200_000);
    expect(proxy.bytesToClient).toBe(200_000);
  });

  it("closeAfter: the body is truncated after the given response bytes", async () => {
    proxy.setMode(closeAfter(300_000));
    const res = await get("/body");
    expect(res.error?.code).toBe("UND_ERR_SOCKET");
    expect(proxy.bytesToClient).toBe(300_000);
    // Everything forwarded arrived; the headers took the rest.
    expect(res.bytes).toBeGreaterThan(299_000);
    expect(res.bytes).toBeLessThan(300_000);
  });

  it("delay: adds latency in both directions", async () => {
    proxy.setMode(delay(100));
    const started = performance.now();
    expect((await get("/small")).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it("throttle: paces the response", async () => {
    srv.route("/100k", { body: { size: 100_000 } });
    proxy.setMode(throttle(250_000));
    const started = performance.now();
    const res = await get("/100k");
    const elapsed = performance.now() - started;
    expect(res.bytes).toBe(100_000);
    // 100 kB at 250 kB/s: ~400 ms less the first 50 ms slice.
    expect(elapsed).toBeGreaterThanOrEqual(330);
    // Upper bound only catches a stuck pacer; generous so a busy machine cannot fail it.
    expect(elapsed).toBeLessThan(10_000);
  });

  it("blackhole: accepts and never answers, so the headers timeout fires", async () => {
    proxy.setMode("blackhole");
    const impatient = new Agent({ headersTimeout: 150 });
    try {
      const { error } = await get("/small", impatient);
      expect(error?.code).toBe("UND_ERR_HEADERS_TIMEOUT");
    } finally {
      await impatient.close();
    }
    expect(proxy.connections).toBe(1);
    expect(srv.connections).toBe(0);
  });

  it("next: queued modes apply to the next connections in order, then the default", async () => {
    proxy.next(["reset", "close"]);
    expect((await get("/small")).error?.code).toBe("ECONNRESET");
    expect((await get("/small")).error?.code).toBe("UND_ERR_SOCKET");
    expect((await get("/small")).status).toBe(200);
    expect(proxy.connections).toBe(3);
  });

  it("switches an open connection's mode at run time", async () => {
    expect((await get("/small")).status).toBe(200);
    expect(proxy.openConnections()).toHaveLength(1);
    proxy.setMode("reset", { live: true });
    expect(proxy.openConnections()).toHaveLength(0);
    await srv.waitForOpenConnections(0, 2_000);
    expect((await get("/small")).error?.code).toBe("ECONNRESET");
    proxy.setMode("pass");
    expect((await get("/small")).status).toBe(200);
  });

  it("releases a blackholed request when switched to pass", async () => {
    proxy.setMode("blackhole");
    const pending = get("/small");
    await proxy.waitForConnections(1);
    expect(srv.connections).toBe(0);
    proxy.setMode("pass", { live: true });
    expect(await pending).toMatchObject({ status: 200, bytes: 5 });
  });

  it("switches one connection without touching the others", async () => {
    const second = new Agent();
    try {
      expect((await get("/small")).status).toBe(200);
      expect((await get("/small", second)).status).toBe(200);
      const [first, other] = proxy.openConnections();
      first?.setMode(closeAfter(0));
      expect((await get("/body")).error?.code).toBe("UND_ERR_SOCKET");
      expect((await get("/small", second)).status).toBe(200);
      expect(other?.mode).toBe("pass");
    } finally {
      await second.close();
    }
  });

  it("close(): destroys every connection and stops listening", async () => {
    proxy.setMode("blackhole");
    const pending = get("/small");
    await proxy.waitForConnections(1);
    await proxy.close();
    expect((await pending).error).toBeDefined();
    expect(proxy.openConnections()).toHaveLength(0);
    const refused = await new Promise<string | undefined>((resolve) => {
      const socket = connect(proxy.port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code));
    });
    expect(refused).toBe("ECONNREFUSED");
    await proxy.close();
  });

  it("leaves no TCP handle behind once client, proxy and server are closed", async () => {
    const own = new Agent();
    proxy.setMode(throttle(100_000));
    const stalled = get("/body", own);
    await proxy.waitForConnections(1);
    expect(process.getActiveResourcesInfo().filter((name) => name.startsWith("TCP")).length).toBeGreaterThan(
      0,
    );
    await proxy.close();
    await stalled;
    await own.close();
    await agent.close();
    agent = new Agent(); // for afterEach
    await srv.close();
    // Closed handles leave the active list on a later turn of the event loop: wait, bounded.
    const tcp = () => process.getActiveResourcesInfo().filter((name) => name.startsWith("TCP"));
    for (let i = 0; i < 200 && tcp().length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(tcp()).toEqual([]);
  });

  it("forwards TLS untouched to an https target", async () => {
    const tlsServer = await startTestServer({ tls: true });
    const tlsProxy = await startFaultProxy({ target: tlsServer.origin });
    const trusting = new Agent({ connect: { ca: getTestCertificates().ca } });
    try {
      tlsServer.route("/s", { body: "secure" });
      expect(tlsProxy.origin).toBe(`https://127.0.0.1:${tlsProxy.port}`);
      const res = await request(`${tlsProxy.origin}/s`, { dispatcher: trusting });
      expect(await res.body.text()).toBe("secure");
      expect(tlsProxy.bytesToClient).toBeGreaterThan(1000); // certificate chain and records
    } finally {
      await trusting.close();
      await tlsProxy.close();
      await tlsServer.close();
    }
  });

  it("passes a target failure on as a reset", async () => {
    await srv.close();
    const { error } = await get("/small");
    expect(error?.code).toBe("ECONNRESET");
  });

  it("refuses bad modes and non-loopback targets synchronously", async () => {
    expect(() => proxy.setMode("explode" as "pass")).toThrow(RangeError);
    expect(() => proxy.next([{ bytesPerSec: 0 }])).toThrow(RangeError);
    expect(() => proxy.setMode({ resetAfterBytes: 1, closeAfterBytes: 1 })).toThrow(RangeError);
    await expect(startFaultProxy({ target: "http://10.0.0.1:80" })).rejects.toThrow(RangeError);
  });
});
