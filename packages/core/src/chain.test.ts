import { describe, expect, it } from "vitest";
import { composeChain, orderMiddleware, validateMiddleware } from "./chain.ts";
import { Context, contextKey } from "./context.ts";
import { InvalidOptionsError, InvalidRequestError } from "./errors.ts";
import type { Middleware } from "./middleware.ts";
import { HttpRequest } from "./request.ts";
import { HttpResponse } from "./response.ts";
import type { Stage } from "./stage.ts";
import type { Transport } from "./transport.ts";

const mw = (name: string, stage: Stage, log: string[] = []): Middleware => ({
  name,
  stage,
  handle: (req, next) => {
    log.push(name);
    return next(req);
  },
});

const ok: Transport = (req, context) =>
  Promise.resolve(new HttpResponse({ status: 200, url: req.url, context }));

describe("orderMiddleware", () => {
  it("orders by stage, outermost first, whatever the list order", () => {
    const list = [
      mw("ra", "send"),
      mw("auth", "authorize"),
      mw("retry", "policy"),
      mw("oci", "resolve"),
      mw("mirror", "route"),
    ];
    expect(orderMiddleware(list).map((m) => m.name)).toEqual(["retry", "mirror", "oci", "auth", "ra"]);
  });

  it("puts the cache stage outside every other stage, wherever it is listed", () => {
    const others = [mw("ra", "send"), mw("auth", "authorize"), mw("retry", "policy"), mw("mirror", "route")];
    for (let at = 0; at <= others.length; at++) {
      const list = [...others.slice(0, at), mw("cache", "cache"), ...others.slice(at)];
      expect(orderMiddleware(list).map((m) => m.name)).toEqual(["cache", "retry", "mirror", "auth", "ra"]);
    }
  });

  it("puts the observe stage outside the cache and everything else, wherever it is listed", () => {
    const others = [mw("retry", "policy"), mw("cache", "cache"), mw("auth", "authorize")];
    for (let at = 0; at <= others.length; at++) {
      const list = [...others.slice(0, at), mw("otel", "observe"), ...others.slice(at)];
      expect(orderMiddleware(list).map((m) => m.name)).toEqual(["otel", "cache", "retry", "auth"]);
    }
  });

  it("keeps list order within a stage", () => {
    const list = [mw("b", "send"), mw("a", "policy"), mw("c", "send"), mw("d", "policy")];
    expect(orderMiddleware(list).map((m) => m.name)).toEqual(["a", "d", "b", "c"]);
  });

  it("keeps the list exactly as given when asked", () => {
    const list = [mw("b", "send"), mw("a", "policy")];
    expect(orderMiddleware(list, "as-given").map((m) => m.name)).toEqual(["b", "a"]);
  });
});

describe("validateMiddleware", () => {
  it.each([
    [[null], /middleware\[0\] must be an object/],
    [[{ stage: "send", handle() {} }], /needs a non-empty string name/],
    [
      [{ name: "x", stage: "outer", handle() {} }],
      /stage outer; expected one of observe, cache, policy, route, resolve, authorize, send/,
    ],
    [[{ name: "x", stage: "send" }], /needs a handle\(\) function/],
  ])("rejects %j", (list, message) => {
    expect(() => validateMiddleware(list)).toThrow(InvalidOptionsError);
    expect(() => validateMiddleware(list)).toThrow(message);
  });
});

