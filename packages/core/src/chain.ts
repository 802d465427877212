import type { Context } from "./context.ts";
import { InvalidOptionsError } from "./errors.ts";
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
 * Composes the chain once per client. With no middleware the chain is the transport itself; each
 * call creates only the `next` closures the middleware actually reach.
 */
export function composeChain(middleware: readonly Middleware[], transport: Transport): Chain {
  const n = middleware.length;
  if (n === 0) return transport;
  return (request, context) => {
    const at = (i: number): Next =>
      i === n
        ? (r) => transport(r, context)
        : (r) => {
            try {
              return middleware[i]!.handle(r, at(i + 1), context);
            } catch (error) {
              // A middleware that throws synchronously still yields a rejected promise.
              return Promise.reject(error);
            }
          };
    return at(0)(request);
  };
}
