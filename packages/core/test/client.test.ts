import { createHash } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AbortError,
  BodyNotReplayableError,
  ClientClosedError,
  ConnectError,
  Context,
  contextKey,
  createClient,
  InvalidOptionsError,
  type Middleware,
  RedirectError,
  replayable,
  SocketError,
  TimeoutError,
  UnsupportedSchemeError,
} from "../src/index.ts";
import { afterBody, localServer } from "./local-server.ts";

type Server = Awaited<ReturnType<typeof localServer>>;

let server: Server;
let other: Server;

beforeAll(async () => {
  server = await localServer((req, res, seen) => {
    const url = new URL(req.url ?? "/", "http://x");
    switch (url.pathname) {
      case "/json":
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ hello: "world" }));
        return;
      case "/echo":
        afterBody(req, () =>
          res.end(
            JSON.stringify({
              method: req.method,
              bytes: seen.bytes,
              sha256: seen.sha256,
              type: req.headers["content-type"] ?? null,
            }),
          ),
        );
        return;
      case "/redirect": {
        const status = Number(url.searchParams.get("status") ?? 302);
        afterBody(req, () => {
          res.writeHead(status, { location: url.searchParams.get("to") ?? "/echo" });
          res.end();
        });
        return;
      }
      case "/to-creds":
        res.writeHead(302, { location: `${other.url.replace("://", "://user:planted@")}/` });
        res.end();
        return;
      case "/big":
        res.end("x".repeat(10_000));
        return;
      case "/loop":
        res.writeHead(302, { location: "/loop" });
        res.end();
        return;
      case "/never":
        return; // no answer: headers timeout
      case "/stall":
        res.writeHead(200, { "content-length": "100" });
        res.write("partial");
        return; // body stalls
      case "/reset":
        req.socket.destroy();
        return;
      default:
        res.end("ok");
    }
  });
  other = await localServer((req, res) => {
    if (req.url === "/hop") {
      res.writeHead(302, { location: "/" });
      res.end();
      return;
    }
    res.end(
      JSON.stringify({
        authorization: req.headers.authorization ?? null,
        cookie: req.headers.cookie ?? null,
      }),
    );
  });
});

afterAll(async () => {
  await server.close();
  await other.close();
});

describe("createClient", () => {
  it("sends a request through the chain and reads the body", async () => {
    const client = createClient();
    const res = await client.request(`${server.url}/json`);
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ hello: "world" });
    await client.close();
  });

  it("shares one context per call, readable from the response", async () => {
    const seenKey = contextKey<string[]>("test:seen");
    const tag: Middleware = {
      name: "tag",
      stage: "send",
      handle: (req, next, context) => {
        context.set(seenKey, [...(context.get(seenKey) ?? []), req.url]);
        return next(req);
      },
    };
    const client = createClient({ middleware: [tag] });
    const context = new Context();
    const res = await client.request(`${server.url}/`, { context });
    expect(res.context).toBe(context);
    expect(context.get(seenKey)).toEqual([`${server.url}/`]);
    await res.discard();
    await client.close();
  });

  it("throws InvalidOptionsError synchronously for bad options", () => {
    expect(() => createClient({ connections: 0 })).toThrow(InvalidOptionsError);
    expect(() => createClient({ timeout: -1 })).toThrow(/timeout must be/);
    expect(() => createClient({ proxy: "ftp://127.0.0.1:1" })).toThrow(/proxy URL must be http/);
  });
});

describe("request bodies", () => {
  const payload = "hello body";
  const sha = createHash("sha256").update(payload).digest("hex");
  const form = new FormData();
  form.set("field", "value");
  it.each([
    ["string", () => payload],
    ["bytes", () => new TextEncoder().encode(payload)],
    ["Blob", () => new Blob([payload], { type: "text/x-test" })],
    ["Node Readable", () => Readable.from([Buffer.from(payload)])],
    ["web ReadableStream", () => new Response(payload).body!],
    [
      "async iterable",
      () =>
        (async function* () {
          yield new TextEncoder().encode(payload);
        })(),
    ],
    ["factory", () => () => Readable.from([Buffer.from(payload)])],
    [
      "replayable()",
      () => replayable(() => Readable.from([Buffer.from(payload)]), { length: payload.length }),
    ],
  ])("streams a %s body", async (_kind, makeBody) => {
    const client = createClient();
    const res = await client.request(`${server.url}/echo`, { method: "PUT", body: makeBody() as never });
    const echoed = (await res.json()) as { bytes: number; sha256: string };
    expect(echoed).toMatchObject({ bytes: payload.length, sha256: sha });
    await client.close();
  });

  it("encodes FormData as multipart with its boundary", async () => {
    const client = createClient();
    const res = await client.request(`${server.url}/echo`, { method: "POST", body: form });
    const echoed = (await res.json()) as { type: string; bytes: number };
    expect(echoed.type).toMatch(/^multipart\/form-data; boundary=/);
    expect(echoed.bytes).toBeGreaterThan(0);
    await client.close();
  });
});

