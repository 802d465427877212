import { createHash } from "node:crypto";
import { connect } from "node:net";
import { Agent, request } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { generatedBodySha256, generatedBodyStream } from "./generated-body.ts";
import { redirect } from "./response-step.ts";
import { startTestServer, type TestServer } from "./test-server.ts";

let srv: TestServer;
let agent: Agent;

beforeEach(async () => {
  srv = await startTestServer();
  agent = new Agent({ keepAliveTimeout: 10_000 });
});
afterEach(async () => {
  await agent.close();
  await srv.close();
});

/** GETs `path` and reads the whole body as a sha256; rejects like the body read does. */
async function fetchBody(path: string, init: { method?: "GET" | "HEAD" } = {}) {
  const res = await request(`${srv.origin}${path}`, { dispatcher: agent, ...init });
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of res.body) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { status: res.statusCode, headers: res.headers, bytes, sha256: hash.digest("hex") };
}

/** The rejection of `promise` (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<NodeJS.ErrnoException> {
  try {
    await promise;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  throw new Error("expected a rejection");
}

describe("startTestServer", () => {
  it("listens on 127.0.0.1 and answers unrouted paths with 404", async () => {
    expect(srv.origin).toBe(`http://127.0.0.1:${srv.port}`);
    expect(srv.url).toBe(`${srv.origin}/`);
    const res = await fetchBody("/nothing");
    expect(res.status).toBe(404);
  });

  it("sends status, headers and a text body", async () => {
    srv.route("/x", { status: 429, headers: { "retry-after": "2" }, body: "slow down" });
    const res = await request(`${srv.origin}/x`, { dispatcher: agent });
    expect(res.statusCode).toBe(429);
    expect(res.headers["retry-after"]).toBe("2");
    expect(res.headers["content-length"]).toBe("9");
    expect(await res.body.text()).toBe("slow down");
  });

  it("plays a step sequence per path, the last step repeating", async () => {
    srv.route("/seq", [{ status: 503 }, { status: 200, body: "ok" }]);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetchBody("/seq")).status);
    expect(statuses).toEqual([503, 200, 200]);
    expect(srv.requests.map((r) => r.path)).toEqual(["/seq", "/seq", "/seq"]);
  });

  it("matches the longest prefix route", async () => {
    srv.route("/v2/*", { status: 401 }).route("/v2/blobs/*", { status: 307, headers: { location: "/b" } });
    expect((await fetchBody("/v2/x?q=1")).status).toBe(401);
    expect((await fetchBody("/v2/blobs/sha256:ab")).status).toBe(307);
    expect(srv.requests[0]?.url).toBe("/v2/x?q=1");
    expect(srv.requests[0]?.path).toBe("/v2/x");
  });

  it("streams a generated body with the advertised length and sha256", async () => {
    const body = { size: 3_000_001, seed: "g" };
    srv.route("/gen", { body });
    const res = await fetchBody("/gen");
    expect(res.headers["content-length"]).toBe("3000001");
    expect(res.bytes).toBe(body.size);
    expect(res.sha256).toBe(generatedBodySha256(body));
  });

  it("sends no body to HEAD but the length", async () => {
    srv.route("/gen", { body: { size: 1 << 30 } });
    const res = await fetchBody("/gen", { method: "HEAD" });
    expect(res.headers["content-length"]).toBe(String(1 << 30));
    expect(res.bytes).toBe(0);
  });

  it("builds redirects", async () => {
    srv.route("/old", redirect("/new", 308));
    const res = await fetchBody("/old");
    expect(res.status).toBe(308);
    expect(res.headers.location).toBe("/new");
  });

  it("delays the headers by delayMs", async () => {
    srv.route("/slow", { delayMs: 150, body: "x" });
    const started = performance.now();
    await fetchBody("/slow");
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("sends the headers, then waits bodyDelayMs before the body", async () => {
    srv.route("/late-body", { bodyDelayMs: 300, body: "x" });
    const started = performance.now();
    const res = await request(`${srv.origin}/late-body`, { dispatcher: agent });
    const headersAt = performance.now() - started;
    expect(await res.body.text()).toBe("x");
    expect(headersAt).toBeLessThan(250);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("paces the body to bytesPerSec", async () => {
    srv.route("/throttled", { body: { size: 60_000 }, bytesPerSec: 200_000 });
    const started = performance.now();
    const res = await fetchBody("/throttled");
    const elapsed = performance.now() - started;
    expect(res.bytes).toBe(60_000);
    // 60 kB at 200 kB/s: ~300 ms less the first 50 ms slice sent at once.
    expect(elapsed).toBeGreaterThanOrEqual(230);
    // Upper bound only catches a stuck pacer; generous so a busy machine cannot fail it.
    expect(elapsed).toBeLessThan(10_000);
  });

  it("closes the connection before the headers (FIN): the client sees a socket error", async () => {
    srv.route("/close", { closeBeforeHeaders: true });
    const error = await rejection(fetchBody("/close"));
    expect(error.code).toBe("UND_ERR_SOCKET");
    expect(srv.requests).toHaveLength(1);
  });

  it("resets the connection before the headers (RST)", async () => {
    srv.route("/reset", { resetBeforeHeaders: true });
    const error = await rejection(fetchBody("/reset"));
    expect(["ECONNRESET", "UND_ERR_SOCKET"]).toContain(error.code);
  });

  it("resets mid-body after destroyAfterBytes", async () => {
    srv.route("/rst", { body: { size: 10_000_000 }, destroyAfterBytes: 100_000 });
    let received = 0;
    const res = await request(`${srv.origin}/rst`, { dispatcher: agent });
    expect(res.statusCode).toBe(200);
    const error = await rejection(
      (async () => {
        for await (const chunk of res.body) received += (chunk as Buffer).length;
      })(),
    );
    expect(["ECONNRESET", "UND_ERR_SOCKET"]).toContain(error.code);
    expect(received).toBeLessThanOrEqual(100_000);
  });

  it("truncates: declares the full length, sends part, closes", async () => {
    srv.route("/trunc", { body: { size: 1_000_000 }, truncateAfterBytes: 400_000 });
    let received = 0;
    const res = await request(`${srv.origin}/trunc`, { dispatcher: agent });
    expect(res.headers["content-length"]).toBe("1000000");
    const error = await rejection(
      (async () => {
        for await (const chunk of res.body) received += (chunk as Buffer).length;
      })(),
    );
    expect(error.code).toBe("UND_ERR_SOCKET");
    expect(received).toBe(400_000);
  });

  it("truncates at half the body with truncateAfterBytes: true", async () => {
    srv.route("/half", { body: "0123456789", truncateAfterBytes: true });
    const res = await request(`${srv.origin}/half`, { dispatcher: agent });
    let text = "";
    const error = await rejection(
      (async () => {
        for await (const chunk of res.body) text += String(chunk);
      })(),
    );
    expect(error.code).toBe("UND_ERR_SOCKET");
    expect(text).toBe("01234");
  });

  it("records request bodies streaming: size and sha256 of a generated upload", async () => {
    srv.route("/up", { status: 201 });
    const body = { size: 5_000_000, seed: "up" };
    const res = await request(`${srv.origin}/up`, {
      dispatcher: agent,
      method: "PUT",
      body: generatedBodyStream(body),
      headers: { "x-test": "1" },
    });
    await res.body.dump();
    expect(res.statusCode).toBe(201);
    const [recorded] = await srv.waitForRequests(1);
    expect(recorded).toMatchObject({
      method: "PUT",
      bodyBytes: body.size,
      bodySha256: generatedBodySha256(body),
      bodyComplete: true,
      aborted: false,
      body: undefined,
    });
    expect(recorded?.headers["x-test"]).toBe("1");
    expect(recorded?.remotePort).toBeGreaterThan(0);
  });

  it("keeps bodies when asked", async () => {
    const keeping = await startTestServer({ keepBodies: true });
    try {
      const res = await request(`${keeping.origin}/k`, { dispatcher: agent, method: "POST", body: "hello" });
      await res.body.dump();
      expect(keeping.requests[0]?.body?.toString()).toBe("hello");
    } finally {
      await keeping.close();
    }
  });

  it("answers before the body with respondBeforeBody, still hashing what arrives", async () => {
    srv.route("/early", { status: 413, respondBeforeBody: true });
    const res = await request(`${srv.origin}/early`, { dispatcher: agent, method: "POST", body: "abc" });
    await res.body.dump();
    expect(res.statusCode).toBe(413);
    const [recorded] = await srv.waitForRequests(1);
    expect(recorded?.bodyBytes).toBe(3);
  });

  it("lets a handler answer, and hashes the body it reads", async () => {
    srv.route("/echo", async (req, res) => {
      let text = "";
      for await (const chunk of req) text += String(chunk);
      res.end(text.toUpperCase());
    });
    const res = await request(`${srv.origin}/echo`, { dispatcher: agent, method: "POST", body: "shout" });
    expect(await res.body.text()).toBe("SHOUT");
    const [recorded] = await srv.waitForRequests(1);
    expect(recorded?.bodySha256).toBe(createHash("sha256").update("shout").digest("hex"));
  });

  it("turns a throwing handler into a 500 and records the error", async () => {
    srv.route("/boom", () => {
      throw new Error("boom");
    });
    expect((await fetchBody("/boom")).status).toBe(500);
    expect(String(srv.errors[0])).toContain("boom");
  });

  it("counts connections, open and accepted, and sees the client close them", async () => {
    srv.route("/a", { body: "a" });
    const other = new Agent();
    await fetchBody("/a");
    const res = await request(`${srv.origin}/a`, { dispatcher: other });
    await res.body.text();
    const ports = new Set(srv.requests.map((r) => r.remotePort));
    expect(ports.size).toBe(2);
    expect(srv.connections).toBe(2);
    expect(srv.openConnections).toBe(2);
    await other.close();
    await srv.waitForOpenConnections(1, 2_000);
    expect(srv.connections).toBe(2);
    await expect(srv.waitForOpenConnections(0, 20)).rejects.toThrow(/0 open connections, have 1/);
  });

  it("waitForRequests rejects after its timeout", async () => {
    await expect(srv.waitForRequests(1, 30)).rejects.toThrow(/waited 30 ms for 1 requests, got 0/);
  });

  it("waitForRequests rejects when a body never finishes", async () => {
    const { PassThrough } = await import("node:stream");
    const body = new PassThrough();
    body.write("partial");
    srv.route("/slow-up", { status: 204 });
    const pending = request(`${srv.origin}/slow-up`, { dispatcher: agent, method: "PUT", body }).catch(
      (error: unknown) => error,
    );
    await expect(srv.waitForRequests(1, 100)).rejects.toThrow(/to finish their bodies/);
    expect(srv.requests[0]).toMatchObject({ bodyBytes: 7, bodyComplete: false });
    body.end();
    await pending;
  });

  it("reset() forgets routes, requests and counts", async () => {
    srv.route("/a", { status: 204 });
    await fetchBody("/a");
    srv.reset();
    expect(srv.requests).toHaveLength(0);
    expect(srv.connections).toBe(0);
    expect((await fetchBody("/a")).status).toBe(404);
  });

  it("close() destroys kept-alive connections and stops listening", async () => {
    srv.route("/a", { body: "a" });
    await fetchBody("/a");
    expect(srv.openConnections).toBe(1);
    await srv.close();
    expect(srv.openConnections).toBe(0);
    const refused = await new Promise<string | undefined>((resolve) => {
      const socket = connect(srv.port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code));
    });
    expect(refused).toBe("ECONNREFUSED");
    await srv.close(); // idempotent
  });

  it("close() ends a response stalled mid-body", async () => {
    srv.route("/stall", { body: { size: 1_000_000 }, bytesPerSec: 10_000 });
    const res = await request(`${srv.origin}/stall`, { dispatcher: agent });
    const reading = rejection(
      (async () => {
        for await (const _ of res.body);
      })(),
    );
    await srv.close();
    expect((await reading).code).toBe("UND_ERR_SOCKET");
    expect(srv.errors).toEqual([]);
  });
});