describe("composeChain", () => {
  it("runs outer to inner and ends at the transport", async () => {
    const log: string[] = [];
    const chain = composeChain(orderMiddleware([mw("inner", "send", log), mw("outer", "policy", log)]), ok);
    const res = await chain(new HttpRequest("http://127.0.0.1/"), new Context());
    expect(res.status).toBe(200);
    expect(log).toEqual(["outer", "inner"]);
  });

  it("runs the whole inner chain on every call of next", async () => {
    const log: string[] = [];
    let sent = 0;
    const twice: Middleware = {
      name: "twice",
      stage: "policy",
      handle: async (req, next) => {
        await (await next(req)).discard();
        return next(req);
      },
    };
    const chain = composeChain([twice, mw("inner", "send", log)], (req, ctx) => {
      sent++;
      return ok(req, ctx);
    });
    await chain(new HttpRequest("http://127.0.0.1/"), new Context());
    expect(log).toEqual(["inner", "inner"]);
    expect(sent).toBe(2);
  });

  it("turns a synchronous throw into a rejection", async () => {
    const thrower: Middleware = {
      name: "thrower",
      stage: "send",
      handle: () => {
        throw new Error("boom");
      },
    };
    const chain = composeChain([thrower], ok);
    await expect(chain(new HttpRequest("http://127.0.0.1/"), new Context())).rejects.toThrow("boom");
  });

  it("hands every call the same next (composed once) and each call its own context", async () => {
    const seen: { next: unknown; id: string | undefined }[] = [];
    const idKey = contextKey<string>("test:id");
    const outer: Middleware = {
      name: "outer",
      stage: "policy",
      handle: (req, next, context) => next(req.with({ headers: { "x-id": context.get(idKey) } })),
    };
    const inner: Middleware = {
      name: "inner",
      stage: "send",
      handle: async (req, next, context) => {
        // Let the other call run in between: contexts must not cross.
        await new Promise((r) => setImmediate(r));
        seen.push({ next, id: context.get(idKey) });
        expect(req.headers.get("x-id")).toBe(context.get(idKey));
        return next(req);
      },
    };
    const chain = composeChain([outer, inner], (req, context) => {
      expect(context.get(idKey)).toBe(req.headers.get("x-id"));
      return ok(req, context);
    });
    // One request object sent in two calls at once.
    const shared = new HttpRequest("http://127.0.0.1/");
    const [a, b] = await Promise.all([
      chain(shared, new Context().set(idKey, "a")),
      chain(shared, new Context().set(idKey, "b")),
    ]);
    expect([a.context.get(idKey), b.context.get(idKey)]).toEqual(["a", "b"]);
    expect(seen.map((s) => s.id).sort()).toEqual(["a", "b"]);
    expect(seen[0]!.next).toBe(seen[1]!.next);
  });

  it("accepts a request built anew and handed to next inside handle: it joins the call", async () => {
    const idKey = contextKey<string>("test:id");
    const rebuild: Middleware = {
      name: "rebuilds",
      stage: "policy",
      handle: (req, next) => next(new HttpRequest(req.url, { headers: { "x-rebuilt": "1" } })),
    };
    const chain = composeChain([rebuild, mw("inner", "send")], (req, context) => {
      expect(req.headers.get("x-rebuilt")).toBe("1");
      return ok(req, context);
    });
    const res = await chain(new HttpRequest("http://127.0.0.1/"), new Context().set(idKey, "call-1"));
    expect(res.context.get(idKey)).toBe("call-1");
  });

  it("accepts a request built anew after an await when the context is passed to next", async () => {
    const idKey = contextKey<string>("test:id");
    const rebuild: Middleware = {
      name: "rebuilds",
      stage: "policy",
      handle: async (req, next, context) => {
        await new Promise((r) => setImmediate(r));
        return next(new HttpRequest(req.url), context);
      },
    };
    const chain = composeChain([rebuild, mw("inner", "send")], ok);
    const [a, b] = await Promise.all([
      chain(new HttpRequest("http://127.0.0.1/"), new Context().set(idKey, "a")),
      chain(new HttpRequest("http://127.0.0.1/"), new Context().set(idKey, "b")),
    ]);
    expect([a.context.get(idKey), b.context.get(idKey)]).toEqual(["a", "b"]);
  });

  it("refuses a request built anew after an await without its context, naming the middleware", async () => {
    const rebuild: Middleware = {
      name: "rebuilds",
      stage: "policy",
      handle: async (req, next) => {
        await new Promise((r) => setImmediate(r));
        return next(new HttpRequest(req.url));
      },
    };
    const chain = composeChain([rebuild, mw("inner", "send")], ok);
    const call = chain(new HttpRequest("http://127.0.0.1/"), new Context());
    await expect(call).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(call).rejects.toThrow(
      /middleware "rebuilds" passed next\(\) a request built with new HttpRequest\(\) after an await/,
    );
    // The innermost next (the transport) checks too.
    const last = composeChain([rebuild], ok);
    await expect(last(new HttpRequest("http://127.0.0.1/"), new Context())).rejects.toThrow(/"rebuilds"/);
  });

  it("is the transport itself when there is no middleware", () => {
    expect(composeChain([], ok)).toBe(ok);
  });
});
