// afterAnswer: reactions filed with the transport's promise run in its callback, innermost first,
// with `.then`'s outcomes (transform, throw, hand over to a promise, recover from a failure), and
// fall back to `.then` wherever the promise is not the transport's own. Real sockets throughout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AnswerReaction,
  afterAnswer,
  ConnectError,
  createClient,
  type FailureReaction,
  HttpResponse,
  type Middleware,
  type Stage,
} from "../src/index.ts";
import { localServer } from "./local-server.ts";

type Server = Awaited<ReturnType<typeof localServer>>;
let server: Server;

beforeAll(async () => {
  server = await localServer((req, res) => {
    const status = Number(new URL(req.url ?? "/", "http://x").searchParams.get("status") ?? 200);
    res.writeHead(status, { "content-type": "text/plain" });
    res.end(`answered ${status}`);
  });
});
afterAll(() => server.close());

const tag = (response: HttpResponse, name: string) =>
  response.with({
    headers: response.headers.set("x-seen", `${response.headers.get("x-seen") ?? ""}${name};`),
  });

/** A middleware that files a reaction tagging the answer with its name; `log` records what it got. */
function filing(name: string, stage: Stage, log: string[], same?: boolean[]): Middleware {
  return {
    name,
    stage,
    handle(request, next) {
      const sent = next(request);
      const filed = afterAnswer(
        sent,
        (response, who: string) => {
          log.push(`${who}:${response.status}`);
          return tag(response, who);
        },
        (error, who: string) => {
          log.push(`${who}:failed`);
          throw error;
        },
        name,
      );
      same?.push(filed === sent);
      return filed;
    },
  };
}

/** A send-stage middleware that files the given reactions with what `next` returns. */
function reacting(
  name: string,
  onAnswer: AnswerReaction<undefined>,
  onFailure?: FailureReaction<undefined>,
): Middleware {
  return {
    name,
    stage: "send",
    handle: (request, next) => afterAnswer(next(request), onAnswer, onFailure, undefined),
  };
}

