// The transport's body (src/response-body.ts) against the body it replaced, undici's own from
// `undici.request`, as the oracle: every case runs on both, against the same real local server, and
// asserts that a program sees the same thing (data, events, errors and what happens to the socket).
import { createHash } from "node:crypto";
import type http from "node:http";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { Agent, request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dispatchRequest } from "../src/dispatch-request.ts";
import { localServer } from "./local-server.ts";

interface WholeBody extends Readable {
  text(): Promise<string>;
  json(): Promise<unknown>;
  bytes(): Promise<Uint8Array>;
  arrayBuffer(): Promise<ArrayBuffer>;
  dump(options?: { limit?: number }): Promise<unknown>;
}

interface Answer {
  readonly statusCode: number;
  readonly body: WholeBody;
}

type Client = (path: string, signal?: AbortSignal) => Promise<Answer>;

const BIG = Buffer.alloc(1024 * 1024);
for (let i = 0; i < BIG.length; i++) BIG[i] = (i * 7) % 251;

let server: Awaited<ReturnType<typeof localServer>>;

function route(req: http.IncomingMessage, res: http.ServerResponse): void {
  switch (req.url) {
    case "/small":
      res.end("\ufeffsmall body é");
      return;
    case "/json":
      res.setHeader("content-type", "application/json");
      res.end('{"a":[1,2,3]}');
      return;
    case "/big":
      res.setHeader("content-length", BIG.length);
      res.end(BIG);
      return;
    case "/endless": {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = (): void => {
        for (let i = 0; i < 4096 && !res.destroyed; i++) {
          if (!res.write(chunk)) {
            res.once("drain", pump);
            return;
          }
        }
        res.end();
      };
      res.on("error", () => {});
      pump();
      return;
    }
    case "/cut":
      // Declares more than it sends, then drops the connection.
      res.writeHead(200, { "content-length": "1000" });
      res.write("only part");
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    case "/slow":
      res.writeHead(200, { "content-length": "8" });
      res.write("1234");
      setTimeout(() => res.end("5678"), 100);
      return;
    default:
      res.writeHead(404).end();
  }
}

beforeAll(async () => {
  server = await localServer((req, res) => route(req, res));
});

afterAll(async () => {
  await server.close();
});

/** undici's own body: the oracle. */
function undiciClient(agent: Agent): Client {
  return async (path, signal) => {
    const res = await request(`${server.url}${path}`, { dispatcher: agent, signal });
    return { statusCode: res.statusCode, body: res.body as unknown as WholeBody };
  };
}

/** The transport's body, through the same dispatch handler core's transport uses. */
function dispatchClient(agent: Agent): Client {
  return (path, signal) =>
    new Promise((resolve, reject) => {
      dispatchRequest(agent, { origin: server.url, path, method: "GET" }, signal, (error, data) => {
        if (error) reject(error);
        else resolve({ statusCode: data!.statusCode, body: data!.body });
      });
    });
}

const clients: [string, (agent: Agent) => Client][] = [
  ["undici.request (oracle)", undiciClient],
  ["dispatch body", dispatchClient],
];

/** Runs `scenario` on both bodies, each with its own agent, and returns both outcomes. */
async function both<T>(scenario: (client: Client, agent: Agent) => Promise<T>): Promise<[T, T]> {
  const results: T[] = [];
  for (const [, make] of clients) {
    const agent = new Agent({ keepAliveTimeout: 10_000 });
    try {
      results.push(await scenario(make(agent), agent));
    } finally {
      await agent.destroy();
    }
  }
  return results as [T, T];
}

/** The events a body emitted, in order, once it has closed (bounded: a hang fails the test). */
function events(body: Readable): () => Promise<string[]> {
  const seen: string[] = [];
  body.on("end", () => seen.push("end"));
  const closed = new Promise<void>((resolve) => body.on("close", () => resolve()));
  return async () => {
    await Promise.race([closed, sleep(5000).then(() => seen.push("no close within 5 s"))]);
    seen.push("close");
    return seen;
  };
}

function describeError(error: unknown): Record<string, unknown> {
  const e = error as { name?: string; code?: string; message?: string };
  return { name: e.name, code: e.code, message: e.message };
}

const digest = (bytes: Uint8Array | ArrayBuffer): string =>
  createHash("sha256")
    .update(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes)
    .digest("hex");

