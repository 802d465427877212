import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../src/index.ts";
import { localServer } from "./local-server.ts";

// Node's global fetch is the oracle: every case runs through both and must end the same way.
type Server = Awaited<ReturnType<typeof localServer>>;
let server: Server;

beforeAll(async () => {
  server = await localServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/small") {
      res.writeHead(503, { "content-type": "application/json" });
      res.end('{"error":"overloaded"}');
      return;
    }
    if (url.pathname === "/endless") {
      // Writes until the client goes away (bounded: 64 MiB at most).
      res.writeHead(200, { "content-type": "application/octet-stream" });
      let sent = 0;
      const chunk = Buffer.alloc(64 * 1024, 1);
      const write = (): void => {
        while (sent < 64 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once("drain", write);
        }
        res.end();
      };
      write();
      return;
    }
    res.end(url.pathname.slice(1) || "ok");
  });
});
afterAll(() => server.close());

const fetchers = (client: ReturnType<typeof createClient>) =>
  [
    ["global fetch", globalThis.fetch],
    ["client.fetch", client.fetch],
  ] as const;

describe("client.fetch: cancelling a response body", () => {
  it("cancels a small body (the OpenAI SDK does it before each retry) without crashing, as fetch", async () => {
    const client = createClient({ connections: 1 });
    for (const [name, fetch] of fetchers(client)) {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${server.url}/small`);
        expect(res.status, name).toBe(503);
        await res.body?.cancel();
        expect(res.bodyUsed, name).toBe(true);
      }
      // The process is still alive and the client still answers.
      expect(await (await fetch(`${server.url}/after`)).text(), name).toBe("after");
    }
    await client.close();
  });

  it("cancels after a partial read, and a cancelled body rejects further reads as fetch's does", async () => {
    const client = createClient({ connections: 1 });
    for (const [name, fetch] of fetchers(client)) {
      const res = await fetch(`${server.url}/small`);
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(first.done, name).toBe(false);
      await reader.cancel(new Error("enough"));
      expect(await reader.read(), name).toEqual({ done: true, value: undefined });
      await expect(res.text(), name).rejects.toThrow(TypeError);
    }
    await client.close();
  });

  it("releases the socket when an endless body is cancelled: the next call on a one-socket pool gets through", async () => {
    const client = createClient({ connections: 1 });
    const res = await client.fetch(`${server.url}/endless`);
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    const next = await client.fetch(`${server.url}/next`);
    expect(await next.text()).toBe("next");
    await client.close();
  });

  it("reuses the connection after cancelling a small body (drained, not destroyed)", async () => {
    const ports: number[] = [];
    const own = await localServer((req, res) => {
      ports.push(req.socket.remotePort ?? 0);
      res.writeHead(503);
      res.end("busy");
    });
    const client = createClient({ connections: 1 });
    for (let i = 0; i < 4; i++) {
      await (await client.fetch(own.url)).body?.cancel();
    }
    expect(own.seen).toHaveLength(4);
    // One socket served all four requests.
    expect(new Set(ports).size).toBe(1);
    await client.close();
    await own.close();
  });

  it("gives a byte stream: a BYOB reader reads into the caller's buffer, as fetch's body allows", async () => {
    const client = createClient();
    for (const [name, fetch] of fetchers(client)) {
      const res = await fetch(`${server.url}/hello-byob`);
      const reader = res.body!.getReader({ mode: "byob" });
      let text = "";
      for (;;) {
        const { done, value } = await reader.read(new Uint8Array(4));
        if (done) break;
        text += Buffer.from(value).toString();
      }
      expect(text, name).toBe("hello-byob");
    }
    await client.close();
  });

  it("HttpResponse.webStream() can be cancelled without crashing either", async () => {
    const client = createClient();
    const res = await client.request(`${server.url}/small`);
    const stream = res.webStream();
    await stream.cancel();
    await new Promise((resolve) => setImmediate(resolve));
    const again = await client.request(`${server.url}/webstream`);
    const chunks: string[] = [];
    for await (const chunk of again.webStream() as unknown as AsyncIterable<Uint8Array>)
      chunks.push(Buffer.from(chunk).toString());
    expect(chunks.join("")).toBe("webstream");
    await client.close();
  });
});
