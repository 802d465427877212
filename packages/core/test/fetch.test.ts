import { Octokit } from "@octokit/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../src/index.ts";
import { afterBody, localServer } from "./local-server.ts";

type Server = Awaited<ReturnType<typeof localServer>>;
let server: Server;

beforeAll(async () => {
  server = await localServer((req, res, seen) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/repos/acme/rocket") {
      res.setHeader("content-type", "application/json; charset=utf-8");
      res.end(JSON.stringify({ full_name: "acme/rocket", auth: req.headers.authorization ?? null }));
      return;
    }
    if (url.pathname === "/echo") {
      afterBody(req, () => {
        res.setHeader("set-cookie", ["a=1", "b=2"]);
        res.end(
          JSON.stringify({
            method: req.method,
            bytes: seen.bytes,
            type: req.headers["content-type"] ?? null,
          }),
        );
      });
      return;
    }
    if (url.pathname === "/empty") {
      res.writeHead(204);
      res.end();
      return;
    }
    if (url.pathname === "/moved") {
      res.writeHead(301, { location: "/echo" });
      res.end();
      return;
    }
    if (url.pathname === "/never") return;
    res.end("ok");
  });
});
afterAll(() => server.close());

describe("client.fetch", () => {
  it("is the fetch of a real SDK (@octokit/core)", async () => {
    const client = createClient();
    const octokit = new Octokit({
      baseUrl: server.url,
      auth: "planted-token",
      request: { fetch: client.fetch },
    });
    const { data, status } = await octokit.request("GET /repos/{owner}/{repo}", {
      owner: "acme",
      repo: "rocket",
    });
    expect(status).toBe(200);
    expect(data).toEqual({ full_name: "acme/rocket", auth: "token planted-token" });
    await client.close();
  });

  it("returns a WHATWG Response with url, redirected and repeated headers", async () => {
    const client = createClient();
    const res = await client.fetch(`${server.url}/moved`);
    expect(res).toBeInstanceOf(Response);
    expect(res.redirected).toBe(true);
    expect(res.url).toBe(`${server.url}/echo`);
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await res.json()).toMatchObject({ method: "GET" });
    await client.close();
  });

  it("accepts a Request, URLSearchParams and streaming bodies", async () => {
    const client = createClient();
    const fromRequest = await client.fetch(
      new Request(`${server.url}/echo`, { method: "POST", body: "abc" }),
    );
    expect(await fromRequest.json()).toMatchObject({ method: "POST", bytes: 3 });
    const form = await client.fetch(`${server.url}/echo`, {
      method: "POST",
      body: new URLSearchParams("a=1&b=2"),
    });
    expect(await form.json()).toMatchObject({
      type: "application/x-www-form-urlencoded;charset=UTF-8",
      bytes: 7,
    });
    const streamed = await client.fetch(`${server.url}/echo`, {
      method: "PUT",
      body: new Response("streamed!").body,
      duplex: "half",
    } as RequestInit);
    expect(await streamed.json()).toMatchObject({ bytes: 9 });
    await client.close();
  });

  it("gives a null body for 204", async () => {
    const client = createClient();
    const res = await client.fetch(`${server.url}/empty`);
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
    await client.close();
  });
});
