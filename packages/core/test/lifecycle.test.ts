// Regression tests for close() and destroy() with response bodies left unread, half read, fully
// read and garbage-collected, against a real local server: every close settles (bounded waits,
// never timed assertions), every socket is closed afterwards on both sides.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { setTimeout as sleep, setImmediate as turn } from "node:timers/promises";
import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Client, ClientClosedError, createClient, type HttpResponse } from "../src/index.ts";

const CHUNK = Buffer.alloc(64 * 1024, 120);
// Far more than socket buffers and the body's high-water mark hold: an unread body pauses undici.
const ENDLESS_LIMIT = 256 * 1024 * 1024;

let server: http.Server;
let origin: string;
const sockets = new Set<Socket>();
let releaseSlow: (() => void) | undefined;

function endless(res: http.ServerResponse, status: number): void {
  res.writeHead(status, { "content-type": "application/octet-stream" });
  let sent = 0;
  const pump = (): void => {
    while (sent < ENDLESS_LIMIT && !res.destroyed) {
      sent += CHUNK.length;
      if (!res.write(CHUNK)) {
        res.once("drain", pump);
        return;
      }
    }
    res.end();
  };
  res.on("error", () => {});
  pump();
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    switch (req.url) {
      case "/endless":
        return endless(res, 200);
      case "/error-page":
        return endless(res, 500);
      case "/small":
        res.end("small body");
        return;
      case "/slow":
        res.writeHead(200, { "content-length": String(CHUNK.length * 2) });
        res.write(CHUNK);
        releaseSlow = () => res.end(CHUNK);
        return;
      default:
        res.writeHead(404).end();
    }
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Rejects when `promise` has not settled within `ms` (a hang, not a timing claim). */
async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`HANG: ${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
}

/** Waits (bounded) until the server holds no connection and the process no extra socket. */
async function noConnectionsLeft(handlesBefore: number): Promise<void> {
  await bounded(
    (async () => {
      while (sockets.size > 0 || tcpHandles() > handlesBefore) await sleep(10);
    })(),
    5000,
    "sockets to close",
  );
  expect(sockets.size).toBe(0);
  expect(tcpHandles()).toBeLessThanOrEqual(handlesBefore);
}

/** Settles with what happened, so that orderings can be asserted. */
function track(promise: Promise<unknown>): { readonly settled: boolean; readonly done: Promise<unknown> } {
  const state = { settled: false, done: promise };
  state.done = promise.then(
    () => {
      state.settled = true;
    },
    (error: unknown) => {
      state.settled = true;
      throw error;
    },
  );
  return state;
}

async function request(client: Client, path: string): Promise<HttpResponse> {
  return client.request(`${origin}${path}`);
}

describe("close() with bodies nobody reads", () => {
  it.each([
    ["no middleware", false],
    ["middleware", true],
  ])("settles after an unread body (the if (!res.ok) throw pattern), %s, timeouts set", async (_n, mw) => {
    const before = tcpHandles();
    const client = createClient({
      closeGraceMs: 50,
      timeout: 60_000,
      bodyTimeout: 60_000,
      middleware: mw ? [{ name: "pass", stage: "send", handle: (r, next) => next(r) }] : [],
    });
    const res = await request(client, "/error-page");
    expect(res.ok).toBe(false);
    await bounded(client.close(), 10_000, "close after an unread body");
    // The body was released: reading it now says why.
    await expect(res.text()).rejects.toBeInstanceOf(ClientClosedError);
    await noConnectionsLeft(before);
  });

  it("settles after a half-read body, and the reader learns it was released", async () => {
    const before = tcpHandles();
    const client = createClient({ closeGraceMs: 50 });
    const res = await request(client, "/endless");
    const reader = res.body[Symbol.asyncIterator]();
    expect((await reader.next()).done).toBe(false);
    await bounded(client.close(), 10_000, "close after a half-read body");
    const next = await reader.next().catch((error: unknown) => error);
    expect(next).toBeInstanceOf(ClientClosedError);
    expect((next as ClientClosedError).message).toMatch(/closeGraceMs/);
    expect((next as ClientClosedError).message).toContain(`GET ${origin}/endless`);
    await noConnectionsLeft(before);
  });

  it("settles after a fully read body", async () => {
    const before = tcpHandles();
    const client = createClient({ closeGraceMs: 60_000 });
    const res = await request(client, "/small");
    expect(await res.text()).toBe("small body");
    await bounded(client.close(), 10_000, "close after a read body");
    await noConnectionsLeft(before);
  });

  it("waits for a body being read while its server is slow, releasing nothing", async () => {
    const before = tcpHandles();
    const client = createClient({ closeGraceMs: 20 });
    const res = await request(client, "/slow");
    const text = track(res.text());
    const closed = track(client.close());
    // Many grace periods pass: the reader waits on the server, not the other way round.
    for (let i = 0; i < 10 && !closed.settled; i++) await sleep(20);
    expect(closed.settled).toBe(false);
    expect(text.settled).toBe(false);
    releaseSlow?.();
    await bounded(text.done, 10_000, "the slow body");
    await bounded(closed.done, 10_000, "close after the slow body");
    await noConnectionsLeft(before);
  });

  it("a response read right after close() is still served", async () => {
    const client = createClient({ closeGraceMs: 60_000 });
    const res = await request(client, "/small");
    const closed = client.close();
    expect(await res.text()).toBe("small body");
    await bounded(closed, 10_000, "close");
  });
});

describe("destroy()", () => {
  it("settles a pending close() and frees the socket of an unread body", async () => {
    const before = tcpHandles();
    const client = createClient({ closeGraceMs: 600_000 });
    const res = await request(client, "/error-page");
    const closed = track(client.close());
    await turn();
    expect(closed.settled).toBe(false);
    await bounded(client.destroy(), 10_000, "destroy while close is pending");
    await bounded(closed.done, 10_000, "the pending close after destroy");
    await expect(res.text()).rejects.toBeInstanceOf(ClientClosedError);
    await noConnectionsLeft(before);
  });

  it("frees the socket of a half-read body", async () => {
    const before = tcpHandles();
    const client = createClient();
    const res = await request(client, "/endless");
    const reader = res.body[Symbol.asyncIterator]();
    await reader.next();
    await bounded(client.destroy(), 10_000, "destroy");
    await expect(reader.next()).rejects.toBeInstanceOf(ClientClosedError);
    await noConnectionsLeft(before);
  });
});

describe("reload()", () => {
  it("closes the retired pool although a body on it was never read", async () => {
    const before = tcpHandles();
    const client = createClient({ closeGraceMs: 50 });
    const res = await request(client, "/error-page");
    expect(res.status).toBe(500);
    await bounded(client.reload({ closeGraceMs: 50 }), 10_000, "reload retiring a pool with an unread body");
    expect(await (await request(client, "/small")).text()).toBe("small body");
    await bounded(client.close(), 10_000, "close");
    await noConnectionsLeft(before);
  });
});

describe("responses collected unread", () => {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;

  // In its own function so that nothing on the test's stack keeps the response.
  async function statusOnly(client: Client, path: string): Promise<number> {
    const res = await request(client, path);
    return res.status;
  }

  it("releases the body of a response collected before anyone read it", async () => {
    const before = tcpHandles();
    // A grace far beyond the bounded wait: only the collection can free the socket in time.
    const client = createClient({ closeGraceMs: 600_000 });
    expect(await statusOnly(client, "/error-page")).toBe(500);
    expect(sockets.size).toBe(1);
    await bounded(
      (async () => {
        for (let i = 0; i < 200 && sockets.size > 0; i++) {
          gc();
          await sleep(10);
        }
      })(),
      10_000,
      "collection of the unread response",
    );
    expect(sockets.size).toBe(0);
    await bounded(client.close(), 10_000, "close after the collected response");
    await noConnectionsLeft(before);
  });

  it("keeps the body of a collected response whose stream is still being read", async () => {
    const client = createClient({ closeGraceMs: 600_000 });
    const body = (await request(client, "/small")).body;
    for (let i = 0; i < 5; i++) {
      gc();
      await sleep(10);
    }
    let text = "";
    for await (const chunk of body) text += String(chunk);
    expect(text).toBe("small body");
    await bounded(client.close(), 10_000, "close");
  });
});
