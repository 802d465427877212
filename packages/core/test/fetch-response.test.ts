import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../src/index.ts";
import { localServer } from "./local-server.ts";

type Server = Awaited<ReturnType<typeof localServer>>;
let server: Server;

beforeAll(async () => {
  server = await localServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/headers") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(req.headers));
      return;
    }
    if (url.pathname === "/moved") {
      res.writeHead(301, { location: "/final" });
      res.end();
      return;
    }
    const status = Number(url.searchParams.get("status") ?? 200);
    res.writeHead(status, "Custom Reason", { "x-one": "1", "set-cookie": ["a=1", "b=2"] });
    res.end(status === 204 || status === 304 ? undefined : `status ${status}`);
  });
});
afterAll(() => server.close());

// What a program can observe of a response, body included.
async function observe(res: Response) {
  return {
    type: res.type,
    status: res.status,
    statusText: res.statusText,
    ok: res.ok,
    url: res.url,
    redirected: res.redirected,
    hasBody: res.body !== null,
    headers: [...res.headers].filter(([name]) => name !== "date" && name !== "keep-alive"),
    setCookie: res.headers.getSetCookie(),
    isResponse: res instanceof Response,
    tag: Object.prototype.toString.call(res),
    text: await res.text(),
    bodyUsed: res.bodyUsed,
  };
}

describe("client.fetch responses are what fetch gives", () => {
  it.each([200, 201, 204, 304, 404, 500])(
    "status %i: everything observable matches global fetch",
    async (status) => {
      const client = createClient();
      const url = `${server.url}/?status=${status}`;
      expect(await observe(await client.fetch(url))).toEqual(await observe(await globalThis.fetch(url)));
      await client.close();
    },
  );

  it("type is 'basic'; url and redirected survive clone(), and both copies read", async () => {
    const client = createClient();
    for (const fetch of [globalThis.fetch, client.fetch]) {
      const res = await fetch(`${server.url}/moved`);
      const copy = res.clone();
      expect(res.type).toBe("basic");
      expect(copy.type).toBe("basic");
      expect(copy.url).toBe(`${server.url}/final`);
      expect(copy.redirected).toBe(true);
      expect(copy).toBeInstanceOf(Response);
      expect(await copy.text()).toBe("status 200");
      expect(await res.text()).toBe("status 200");
      expect(copy.headers.get("x-one")).toBe("1");
    }
    await client.close();
  });

  it("headers are immutable, as fetch's: set, append and delete throw a TypeError", async () => {
    const client = createClient();
    for (const fetch of [globalThis.fetch, client.fetch]) {
      const res = await fetch(`${server.url}/`);
      expect(() => res.headers.set("x-one", "2")).toThrow(TypeError);
      expect(() => res.headers.append("x-two", "2")).toThrow(TypeError);
      expect(() => res.headers.delete("x-one")).toThrow(TypeError);
      expect(res.headers.get("x-one")).toBe("1");
      expect(res.headers).toBe(res.headers);
      await res.text();
    }
    await client.close();
  });

  it("sends fetch's default request headers, and the caller's in their place when set", async () => {
    const client = createClient();
    const sent = async (fetch: typeof globalThis.fetch, init?: RequestInit) => {
      const all = (await (await fetch(`${server.url}/headers`, init)).json()) as Record<string, string>;
      const { host: _host, connection: _connection, ...rest } = all;
      return rest;
    };
    expect(await sent(client.fetch)).toEqual(await sent(globalThis.fetch));
    expect(await sent(client.fetch)).toMatchObject({
      accept: "*/*",
      "accept-language": "*",
      "sec-fetch-mode": "cors",
      "user-agent": "node",
    });
    const own = { headers: { accept: "application/json", "user-agent": "mine/1", "x-extra": "1" } };
    expect(await sent(client.fetch, own)).toEqual(await sent(globalThis.fetch, own));
    await client.close();
  });

  it("adds the headers fetch's cache modes and conditional requests imply, as fetch does", async () => {
    const client = createClient();
    const sent = async (fetch: typeof globalThis.fetch, init?: RequestInit) => {
      const all = (await (await fetch(`${server.url}/headers`, init)).json()) as Record<string, string>;
      return { pragma: all.pragma, cacheControl: all["cache-control"] };
    };
    for (const init of [
      { cache: "no-store" },
      { cache: "reload" },
      { cache: "no-cache" },
      { cache: "force-cache" },
      { headers: { "if-none-match": '"v1"' } },
      { headers: { "if-modified-since": "Thu, 01 Jan 2026 00:00:00 GMT", "cache-control": "max-age=5" } },
      { cache: "no-store", headers: { pragma: "x" } },
    ] as RequestInit[]) {
      expect(await sent(client.fetch, init), JSON.stringify(init)).toEqual(
        await sent(globalThis.fetch, init),
      );
    }
    await expect(client.fetch(`${server.url}/`, { cache: "only-if-cached" })).rejects.toThrow(
      "'only-if-cached' can be set only with 'same-origin' mode",
    );
    await client.close();
  });

  it("reading twice fails as fetch's does, and bodyUsed tells", async () => {
    const client = createClient();
    for (const fetch of [globalThis.fetch, client.fetch]) {
      const res = await fetch(`${server.url}/`);
      expect(res.bodyUsed).toBe(false);
      await res.arrayBuffer();
      expect(res.bodyUsed).toBe(true);
      await expect(res.text()).rejects.toThrow(TypeError);
    }
    await client.close();
  });
});
