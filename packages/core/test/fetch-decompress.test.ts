import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Middleware } from "../src/index.ts";
import { createClient, DecompressionLimitError, HttpResponse, ResponseError } from "../src/index.ts";
import { localServer } from "./local-server.ts";

type Server = Awaited<ReturnType<typeof localServer>>;
let server: Server;

const TEXT = "Switchyard decodes what fetch decodes. ".repeat(200);
const ENCODED: Record<string, [string, Buffer]> = {
  gzip: ["gzip", zlib.gzipSync(TEXT)],
  "x-gzip": ["x-gzip", zlib.gzipSync(TEXT)],
  deflate: ["deflate", zlib.deflateSync(TEXT)],
  "deflate-raw": ["deflate", zlib.deflateRawSync(TEXT)],
  br: ["br", zlib.brotliCompressSync(TEXT)],
  zstd: ["zstd", zlib.zstdCompressSync(TEXT)],
  "gzip-br": ["gzip, br", zlib.brotliCompressSync(zlib.gzipSync(TEXT))],
  "upper-case": ["GZIP", zlib.gzipSync(TEXT)],
  unknown: ["gzip, foo", Buffer.from(TEXT)],
  identity: ["identity", Buffer.from(TEXT)],
  corrupt: ["gzip", Buffer.from("this is not gzip")],
  "too-many": ["gzip, gzip, gzip, gzip, gzip, gzip", Buffer.from(TEXT)],
};
// 16 MiB of zeros: about 16 KiB on the wire.
const BOMB = zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024));

beforeAll(async () => {
  server = await localServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const name = url.pathname.slice(1);
    if (name === "headers") {
      res.end(JSON.stringify(req.headers));
      return;
    }
    if (name === "bomb") {
      res.writeHead(200, { "content-encoding": "gzip", "content-length": BOMB.length });
      res.end(BOMB);
      return;
    }
    if (name === "not-modified" || name === "no-content") {
      res.writeHead(name === "no-content" ? 204 : 304, { "content-encoding": "gzip" });
      res.end();
      return;
    }
    if (name === "redirect") {
      const body = zlib.gzipSync("moved");
      res.writeHead(302, { location: "/gzip", "content-encoding": "gzip", "content-length": body.length });
      res.end(body);
      return;
    }
    const entry = ENCODED[name];
    if (!entry) {
      res.end(TEXT);
      return;
    }
    res.writeHead(200, { "content-encoding": entry[0], "content-length": entry[1].length });
    res.end(req.method === "HEAD" ? undefined : entry[1]);
  });
});
afterAll(() => server.close());

