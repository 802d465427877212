import diagnosticsChannel from "node:diagnostics_channel";
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { HttpRequest, Middleware } from "@switchyard/core";
import { createClient, InvalidOptionsError, isSwitchyardError } from "@switchyard/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REQUEST_ID_ASSIGNED_CHANNEL, requestId, requestIdKey } from "./request-id.ts";
import { isRequestIdError } from "./request-id-error.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: Server;
let origin: string;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  // Echoes the headers it got; /redirect answers 302 to /echo.
  server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    if (req.url === "/redirect") {
      res.writeHead(302, { location: "/echo" }).end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(req.headers));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, "close");
});

async function call(
  middleware: Middleware[],
  init: Parameters<ReturnType<typeof createClient>["request"]>[1] = {},
  path = "/echo",
) {
  const client = createClient({ middleware, order: "as-given" });
  try {
    const response = await client.request(`${origin}${path}`, init);
    const headers = (await response.json()) as IncomingHttpHeaders;
    return { response, headers };
  } finally {
    await client.close();
  }
}

/** Captures events published on `channel` while `fn` runs. */
async function capture<T>(channel: string, fn: () => Promise<T>): Promise<{ result: T; events: unknown[] }> {
  const events: unknown[] = [];
  const listener = (message: unknown) => void events.push(message);
  diagnosticsChannel.subscribe(channel, listener);
  try {
    return { result: await fn(), events };
  } finally {
    diagnosticsChannel.unsubscribe(channel, listener);
  }
}

describe("requestId", () => {
  it("adds an X-Request-Id (a random UUID) to a request that has none and records it in the context", async () => {
    const { response, headers } = await call([requestId()]);
    expect(headers["x-request-id"]).toMatch(UUID);
    expect(response.context.get(requestIdKey)).toBe(headers["x-request-id"]);
  });

  it("gives each call its own id", async () => {
    const a = await call([requestId()]);
    const b = await call([requestId()]);
    expect(a.headers["x-request-id"]).not.toBe(b.headers["x-request-id"]);
  });

  it("keeps an id the caller set, whatever its case, passes the very same request on, and records it", async () => {
    let handed: HttpRequest | undefined;
    let given: HttpRequest | undefined;
    const outer: Middleware = {
      name: "capture-outer",
      stage: "policy",
      handle: (request, next) => {
        given = request;
        return next(request);
      },
    };
    const inner: Middleware = {
      name: "capture-inner",
      stage: "send",
      handle: (request, next) => {
        handed = request;
        return next(request);
      },
    };
    const { events, result } = await capture(REQUEST_ID_ASSIGNED_CHANNEL, () =>
      call([outer, requestId(), inner], { headers: { "X-Request-Id": "caller-chosen-1" } }),
    );
    expect(result.headers["x-request-id"]).toBe("caller-chosen-1");
    expect(result.response.context.get(requestIdKey)).toBe("caller-chosen-1");
    expect(handed).toBe(given);
    expect(events).toEqual([]);
  });

  it("uses the configured header name and generator", async () => {
    let n = 0;
    const { headers, response } = await call([
      requestId({ header: "X-Correlation-ID", generate: () => `req-${++n}` }),
    ]);
    expect(headers["x-correlation-id"]).toBe("req-1");
    expect(headers["x-request-id"]).toBeUndefined();
    expect(response.context.get(requestIdKey)).toBe("req-1");
  });

  it("sends the same id on every attempt of a call (an outer middleware calling next twice)", async () => {
    const attempts: string[] = [];
    const twice: Middleware = {
      name: "twice",
      stage: "policy",
      async handle(request, next) {
        const first = await next(request);
        attempts.push(((await first.json()) as IncomingHttpHeaders)["x-request-id"] as string);
        return next(request);
      },
    };
    const { headers } = await call([twice, requestId()]);
    attempts.push(headers["x-request-id"] as string);
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatch(UUID);
    expect(attempts[1]).toBe(attempts[0]);
  });

  it("sends the same id on every redirect hop", async () => {
    const before = seen.length;
    const { headers, response } = await call([requestId()], {}, "/redirect");
    const hops = seen.slice(before).map((h) => h["x-request-id"]);
    expect(response.redirected).toBe(true);
    expect(hops).toHaveLength(2);
    expect(hops[0]).toBe(headers["x-request-id"]);
    expect(hops[1]).toBe(hops[0]);
  });

  it("publishes switchyard:request-id:assigned once per call, with the URL redacted", async () => {
    const secret = "sy-secret-token-123";
    const { events, result } = await capture(REQUEST_ID_ASSIGNED_CHANNEL, async () => {
      const client = createClient({ middleware: [requestId()] });
      try {
        const url = `http://user:${secret}@${origin.slice(7)}/echo?token=${secret}`;
        const response = await client.request(url);
        return (await response.json()) as IncomingHttpHeaders;
      } finally {
        await client.close();
      }
    });
    expect(events).toHaveLength(1);
    const event = events[0] as Record<string, unknown>;
    expect(event).toMatchObject({ method: "GET", header: "x-request-id", id: result["x-request-id"] });
    expect(event.url).toBe(`http://***@${origin.slice(7)}/echo?token=***`);
    expect(JSON.stringify({ ...event, context: undefined })).not.toContain(secret);
  });

  it("works through client.fetch", async () => {
    const client = createClient({ middleware: [requestId({ generate: () => "via-fetch" })] });
    try {
      const response = await client.fetch(`${origin}/echo`);
      expect(((await response.json()) as IncomingHttpHeaders)["x-request-id"]).toBe("via-fetch");
    } finally {
      await client.close();
    }
  });

  it("rejects the call with RequestIdError when the generator throws (its error as the cause)", async () => {
    const boom = new Error("no entropy");
    const client = createClient({
      middleware: [
        requestId({
          generate: () => {
            throw boom;
          },
        }),
      ],
    });
    try {
      const error = await client
        .request(`http://u:pw-secret@${origin.slice(7)}/echo`)
        .catch((e: unknown) => e);
      expect(isRequestIdError(error)).toBe(true);
      expect(isSwitchyardError(error, "SWITCHYARD_ERR_REQUEST_ID")).toBe(true);
      expect((error as Error).cause).toBe(boom);
      expect((error as Error).message).toBe(
        `GET http://***@${origin.slice(7)}/echo: the request id generator threw`,
      );
    } finally {
      await client.close();
    }
  });

  it.each([
    ["an empty string", "", /returned ""/],
    ["CR LF", "a\r\nx-evil: 1", /returned "a\\r\\nx-evil: 1"/],
    ["a number", 7 as unknown as string, /returned number/],
  ])("rejects the call with RequestIdError when the generator returns %s", async (_, value, message) => {
    const client = createClient({ middleware: [requestId({ generate: () => value })] });
    try {
      const error = await client.request(`${origin}/echo`).catch((e: unknown) => e);
      expect(isRequestIdError(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    } finally {
      await client.close();
    }
  });

  it.each([
    ["options that are not an object", null, /options must be an object/],
    ["a header name with a space", { header: "x request id" }, /valid header name/],
    ["an empty header name", { header: "" }, /valid header name/],
    ["a generator that is not a function", { generate: "uuid" }, /generate must be a function/],
  ])("throws InvalidOptionsError at once for %s", (_, options, message) => {
    expect(() => requestId(options as never)).toThrow(InvalidOptionsError);
    expect(() => requestId(options as never)).toThrow(message);
  });

  it("declares its name and the send stage", () => {
    expect(requestId()).toMatchObject({ name: "request-id", stage: "send" });
  });
});
