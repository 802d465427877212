import { describe, expect, it } from "vitest";
import { composeChain, orderMiddleware, validateMiddleware } from "./chain.ts";
import { Context } from "./context.ts";
import { InvalidOptionsError } from "./errors.ts";
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
      /stage outer; expected one of policy, route, resolve, authorize, send/,
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

  it("is the transport itself when there is no middleware", () => {
    expect(composeChain([], ok)).toBe(ok);
  });
});
