import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BodyNotReplayableError, createClient, REQUEST_BODY_BUFFER_LIMIT } from "../src/index.ts";
import { afterBody, localServer } from "./local-server.ts";

type Server = Awaited<ReturnType<typeof localServer>>;
let server: Server;

beforeAll(async () => {
  server = await localServer((req, res, seen) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/temporary" || url.pathname === "/permanent") {
      req.resume();
      afterBody(req, () => {
        res.writeHead(url.pathname === "/temporary" ? 307 : 308, { location: "/echo" });
        res.end();
      });
      return;
    }
    if (url.pathname === "/form") {
      // The server parses the multipart body with the WHATWG parser: an independent check.
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const form = await new Response(Buffer.concat(chunks), {
          headers: { "content-type": req.headers["content-type"] ?? "" },
        }).formData();
        const entries: [string, string][] = [];
        for (const [name, value] of form) {
          entries.push([
            name,
            typeof value === "string" ? value : `${value.name}:${value.type}:${await value.text()}`,
          ]);
        }
        res.end(
          JSON.stringify({ length: req.headers["content-length"] ?? null, bytes: seen.bytes, entries }),
        );
      });
      return;
    }
    afterBody(req, () =>
      res.end(
        JSON.stringify({
          method: req.method,
          length: req.headers["content-length"] ?? null,
          chunked: req.headers["transfer-encoding"] ?? null,
          type: req.headers["content-type"] ?? null,
          bytes: seen.bytes,
          sha256: seen.sha256,
        }),
      ),
    );
  });
});
afterAll(() => server.close());

const echo = async (res: Response) => (await res.json()) as Record<string, unknown>;

describe("client.fetch with a Request (as ky and smithy pass one)", () => {
  it("sends its body with Content-Length, as fetch does", async () => {
    const client = createClient();
    const make = () => new Request(`${server.url}/echo`, { method: "PUT", body: "hello request" });
    const expected = await echo(await globalThis.fetch(make()));
    const actual = await echo(await client.fetch(make()));
    expect(actual).toEqual(expected);
    expect(actual).toMatchObject({ length: "13", chunked: null, type: "text/plain;charset=UTF-8" });
    await client.close();
  });

  it("re-sends its body on 307 and 308, as fetch does", async () => {
    const client = createClient();
    for (const path of ["temporary", "permanent"]) {
      const make = () => new Request(`${server.url}/${path}`, { method: "POST", body: "again" });
      const expected = await globalThis.fetch(make());
      const actual = await client.fetch(make());
      expect(actual.redirected).toBe(true);
      expect(await echo(actual)).toEqual(await echo(expected));
    }
    await client.close();
  });

  it("lets init override the Request's fields (method, body, headers)", async () => {
    const client = createClient();
    const request = new Request(`${server.url}/echo`, { method: "PUT", body: "from request" });
    const init = { method: "POST", body: "from init", headers: { "content-type": "text/x-init" } };
    const expected = await echo(await globalThis.fetch(request.clone(), init));
    expect(await echo(await client.fetch(request, init))).toEqual(expected);
    await client.close();
  });

  it("refuses a Request whose body was already read", async () => {
    const client = createClient();
    const request = new Request(`${server.url}/echo`, { method: "POST", body: "x" });
    await request.text();
    await expect(client.fetch(request)).rejects.toThrow(TypeError);
    await expect(globalThis.fetch(request)).rejects.toThrow(TypeError);
    await client.close();
  });

  it(`streams a body over ${REQUEST_BODY_BUFFER_LIMIT} bytes once: intact, and a 307 fails with BodyNotReplayableError as cause`, async () => {
    const client = createClient();
    const big = new Uint8Array(REQUEST_BODY_BUFFER_LIMIT * 2 + 123).fill(7);
    const sent = await echo(
      await client.fetch(new Request(`${server.url}/echo`, { method: "PUT", body: big })),
    );
    const reference = await echo(await globalThis.fetch(`${server.url}/echo`, { method: "PUT", body: big }));
    expect(sent).toMatchObject({ bytes: big.length, sha256: reference.sha256 });
    const error = (await client
      .fetch(new Request(`${server.url}/temporary`, { method: "POST", body: big }))
      .catch((e: unknown) => e)) as TypeError;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.cause).toBeInstanceOf(BodyNotReplayableError);
    await client.close();
  });
});

describe("FormData bodies", () => {
  it("go out with Content-Length and parse back to the same entries, as fetch's", async () => {
    const client = createClient();
    const make = () => {
      const form = new FormData();
      form.append("name", "value\nwith\rnewlines");
      form.append('quote"d', "x");
      form.append("file", new File(["file body"], 'a"b.txt', { type: "text/plain" }));
      form.append("blob", new Blob([new Uint8Array([1, 2, 3])]));
      return form;
    };
    const expected = (await echo(
      await globalThis.fetch(`${server.url}/form`, { method: "POST", body: make() }),
    )) as {
      entries: unknown;
    };
    const actual = await echo(await client.fetch(`${server.url}/form`, { method: "POST", body: make() }));
    expect(actual.entries).toEqual(expected.entries);
    expect(actual.length).toBe(String(actual.bytes));
    // client.request sends FormData the same way.
    const direct = await (
      await client.request(`${server.url}/form`, { method: "POST", body: make() })
    ).json();
    expect(direct).toMatchObject({
      entries: expected.entries,
      length: String((direct as { bytes: number }).bytes),
    });
    await client.close();
  });

  it("can be re-sent on a 307 (replayable)", async () => {
    const client = createClient();
    const form = new FormData();
    form.append("a", "1");
    const res = await client.fetch(`${server.url}/temporary`, { method: "POST", body: form });
    expect(res.redirected).toBe(true);
    expect(await echo(res)).toMatchObject({ method: "POST", chunked: null });
    await client.close();
  });
});
