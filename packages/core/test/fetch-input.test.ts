import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../src/index.ts";
import { localServer } from "./local-server.ts";

type Server = Awaited<ReturnType<typeof localServer>>;
let server: Server;

beforeAll(async () => {
  server = await localServer((req, res) => {
    req.resume();
    req.on("end", () => res.end(JSON.stringify({ method: req.method, url: req.url })));
  });
});
afterAll(() => server.close());

async function outcome(fetch: typeof globalThis.fetch, input: string, init?: RequestInit) {
  try {
    const res = await fetch(input, init);
    return { status: res.status, body: await res.text() };
  } catch (e) {
    return { name: (e as Error).name, type: (e as Error).constructor.name, message: (e as Error).message };
  }
}

describe("client.fetch checks its input as fetch does", () => {
  const origin = () => server.url;
  const cases: [string, () => string, RequestInit | undefined][] = [
    ["GET with a body", () => `${origin()}/`, { method: "GET", body: "x" }],
    ["HEAD with a body", () => `${origin()}/`, { method: "HEAD", body: "x" }],
    [
      "a stream body without duplex",
      () => `${origin()}/`,
      { method: "POST", body: new Blob(["x"]).stream() },
    ],
    ["credentials in the URL", () => origin().replace("http://", "http://user:secret@"), undefined],
    ["a relative URL", () => "/relative", undefined],
    ["not a URL", () => "http://exa mple.com/", undefined],
    ["a method that is not a token", () => `${origin()}/`, { method: "BAD METHOD" }],
    ["CONNECT", () => `${origin()}/`, { method: "CONNECT" }],
    ["trace (any case)", () => `${origin()}/`, { method: "trace" }],
    ["TRACK", () => `${origin()}/`, { method: "TRACK" }],
    ["an invalid redirect mode", () => `${origin()}/`, { redirect: "sideways" as RequestRedirect }],
    ["an invalid header name", () => `${origin()}/`, { headers: { "bad name": "x" } }],
    ["a window that is not null", () => `${origin()}/`, { window: "x" } as unknown as RequestInit],
    ["mode navigate", () => `${origin()}/`, { mode: "navigate" }],
    ["a bad mode", () => `${origin()}/`, { mode: "BAD" as RequestMode }],
    ["bad credentials", () => `${origin()}/`, { credentials: "BAD" as RequestCredentials }],
    ["a bad referrerPolicy", () => `${origin()}/`, { referrerPolicy: "BAD" as ReferrerPolicy }],
    ["an invalid referrer", () => `${origin()}/`, { referrer: "http://:not a valid URL" }],
    ["no-cors with PUT", () => `${origin()}/`, { mode: "no-cors", method: "PUT" }],
  ];

  it.each(cases)(
    "%s: rejected with the same TypeError as global fetch, nothing sent",
    async (_name, url, init) => {
      const client = createClient();
      const before = server.seen.length;
      const expected = await outcome(globalThis.fetch, url(), init);
      const actual = await outcome(client.fetch, url(), init);
      expect(expected).toMatchObject({ name: "TypeError" });
      expect(actual).toMatchObject({ name: "TypeError", type: "TypeError" });
      // Same message too, except where Node's wording comes from its WebIDL layer or URL parser.
      if (!/header|not a URL|redirect|window|mode|credentials|referrer|no-cors/.test(_name)) {
        expect(actual).toEqual(expected);
      }
      expect(server.seen.length).toBe(before);
      await client.close();
    },
  );

  it("declares one parameter, as WebIDL's fetch(input, init = {}) does", () => {
    const client = createClient();
    expect(client.fetch.length).toBe(globalThis.fetch.length);
    expect(client.fetch.length).toBe(1);
  });

  it("normalises methods as fetch does (common ones upper-cased, others kept)", async () => {
    const client = createClient();
    for (const method of ["get", "post", "Delete", "options", "put"]) {
      const init = method === "get" ? { method } : { method, body: "x" };
      const expected = await outcome(globalThis.fetch, `${server.url}/`, init);
      expect(await outcome(client.fetch, `${server.url}/`, init), method).toEqual(expected);
    }
    await client.close();
  });

  it("accepts a stream body with duplex: 'half' and other values as their string, as fetch", async () => {
    const client = createClient();
    for (const fetch of [globalThis.fetch, client.fetch]) {
      const res = await fetch(`${server.url}/`, {
        method: "POST",
        body: new Blob(["streamed"]).stream(),
        duplex: "half",
      } as RequestInit);
      expect(res.status).toBe(200);
    }
    await client.close();
  });

  it("shows response.url without credentials and without the fragment", async () => {
    const client = createClient();
    const url = `${server.url}/path?q=1#fragment`;
    const expected = await globalThis.fetch(url);
    const actual = await client.fetch(url);
    expect(actual.url).toBe(expected.url);
    expect(actual.url).toBe(`${server.url}/path?q=1`);
    await Promise.all([expected.text(), actual.text()]);
    await client.close();
  });

  it("answers data: URLs as Node's fetch does (they never reach the network)", async () => {
    const client = createClient();
    const res = await client.fetch("data:text/plain,hello");
    expect(await res.text()).toBe("hello");
    expect(res.headers.get("content-type")).toBe("text/plain");
    await client.close();
  });
});