describe("smallText", () => {
  it("reads a small body and gives up a large one without throwing", async () => {
    const client = createClient();
    expect(await (await client.request(`${server.url}/json`)).smallText(1024)).toBe('{"hello":"world"}');
    expect(await (await client.request(`${server.url}/big`)).smallText(1024)).toBeUndefined();
    await client.close();
  });
});

describe("errors", () => {
  it("names the plugin to add for an unhandled scheme", async () => {
    const client = createClient();
    const error = await client.request("oci://ghcr.io/org/pkg:1.0").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedSchemeError);
    expect((error as Error).message).toBe(
      "GET oci://ghcr.io/org/pkg:1.0: no middleware handled oci: URLs; add @switchyard/oci to the client's middleware",
    );
    await expect(client.request("s3://bucket/key")).rejects.toThrow(/add @switchyard\/s3/);
    await expect(client.request("gs://bucket/key")).rejects.toThrow(/add @switchyard\/gcs/);
    await expect(client.request("ftp://127.0.0.1/x")).rejects.toThrow(/only http: and https:/);
    await client.close();
  });

  it("tells a refused connection apart", async () => {
    const client = createClient();
    const error = await client.request("http://127.0.0.1:1/").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ code: "SWITCHYARD_ERR_CONNECT", transient: true });
    await client.close();
  });

  it("tells a reset apart", async () => {
    const client = createClient();
    const error = await client.request(`${server.url}/reset`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SocketError);
    expect((error as SocketError).transient).toBe(true);
    await client.close();
  });

  it("fires the headers timeout", async () => {
    const client = createClient({ headersTimeout: 100 });
    const error = await client.request(`${server.url}/never`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("headers");
    await client.destroy();
  });

  it("fires the body timeout while reading", async () => {
    const client = createClient({ bodyTimeout: 100 });
    const res = await client.request(`${server.url}/stall`);
    const error = await res.text().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("body");
    await client.destroy();
  });

  it("fires the whole-call timeout", async () => {
    const client = createClient();
    const error = await client.request(`${server.url}/never`, { timeout: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).phase).toBe("request");
    expect((error as TimeoutError).transient).toBe(false);
    await client.destroy();
  });

  it("tells a caller abort apart from a timeout", async () => {
    const client = createClient();
    const controller = new AbortController();
    const pending = client.request(`${server.url}/never`, { signal: controller.signal, timeout: 10_000 });
    setTimeout(() => controller.abort(), 20);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as Error).name).toBe("AbortError");
    await client.destroy();
  });

  it("aborts mid-body", async () => {
    const client = createClient();
    const controller = new AbortController();
    const res = await client.request(`${server.url}/stall`, { signal: controller.signal });
    const reading = res.text();
    controller.abort();
    await expect(reading).rejects.toBeInstanceOf(AbortError);
    await client.destroy();
  });

  it("rejects calls after close with ClientClosedError", async () => {
    const client = createClient();
    await client.close();
    await expect(client.request(`${server.url}/`)).rejects.toBeInstanceOf(ClientClosedError);
  });
});