describe("afterAnswer over the transport", () => {
  it("runs filed reactions innermost first and the caller gets their answer, on the transport's promise", async () => {
    const log: string[] = [];
    const same: boolean[] = [];
    const client = createClient({
      middleware: [filing("outer", "policy", log, same), filing("inner", "send", log, same)],
    });
    const res = await client.request(`${server.url}/?status=200`);
    expect(await res.text()).toBe("answered 200");
    expect(res.headers.get("x-seen")).toBe("inner;outer;");
    expect(log).toEqual(["inner:200", "outer:200"]);
    // Both filed with the transport's own promise: no promise of their own.
    expect(same).toEqual([true, true]);
    await client.close();
  });

  it("falls back to .then past a middleware that wraps the answer, with the same outcome", async () => {
    const log: string[] = [];
    const same: boolean[] = [];
    const wrapping: Middleware = {
      name: "wrapping",
      stage: "authorize",
      handle: async (request, next) => {
        const response = await next(request);
        log.push("wrapping");
        return response;
      },
    };
    const client = createClient({
      middleware: [filing("outer", "policy", log, same), wrapping, filing("inner", "send", log, same)],
    });
    const res = await client.request(`${server.url}/?status=201`);
    expect(res.headers.get("x-seen")).toBe("inner;outer;");
    expect(log).toEqual(["inner:201", "wrapping", "outer:201"]);
    expect(same).toEqual([true, false]);
    await res.discard();
    await client.close();
  });

  it("turns a reaction's throw into the call's error, seen by the failure reactions outside it", async () => {
    const log: string[] = [];
    const boom = new Error("refused by the inner reaction");
    const throwing = reacting("throwing", async (response) => {
      await response.discard();
      throw boom;
    });
    const client = createClient({ middleware: [filing("outer", "policy", log), throwing] });
    // The client maps a foreign error as it maps any other, keeping it as the cause.
    await expect(client.request(`${server.url}/?status=200`)).rejects.toMatchObject({
      code: "SWITCHYARD_ERR_UNKNOWN",
      cause: boom,
    });
    expect(log).toEqual(["outer:failed"]);
    await client.close();
  });

  it("hands the rest of the call to a promise a reaction returns", async () => {
    const log: string[] = [];
    const replacing = reacting("replacing", async (response) => {
      await response.discard();
      await new Promise((resolve) => setImmediate(resolve));
      return new HttpResponse({ status: 299, url: response.url, context: response.context });
    });
    const client = createClient({ middleware: [filing("outer", "policy", log), replacing] });
    const res = await client.request(`${server.url}/?status=200`);
    expect(res.status).toBe(299);
    expect(res.headers.get("x-seen")).toBe("outer;");
    expect(log).toEqual(["outer:299"]);
    await client.close();
  });

  it("lets a failure reaction answer instead of a failed send, and the reactions outside see that answer", async () => {
    const log: string[] = [];
    const recovering = reacting(
      "recovering",
      (response) => response,
      (error) => {
        log.push(`recovering:${error instanceof ConnectError}`);
        return new HttpResponse({ status: 203, url: "http://127.0.0.1:9/" });
      },
    );
    const client = createClient({ middleware: [filing("outer", "policy", log), recovering] });
    // Port 9 on loopback: nothing listens, the connection is refused.
    const res = await client.request("http://127.0.0.1:9/");
    expect(res.status).toBe(203);
    expect(log).toEqual(["recovering:true", "outer:203"]);
    await client.close();
  });

  it("rejects with the failure when no reaction recovers, without an unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const log: string[] = [];
      const client = createClient({
        middleware: [filing("outer", "policy", log), filing("inner", "send", log)],
      });
      await expect(client.request("http://127.0.0.1:9/")).rejects.toBeInstanceOf(ConnectError);
      expect(log).toEqual(["inner:failed", "outer:failed"]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
      await client.close();
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("applies filed reactions to the answer of a 421's second send", async () => {
    const log: string[] = [];
    const client = createClient({
      middleware: [filing("outer", "policy", log), filing("inner", "send", log)],
    });
    const res = await client.request(`${server.url}/?status=421`);
    expect(res.status).toBe(421);
    expect(await res.text()).toBe("answered 421");
    expect(res.headers.get("x-seen")).toBe("inner;outer;");
    expect(log).toEqual(["inner:421", "outer:421"]);
    await client.close();
  });

  it("runs each concurrent call's reactions on its own answer", async () => {
    const log: string[] = [];
    const client = createClient({
      middleware: [filing("outer", "policy", log), filing("inner", "send", log)],
    });
    const statuses = [200, 201, 202, 203, 204, 205, 206, 207];
    const answers = await Promise.all(statuses.map((s) => client.request(`${server.url}/?status=${s}`)));
    expect(answers.map((r) => r.status)).toEqual(statuses);
    for (const r of answers) {
      expect(r.headers.get("x-seen")).toBe("inner;outer;");
      await r.discard();
    }
    expect(log.filter((l) => l.startsWith("inner")).sort()).toEqual(statuses.map((s) => `inner:${s}`));
    await client.close();
  });

  it("documents the one visible difference: a middleware that returns next's promise unchanged sees it settle with the answer as outer middleware shaped it", async () => {
    const log: string[] = [];
    let tapped: string | undefined;
    const tapping: Middleware = {
      name: "tapping",
      stage: "send",
      handle: (request, next) => {
        const sent = next(request);
        void sent.then((response) => {
          tapped = response.headers.get("x-seen");
        });
        return sent;
      },
    };
    const client = createClient({ middleware: [filing("outer", "policy", log), tapping] });
    const res = await client.request(`${server.url}/?status=200`);
    await res.discard();
    expect(tapped).toBe("outer;");
    await client.close();
  });
});