describe("the transport's body against undici's", () => {
  it("reads a whole body that has arrived as text, json, bytes and arrayBuffer, then ends and closes", async () => {
    const [oracle, mine] = await both(async (client) => {
      const out: unknown[] = [];
      for (const [path, read] of [
        ["/small", (b: WholeBody) => b.text()],
        ["/json", (b: WholeBody) => b.json()],
        ["/small", async (b: WholeBody) => Buffer.from(await b.bytes()).toString("hex")],
        ["/big", async (b: WholeBody) => digest(await b.arrayBuffer())],
      ] as const) {
        const { body } = await client(path);
        const closed = events(body);
        await sleep(20); // the whole body is held before anyone reads
        out.push(await read(body), await closed(), body.readableEnded, body.destroyed);
      }
      return out;
    });
    expect(mine).toEqual(oracle);
    expect(mine[0]).toBe("small body é");
  });

  it("hands out bytes that own an ArrayBuffer of exactly their size", async () => {
    const agent = new Agent();
    try {
      const { body } = await dispatchClient(agent)("/small");
      const bytes = await body.bytes();
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.buffer.byteLength).toBe(bytes.length);
      const ab = await (await dispatchClient(agent)("/big")).body.arrayBuffer();
      expect(ab.byteLength).toBe(BIG.length);
    } finally {
      await agent.destroy();
    }
  });

  it("reads a body whose end has not arrived yet (whole and as a stream)", async () => {
    const [oracle, mine] = await both(async (client) => {
      const whole = await (await client("/slow")).body.text();
      const { body } = await client("/slow");
      const closed = events(body);
      let streamed = "";
      for await (const chunk of body) streamed += String(chunk);
      return [whole, streamed, await closed()];
    });
    expect(mine).toEqual(oracle);
    expect(mine[0]).toBe("12345678");
  });

  it("streams a held body to its end: the same bytes, 'end' then 'close'", async () => {
    const [oracle, mine] = await both(async (client) => {
      const { body } = await client("/big");
      const closed = events(body);
      await sleep(50);
      const hash = createHash("sha256");
      let chunks = 0;
      for await (const chunk of body) {
        hash.update(chunk as Buffer);
        chunks++;
      }
      return [hash.digest("hex"), chunks > 0, await closed()];
    });
    expect(mine).toEqual(oracle);
    expect(mine[0]).toBe(digest(BIG));
  });

  // undici is no oracle here: right after a first consume, its second can fail an internal
  // assert() thrown synchronously out of text(). The transport's body rejects as a used body does.
  it("refuses a second whole read with a TypeError (unusable)", async () => {
    const agent = new Agent();
    try {
      const { body } = await dispatchClient(agent)("/small");
      await body.text();
      const second = body.text();
      await expect(second).rejects.toBeInstanceOf(TypeError);
      await expect(second).rejects.toThrow("unusable");
      await expect(body.arrayBuffer()).rejects.toThrow("unusable");
    } finally {
      await agent.destroy();
    }
  });

  it("aborts the request when an unread body is destroyed, reporting RequestAbortedError", async () => {
    const [oracle, mine] = await both(async (client) => {
      const before = server.sockets.size;
      const { body } = await client("/endless");
      const failed = new Promise<unknown>((resolve) => body.on("error", resolve));
      body.destroy();
      const error = describeError(await failed);
      for (let i = 0; i < 100 && server.sockets.size > before; i++) await sleep(10);
      return [error, server.sockets.size <= before];
    });
    expect(mine).toEqual(oracle);
    expect(mine[0]).toMatchObject({ name: "AbortError", code: "UND_ERR_ABORTED" });
  });

  it("dump() drains a small body so the connection is reused, and closes it past the limit", async () => {
    const [oracle, mine] = await both(async (client) => {
      const first = await client("/small");
      const seenBefore = server.seen.length;
      await first.body.dump({ limit: 1024 });
      const second = await client("/small");
      const reused = (await second.body.text()) === "\ufeffsmall body é".slice(1);
      const big = await client("/big");
      const dumped = await big.body.dump({ limit: 1024 });
      return [reused, server.seen.length - seenBefore, dumped, big.body.destroyed];
    });
    expect(mine).toEqual(oracle);
  });

  it("a body that fails while nobody reads it raises nothing; a later read sees the failure", async () => {
    const [oracle, mine] = await both(async (client) => {
      const { body } = await client("/cut");
      await sleep(200);
      return describeError(await body.text().catch((e: unknown) => e));
    });
    expect(mine).toEqual(oracle);
    expect(mine.name).toBeDefined();
  });

  it("an abort signal fired after the headers fails the body with the signal's reason", async () => {
    const [oracle, mine] = await both(async (client) => {
      const controller = new AbortController();
      const { body } = await client("/endless", controller.signal);
      const reading = body.text().catch((e: unknown) => e);
      controller.abort(new Error("stop now"));
      return describeError(await reading);
    });
    expect(mine).toEqual(oracle);
    expect(mine.message).toBe("stop now");
  });

  it("an abort signal fired before the call fails it with the signal's reason", async () => {
    const [oracle, mine] = await both(async (client) => {
      const controller = new AbortController();
      controller.abort(new Error("never started"));
      return describeError(await client("/small", controller.signal).catch((e: unknown) => e));
    });
    expect(mine).toEqual(oracle);
    expect(mine.message).toBe("never started");
  });
});