describe("redirects", () => {
  it("follows a redirect through the chain again", async () => {
    let passes = 0;
    const count: Middleware = {
      name: "count",
      stage: "send",
      handle: (req, next) => {
        passes++;
        return next(req);
      },
    };
    const client = createClient({ middleware: [count] });
    const res = await client.request(`${server.url}/redirect?to=/json`);
    expect(await res.json()).toEqual({ hello: "world" });
    expect(res.redirected).toBe(true);
    expect(res.url).toBe(`${server.url}/json`);
    expect(passes).toBe(2);
    await client.close();
  });

  it("turns a POST into a GET on 303 and drops the body", async () => {
    const client = createClient();
    const res = await client.request(`${server.url}/redirect?status=303`, { method: "POST", body: "data" });
    expect(await res.json()).toMatchObject({ method: "GET", bytes: 0 });
    await client.close();
  });

  it("resends a replayable body on 307", async () => {
    const client = createClient();
    const res = await client.request(`${server.url}/redirect?status=307`, { method: "PUT", body: "data" });
    expect(await res.json()).toMatchObject({ method: "PUT", bytes: 4 });
    await client.close();
  });

  it("refuses to resend a one-shot stream on 308 and says why", async () => {
    const client = createClient();
    const error = await client
      .request(`${server.url}/redirect?status=308`, {
        method: "PUT",
        body: Readable.from([Buffer.from("data")]),
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BodyNotReplayableError);
    expect((error as Error).message).toMatch(
      /answered 308 .* must resend the body, but the request body is a one-shot stream/,
    );
    await client.close();
  });

  it("stops after the hop limit", async () => {
    const client = createClient({ maxRedirects: 3 });
    await expect(client.request(`${server.url}/loop`)).rejects.toThrow(/more than 3 redirects/);
    await client.close();
  });

  it("hands the redirect back in manual mode and fails in error mode", async () => {
    const client = createClient();
    const res = await client.request(`${server.url}/loop`, { redirect: "manual" });
    expect(res.status).toBe(302);
    await res.discard();
    await expect(client.request(`${server.url}/loop`, { redirect: "error" })).rejects.toBeInstanceOf(
      RedirectError,
    );
    await client.close();
  });

  it("refuses a cross-origin Location that carries credentials", async () => {
    const client = createClient();
    const error = await client.request(`${server.url}/to-creds`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    expect((error as Error).message).not.toContain("planted");
    await client.close();
  });

  it("drops Authorization and Cookie on a cross-origin hop", async () => {
    const client = createClient();
    const to = encodeURIComponent(`${other.url}/`);
    const res = await client.request(`${server.url}/redirect?to=${to}`, {
      headers: { authorization: "Bearer planted-secret", cookie: "session=planted" },
    });
    expect(await res.json()).toEqual({ authorization: null, cookie: null });
    await client.close();
  });
});

describe("redirects after a route-stage rewrite", () => {
  it("keeps the caller's credentials off a mirror that redirects within itself", async () => {
    // A mirror-like middleware sends the call to another origin (dropping credentials, as
    // @switchyard/mirror does); the mirror then redirects within its own origin.
    const rewrite: Middleware = {
      name: "rewrite",
      stage: "route",
      handle: (req, next) =>
        req.url.startsWith(server.url)
          ? next(
              req.with({ url: `${other.url}/hop`, headers: { authorization: undefined, cookie: undefined } }),
            )
          : next(req),
    };
    const client = createClient({ middleware: [rewrite] });
    const res = await client.request(`${server.url}/file`, {
      headers: { authorization: "Bearer planted-origin-secret", cookie: "s=planted" },
    });
    expect(await res.json()).toEqual({ authorization: null, cookie: null });
    await client.close();
  });
});

describe("diagnostics", () => {
  it("publishes request, response, redirect and error events without secrets", async () => {
    const events: { name: string; payload: unknown }[] = [];
    const names = ["request", "response", "redirect", "error"].map((e) => `switchyard:core:${e}`);
    const listeners = names.map((name) => {
      const fn = (payload: unknown) => events.push({ name, payload });
      subscribe(name, fn);
      return [name, fn] as const;
    });
    const client = createClient();
    try {
      const res = await client.request(
        `http://user:planted-pw@127.0.0.1:${server.port}/redirect?token=planted-token`,
        {
          headers: { authorization: "Bearer planted-bearer" },
        },
      );
      await res.discard();
      await client.request("http://user:planted-pw@127.0.0.1:1/?token=planted-token").catch(() => undefined);
    } finally {
      for (const [name, fn] of listeners) unsubscribe(name, fn);
      await client.close();
    }
    expect(events.map((e) => e.name)).toEqual(expect.arrayContaining(names));
    const text = JSON.stringify(events, (_k, v) =>
      v instanceof Error ? { message: v.message, stack: v.stack } : v instanceof Context ? undefined : v,
    );
    expect(text).not.toMatch(/planted/);
  });
});

describe("reload", () => {
  it("swaps chain and pool under load: nothing fails, later calls use the new chain", async () => {
    const tagged = (tag: string): Middleware => ({
      name: `tag-${tag}`,
      stage: "send",
      handle: (req, next) => next(req.with({ headers: { "x-generation": tag } })),
    });
    const client = createClient({ middleware: [tagged("one")], connections: 4 });
    const before = server.seen.length;
    let reloaded: Promise<void> | undefined;
    const calls = Array.from({ length: 200 }, async (_, i) => {
      if (i === 100) reloaded = client.reload({ middleware: [tagged("two")], connections: 4 });
      const res = await client.request(`${server.url}/json`);
      return (await res.json()) as unknown;
    });
    const results = await Promise.all(calls);
    expect(results).toHaveLength(200);
    await reloaded;
    const generations = server.seen.slice(before).map((s) => s.headers["x-generation"]);
    expect(generations.filter((g) => g === "one").length).toBe(100);
    expect(generations.filter((g) => g === "two").length).toBe(100);
    const after = await client.request(`${server.url}/json`);
    await after.discard();
    expect(server.seen.at(-1)?.headers["x-generation"]).toBe("two");
    await client.close();
  });

  it("keeps the old chain when the new options are invalid", async () => {
    const client = createClient();
    expect(() => client.reload({ connections: -1 })).toThrow(InvalidOptionsError);
    const res = await client.request(`${server.url}/`);
    expect(await res.text()).toBe("ok");
    await client.close();
  });
});
