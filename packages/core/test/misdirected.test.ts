// 421 Misdirected Request: sent once more on a new connection when the body can be sent again, by
// client.fetch (as Node's fetch) and by client.request (the same transport).
import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../src/index.ts";
import { localServer } from "./local-server.ts";

type Server = Awaited<ReturnType<typeof localServer>>;
let server: Server;
// Per test id: how many requests arrived and on how many distinct connections.
const seen = new Map<string, { requests: number; sockets: Set<Socket>; bodies: string[] }>();

beforeAll(async () => {
  server = await localServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const id = url.searchParams.get("id") ?? "";
    const entry = seen.get(id) ?? { requests: 0, sockets: new Set<Socket>(), bodies: [] };
    seen.set(id, entry);
    entry.requests++;
    entry.sockets.add(req.socket);
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      entry.bodies.push(body);
      res.writeHead(Number(url.searchParams.get("status") ?? 421), { "content-type": "text/plain" });
      res.end(`sent ${entry.requests} times on ${entry.sockets.size} connections`);
    });
  });
});
afterAll(() => server.close());

let n = 0;
const next = (status = 421) => {
  const id = `t${++n}`;
  return { id, url: `${server.url}/?id=${id}&status=${status}` };
};

describe("421 Misdirected Request", () => {
  it("Node's fetch and client.fetch both send a POST with a text body twice, on two connections", async () => {
    const client = createClient();
    for (const fetch of [globalThis.fetch, client.fetch]) {
      // A connection already open to the origin must not be the one the second attempt takes.
      await (await fetch(next(200).url)).text();
      const { id, url } = next();
      const res = await fetch(url, { method: "POST", body: "foobar" });
      expect(res.status).toBe(421);
      expect(await res.text()).toBe("sent 2 times on 2 connections");
      expect(seen.get(id)?.bodies).toEqual(["foobar", "foobar"]);
    }
    await client.close();
  });

  it("client.request does the same, and gives back the second 421 (never a third attempt)", async () => {
    const client = createClient();
    const { id, url } = next();
    const res = await client.request(url, { method: "PUT", body: Buffer.from("bytes") });
    expect(res.status).toBe(421);
    expect(await res.text()).toBe("sent 2 times on 2 connections");
    expect(seen.get(id)?.requests).toBe(2);
    await client.close();
  });

  it("a body that cannot be sent again (a stream) is not retried: the 421 is the answer", async () => {
    const client = createClient();
    const { id, url } = next();
    const res = await client.fetch(url, {
      method: "POST",
      body: new Blob(["once"]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(421);
    expect(await res.text()).toBe("sent 1 times on 1 connections");
    expect(seen.get(id)?.requests).toBe(1);
    await client.close();
  });

  it("other statuses are not retried", async () => {
    const client = createClient();
    const { id, url } = next(503);
    const res = await client.fetch(url);
    expect(res.status).toBe(503);
    await res.text();
    expect(seen.get(id)?.requests).toBe(1);
    await client.close();
  });
});
