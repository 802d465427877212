import type { Context } from "./context.ts";
import type { HttpRequest } from "./request.ts";
import type { HttpResponse } from "./response.ts";
import type { Stage } from "./stage.ts";

/**
 * Sends a request through the rest of the chain; may be called more than once. `context` is the
 * call's context, as `handle` received it: needed only for a request built anew with
 * `new HttpRequest()` and handed over after an `await` (a request derived with `request.with()`
 * carries its call along, and so does one handed over synchronously inside `handle`).
 *
 * The promise it returns may be the transport's own. Middleware further out may file reactions with
 * it (`afterAnswer`), which run before it settles: a middleware that returns this promise unchanged
 * and also watches it sees the answer as the middleware outside shaped it. To see your own layer's
 * answer, return the promise of your reaction (`next(request).then(...)`, `afterAnswer`, or an async
 * `handle`).
 */
export type Next = (request: HttpRequest, context?: Context) => Promise<HttpResponse>;

/**
 * The one interface every plugin implements. `handle` receives the request, the rest of the
 * chain as `next`, and the call's context. A middleware with nothing to do returns
 * `next(request)` directly: no `async` wrapper, no new request object.
 */
export interface Middleware {
  /** A short, stable name for events and errors, e.g. `"retry"`. */
  readonly name: string;
  /** Where the middleware sits; core orders the chain by stage. */
  readonly stage: Stage;
  /**
   * Handles one request: return `next(request)`, or `next` of a request derived from it with
   * `request.with()`, or of one built with `new HttpRequest()` (after an `await`, hand it over
   * as `next(fresh, context)`), or answer yourself.
   */
  handle(request: HttpRequest, next: Next, context: Context): Promise<HttpResponse>;
}
