import type { Context } from "./context.ts";
import { InvalidOptionsError, InvalidRequestError } from "./errors.ts";
import type { Middleware, Next } from "./middleware.ts";
import type { HttpRequest } from "./request.ts";
import { bindContext, contextOf } from "./request.ts";
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
 * call allocates no closures. The call's context travels on the request (every request derived
 * with `request.with()` keeps it), which is why a middleware must hand `next` a request derived
 * from the one it was given; one built anew with `new HttpRequest()` is refused with an
 * `InvalidRequestError` naming the middleware. With no middleware the chain is the transport.
 */
export function composeChain(middleware: readonly Middleware[], transport: Transport): Chain {
  const n = middleware.length;
  if (n === 0) return transport;
  const last = middleware[n - 1]!;
  let inner: Next = (request) => {
    try {
      return transport(request, callContext(request, last));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  for (let i = n - 1; i >= 0; i--) {
    const m = middleware[i]!;
    const caller = i === 0 ? undefined : middleware[i - 1];
    const next = inner;
    inner = (request) => {
      try {
        return m.handle(request, next, callContext(request, caller));
      } catch (error) {
        // A middleware that throws synchronously still yields a rejected promise.
        return Promise.reject(error);
      }
    };
  }
  const first = inner;
  return (request, context) => first(bindContext(request, context, false));
}

function callContext(request: HttpRequest, caller: Middleware | undefined): Context {
  const context = contextOf(request);
  if (context !== undefined) return context;
  throw new InvalidRequestError(
    `middleware "${caller?.name ?? "?"}" passed next() a request built with new HttpRequest(); derive it from the request it was handed with request.with({ url, method, headers, body }) so it stays in its call`,
    { method: request.method, url: request.redactedUrl },
  );
}