async function outcome(fetch: typeof globalThis.fetch, url: string, init?: RequestInit) {
  try {
    const res = await fetch(url, init);
    const text = await res.text().catch((e: Error) => `read failed: ${e.name}: ${e.message}`);
    return {
      status: res.status,
      text,
      encoding: res.headers.get("content-encoding"),
      length: res.headers.get("content-length"),
    };
  } catch (e) {
    return { rejected: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

describe("client.fetch decodes as Node's fetch does", () => {
  const cases = Object.keys(ENCODED);
  // Node 22's fetch (undici 6) neither decodes zstd nor refuses six codings before the body:
  // client.fetch does what undici 7+ (Node 24+) does, on every Node.
  const undiciMajor = Number(process.versions.undici?.split(".")[0] ?? 0);
  it.each(cases)("%s: the same outcome as global fetch", async (name) => {
    const client = createClient();
    const expected = await outcome(globalThis.fetch, `${server.url}/${name}`);
    const actual = await outcome(client.fetch, `${server.url}/${name}`);
    if (undiciMajor < 7 && name === "zstd") expect(actual).toMatchObject({ status: 200, text: TEXT });
    else if (undiciMajor < 7 && name === "too-many")
      expect(actual).toEqual({ rejected: "TypeError: fetch failed" });
    else expect(actual).toEqual(expected);
    await client.close();
  });

  it("decodes the listed codings to the original text", async () => {
    const client = createClient();
    for (const name of ["gzip", "x-gzip", "deflate", "deflate-raw", "br", "zstd", "gzip-br", "upper-case"]) {
      expect(await (await client.fetch(`${server.url}/${name}`)).text(), name).toBe(TEXT);
    }
    await client.close();
  });

  it("fails a corrupt body's read with TypeError('terminated') whose cause is a ResponseError", async () => {
    const client = createClient();
    const res = await client.fetch(`${server.url}/corrupt`);
    const error = (await res.text().catch((e: unknown) => e)) as TypeError;
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe("terminated");
    expect(error.cause).toBeInstanceOf(ResponseError);
    await client.close();
  });

  it("leaves HEAD, 204, 304 alone and decodes a manual redirect's body, as fetch", async () => {
    const client = createClient();
    for (const [path, init] of [
      ["gzip", { method: "HEAD" }],
      ["no-content", {}],
      ["not-modified", {}],
      ["redirect", { redirect: "manual" }],
      ["redirect", {}],
    ] as const) {
      const expected = await outcome(globalThis.fetch, `${server.url}/${path}`, init);
      expect(
        await outcome(client.fetch, `${server.url}/${path}`, init),
        `${path} ${JSON.stringify(init)}`,
      ).toEqual(expected);
    }
    await client.close();
  });

  it("sends the Accept-Encoding fetch sends, unless the caller sets one; Range asks for identity", async () => {
    const client = createClient();
    const sent = async (fetch: typeof globalThis.fetch, init?: RequestInit) =>
      ((await (await fetch(`${server.url}/headers`, init)).json()) as Record<string, string>)[
        "accept-encoding"
      ];
    expect(await sent(client.fetch)).toBe(await sent(globalThis.fetch));
    expect(await sent(client.fetch)).toBe("gzip, deflate");
    expect(await sent(client.fetch, { headers: { "accept-encoding": "br" } })).toBe("br");
    const range = { headers: { range: "bytes=0-10" } };
    expect(await sent(client.fetch, range)).toBe(await sent(globalThis.fetch, range));
    await client.close();
  });
});

describe("client.request: opt-in decompression", () => {
  it("leaves bodies as sent by default", async () => {
    const client = createClient();
    const res = await client.request(`${server.url}/gzip`);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(Buffer.from(await res.bytes()).equals(ENCODED.gzip![1])).toBe(true);
    await client.close();
  });

  it("decodes with the client option, dropping Content-Encoding and Content-Length", async () => {
    const client = createClient({ decompress: true });
    for (const name of ["gzip", "deflate", "deflate-raw", "br", "zstd", "gzip-br"]) {
      const res = await client.request(`${server.url}/${name}`);
      expect(res.headers.get("content-encoding"), name).toBeUndefined();
      expect(res.headers.get("content-length"), name).toBeUndefined();
      expect(await res.text(), name).toBe(TEXT);
    }
    // A coding it does not know: left as sent, headers kept.
    const unknown = await client.request(`${server.url}/unknown`);
    expect(unknown.headers.get("content-encoding")).toBe("gzip, foo");
    expect(await unknown.text()).toBe(TEXT);
    await client.close();
  });

  it("takes a per-call option over the client's", async () => {
    const off = createClient();
    expect(await (await off.request(`${server.url}/br`, { decompress: true })).text()).toBe(TEXT);
    await off.close();
    const on = createClient({ decompress: true });
    const raw = await on.request(`${server.url}/br`, { decompress: false });
    expect(Buffer.from(await raw.bytes()).equals(ENCODED.br![1])).toBe(true);
    await on.close();
  });

  it("decodes after the chain: a middleware sees the bytes on the wire", async () => {
    const wire: number[] = [];
    const counting: Middleware = {
      name: "count-wire-bytes",
      stage: "send",
      async handle(request, next) {
        const res = await next(request);
        let bytes = 0;
        const body = res.body;
        body.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
        });
        body.on("end", () => wire.push(bytes));
        return res;
      },
    };
    const client = createClient({ middleware: [counting], decompress: true });
    expect(await (await client.request(`${server.url}/gzip`)).text()).toBe(TEXT);
    expect(wire).toEqual([ENCODED.gzip![1].length]);
    await client.close();
  });

  it("bounds a decompression bomb by ratio (default) and by maxBytes, with a typed error", async () => {
    const client = createClient({ decompress: true });
    const byRatio = await (await client.request(`${server.url}/bomb`)).bytes().catch((e: unknown) => e);
    expect(byRatio).toBeInstanceOf(DecompressionLimitError);
    expect(byRatio).toMatchObject({ code: "SWITCHYARD_ERR_DECOMPRESSION_LIMIT", limit: "ratio" });
    const byBytes = await (
      await client.request(`${server.url}/bomb`, { decompress: { maxBytes: 1000, maxRatio: Infinity } })
    )
      .text()
      .catch((e: unknown) => e);
    expect(byBytes).toMatchObject({ code: "SWITCHYARD_ERR_DECOMPRESSION_LIMIT", limit: "bytes" });
    expect((byBytes as Error).message).toContain(`GET ${server.url}/bomb`);
    const unbounded = await client.request(`${server.url}/bomb`, { decompress: { maxRatio: Infinity } });
    expect((await unbounded.bytes()).byteLength).toBe(16 * 1024 * 1024);
    await client.close();
  });

  it("refuses bad decompress options synchronously (client) and as a rejection (per call)", async () => {
    expect(() => createClient({ decompress: { maxBytes: -1 } })).toThrow(/decompress.maxBytes/);
    expect(() => createClient({ decompress: { maxRatio: 0.5 } })).toThrow(/decompress.maxRatio/);
    expect(() => createClient({ decompress: "yes" as never })).toThrow(/decompress must be/);
    const client = createClient();
    await expect(client.request(`${server.url}/gzip`, { decompress: { maxBytes: 0 } })).rejects.toMatchObject(
      {
        code: "SWITCHYARD_ERR_INVALID_OPTIONS",
      },
    );
    await client.close();
  });

  it("is an HttpResponse still (discard works on a decoded body)", async () => {
    const client = createClient({ decompress: true });
    const res = await client.request(`${server.url}/gzip`);
    expect(res).toBeInstanceOf(HttpResponse);
    await res.discard();
    await client.close();
  });
});
