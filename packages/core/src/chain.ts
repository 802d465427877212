import type { Context } from "./context.ts";
import { InvalidOptionsError, InvalidRequestError } from "./errors.ts";
import { bindContext, contextOf } from "./internals.ts";
import type { Middleware, Next } from "./middleware.ts";
import type { HttpRequest } from "./request.ts";
import type { HttpResponse } from "./response.ts";
import { isStage, STAGES } from "./stage.ts";
import type { Transport } from "./transport.ts";

/** How `createClient` orders middleware. */
export type ChainOrder = "stage" | "as-given";

/** Checks every middleware's shape; throws InvalidOptionsError naming the bad one. */
export function validateMiddleware(list: readonly unknown[]): readonly Middleware[] {
  if (!Array.isArray(list)) throw new InvalidOptionsError("middleware must be an array");
  list.forEach((m, i) => {
    const where = `middleware[${i}]`;
    if (typeof m !== "object" || m === null) throw new InvalidOptionsError(`${where} must be an object`);
    const { name, stage, handle } = m as Partial<Middleware>;
    if (typeof name !== "string" || name.length === 0) {
      throw new InvalidOptionsError(`${where} needs a non-empty string name`);
    }
    if (!isStage(stage)) {
      throw new InvalidOptionsError(
        `${where} (${name}) has stage ${String(stage)}; expected one of ${STAGES.join(", ")}`,
      );
    }
    if (typeof handle !== "function")
      throw new InvalidOptionsError(`${where} (${name}) needs a handle() function`);
  });
  return list as readonly Middleware[];
}

/** Orders middleware by stage, outermost first; list order holds within a stage (stable sort). */
export function orderMiddleware(
  list: readonly Middleware[],
  order: ChainOrder = "stage",
): readonly Middleware[] {
  if (order === "as-given") return Object.freeze([...list]);
  if (order !== "stage")
    throw new InvalidOptionsError(`order must be "stage" or "as-given", got ${String(order)}`);
  const rank = (m: Middleware) => STAGES.indexOf(m.stage);
  return Object.freeze([...list].sort((a, b) => rank(a) - rank(b)));
}

/** A composed chain: runs one request through every middleware and the transport. */
export type Chain = (request: HttpRequest, context: Context) => Promise<HttpResponse>;

/**
 * Composes the chain once per client: every middleware gets the same `next` on every call, so a
 * call allocates no closures. Each middleware's `handle` receives the call's context explicitly.
 * `next(request, context?)` finds the call a request belongs to, in this order:
 * 1. the `context` passed to `next`, if any;
 * 2. the call of the request it was derived from (`request.with()` keeps it; core binds the
 *    caller's request to its call);
 * 3. the call whose `handle` is running, when `next` is called synchronously inside `handle`
 *    (so `return next(new HttpRequest(url))` works).
 * A request built anew and handed to `next` after an `await` matches none of these: it is refused
 * with an `InvalidRequestError` naming the middleware (pass the context: `next(fresh, context)`).
 * With no middleware the chain is the transport.
 */
export function composeChain(middleware: readonly Middleware[], transport: Transport): Chain {
  const n = middleware.length;
  if (n === 0) return transport;
  const last = middleware[n - 1]!;
  let inner: Next = (request, context) => {
    try {
      const own = contextOf(request);
      const ctx = context ?? own ?? running ?? refuse(request, last);
      return transport(own === ctx ? request : bindContext(request, ctx, false), ctx);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  for (let i = n - 1; i >= 0; i--) {
    const m = middleware[i]!;
    const caller = i === 0 ? undefined : middleware[i - 1];
    const next = inner;
    inner = (request, context) => {
      const saved = running;
      try {
        const own = contextOf(request);
        const ctx = context ?? own ?? running ?? refuse(request, caller);
        running = ctx;
        return m.handle(own === ctx ? request : bindContext(request, ctx, false), next, ctx);
      } catch (error) {
        // A middleware that throws synchronously still yields a rejected promise.
        return Promise.reject(error);
      } finally {
        running = saved;
      }
    };
  }
  return inner;
}

// The context of the call whose `handle` is on the stack (undefined between turns of the loop).
let running: Context | undefined;

// A request whose call cannot be told (see composeChain): refused, naming the middleware that sent it.
function refuse(request: HttpRequest, caller: Middleware | undefined): never {
  throw new InvalidRequestError(
    `middleware "${caller?.name ?? "?"}" passed next() a request built with new HttpRequest() after an await, so core cannot tell which call it belongs to; pass the call's context along (next(request, context)) or derive the request from the one it was handed (request.with({ url, method, headers, body }))`,
    { method: request.method, url: request.redactedUrl },
  );
}
