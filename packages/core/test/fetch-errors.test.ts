import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConnectError,
  createClient,
  RedirectError,
  SocketError,
  SwitchyardError,
  TimeoutError,
  UnsupportedSchemeError,
} from "../src/index.ts";
import { localServer } from "./local-server.ts";

type Server = Awaited<ReturnType<typeof localServer>>;
let server: Server;
let closedPort: number;

beforeAll(async () => {
  server = await localServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/never") return;
    if (url.pathname === "/stall") {
      res.writeHead(200, { "content-length": "100" });
      res.write("partial");
      return;
    }
    if (url.pathname === "/reset") {
      res.writeHead(200, { "content-length": "100" });
      res.write("partial");
      setTimeout(() => res.socket?.destroy(), 10);
      return;
    }
    if (url.pathname === "/hangup") {
      req.socket.destroy();
      return;
    }
    if (url.pathname === "/loop") {
      res.writeHead(302, { location: "/loop" });
      res.end();
      return;
    }
    res.end("ok");
  });
  const spare = await localServer(() => {});
  closedPort = spare.port;
  await spare.close();
});
afterAll(() => server.close());

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("client.fetch rejects as fetch rejects", () => {
  it("a refused connection: TypeError('fetch failed') with the ConnectError as cause", async () => {
    const client = createClient();
    const url = `http://127.0.0.1:${closedPort}/`;
    const expected = (await rejection(globalThis.fetch(url))) as TypeError;
    const actual = (await rejection(client.fetch(url))) as TypeError;
    expect(actual).toBeInstanceOf(TypeError);
    expect(actual.message).toBe(expected.message);
    expect(actual.cause).toBeInstanceOf(ConnectError);
    expect(actual.cause).toBeInstanceOf(SwitchyardError);
    await client.close();
  });

  it("a connection closed before the answer: TypeError('fetch failed') with a SocketError", async () => {
    const client = createClient();
    const expected = (await rejection(globalThis.fetch(`${server.url}/hangup`))) as TypeError;
    const actual = (await rejection(client.fetch(`${server.url}/hangup`))) as TypeError;
    expect([actual.name, actual.message]).toEqual([expected.name, expected.message]);
    expect(actual.cause).toBeInstanceOf(SocketError);
    await client.close();
  });

  it("a body cut short: the read fails with TypeError('terminated'), cause a SocketError", async () => {
    const client = createClient();
    for (const fetch of [globalThis.fetch, client.fetch]) {
      const res = await fetch(`${server.url}/reset`);
      const error = (await rejection(res.text())) as TypeError;
      expect([error.name, error.message]).toEqual(["TypeError", "terminated"]);
    }
    const error = (await rejection((await client.fetch(`${server.url}/reset`)).text())) as TypeError;
    expect(error.cause).toBeInstanceOf(SocketError);
    await client.close();
  });

  it("AbortSignal.timeout(): the TimeoutError DOMException itself", async () => {
    const client = createClient();
    for (const fetch of [globalThis.fetch, client.fetch]) {
      const signal = AbortSignal.timeout(30);
      const error = await rejection(fetch(`${server.url}/never`, { signal }));
      expect(error).toBeInstanceOf(DOMException);
      expect((error as DOMException).name).toBe("TimeoutError");
      expect(error).toBe(signal.reason);
    }
    await client.destroy();
  });

  it("abort(reason): the reason itself; abort(): an AbortError DOMException", async () => {
    const client = createClient();
    for (const fetch of [globalThis.fetch, client.fetch]) {
      const mine = new Error("mine");
      const withReason = new AbortController();
      const pending = fetch(`${server.url}/never`, { signal: withReason.signal });
      withReason.abort(mine);
      expect(await rejection(pending)).toBe(mine);
      const plain = new AbortController();
      const second = fetch(`${server.url}/never`, { signal: plain.signal });
      plain.abort();
      const error = (await rejection(second)) as DOMException;
      expect(error).toBeInstanceOf(DOMException);
      expect(error.name).toBe("AbortError");
      // Already aborted before the call: the same, without touching the network.
      expect(await rejection(fetch(`${server.url}/`, { signal: AbortSignal.abort(mine) }))).toBe(mine);
    }
    await client.destroy();
  });

  it("abort during the body: the body read rejects with the reason, as fetch's", async () => {
    const client = createClient();
    for (const fetch of [globalThis.fetch, client.fetch]) {
      const controller = new AbortController();
      const res = await fetch(`${server.url}/stall`, { signal: controller.signal });
      const reading = res.text();
      const mine = new Error("stop");
      controller.abort(mine);
      expect(await rejection(reading)).toBe(mine);
    }
    await client.destroy();
  });

  it("a client timeout is a network failure: TypeError('fetch failed') with the TimeoutError", async () => {
    const client = createClient({ timeout: 30 });
    const error = (await rejection(client.fetch(`${server.url}/never`))) as TypeError;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("fetch failed");
    expect(error.cause).toBeInstanceOf(TimeoutError);
    await client.destroy();
  });

  it("too many redirects and redirect: 'error': TypeError('fetch failed') with a RedirectError", async () => {
    const client = createClient();
    for (const init of [{}, { redirect: "error" as const }]) {
      const expected = (await rejection(globalThis.fetch(`${server.url}/loop`, init))) as TypeError;
      const actual = (await rejection(client.fetch(`${server.url}/loop`, init))) as TypeError;
      expect([actual.name, actual.message]).toEqual([expected.name, expected.message]);
      expect(actual.cause).toBeInstanceOf(RedirectError);
    }
    await client.close();
  });

  it("an unsupported scheme: TypeError('fetch failed') with an UnsupportedSchemeError", async () => {
    const client = createClient();
    const expected = (await rejection(globalThis.fetch("ftp://127.0.0.1/file"))) as TypeError;
    const actual = (await rejection(client.fetch("ftp://127.0.0.1/file"))) as TypeError;
    expect([actual.name, actual.message]).toEqual([expected.name, expected.message]);
    expect(actual.cause).toBeInstanceOf(UnsupportedSchemeError);
    await client.close();
  });
});
