import { randomUUID } from "node:crypto";
import type { Context, ContextKey, HttpRequest, HttpResponse, Middleware, Next } from "@switchyard/core";
import { contextKey, InvalidOptionsError, pluginChannel, redactUrl } from "@switchyard/core";
import { isValidRequestId, MAX_REQUEST_ID_LENGTH } from "./is-valid-request-id.ts";
import { RequestIdError } from "./request-id-error.ts";

/** Options of {@link requestId}. */
export interface RequestIdOptions {
  /**
   * The header that carries the id. A request that already has it keeps its value.
   * @default "x-request-id" (the de facto standard name: Heroku, nginx `$request_id`, many APIs)
   */
  readonly header?: string;
  /**
   * Makes a new id; must return 1 to 200 visible ASCII characters.
   * @default crypto.randomUUID (random, unique without coordination, 36 characters)
   */
  readonly generate?: () => string;
}

/**
 * The id of the call, in its context: set from the request's header when it came with one, or
 * to the id this plugin generated. Read it afterwards from `response.context` or from an error's
 * `context`.
 */
export const requestIdKey: ContextKey<string> = contextKey<string>("switchyard-plugin-request-id:id");

/** The diagnostics channel published on when an id is generated. */
export const REQUEST_ID_ASSIGNED_CHANNEL = "switchyard:request-id:assigned";

const assigned = pluginChannel("request-id", "assigned");

// RFC 9110 §5.1: a field name is a token.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Gives every request an id header (`X-Request-Id` by default) when it has none, one id per call:
 * every attempt (retries) and every redirect hop of a call carries the same id, because it is
 * kept in the call's context. A request that already has the header keeps it, and its value is
 * recorded in the context too. Publishes `switchyard:request-id:assigned` when it generates an id.
 *
 * Stage `send`: it runs last, after mirrors, `oci:`/`s3:` resolution and credentials chose the
 * request that actually goes out, so the header is on that request.
 *
 * @example
 * const client = createClient({ middleware: [requestId()] });
 * const res = await client.request("https://example.com/");
 * console.log(res.context.get(requestIdKey)); // e.g. "3b241101-e2bb-4255-8caf-4136c566a962"
 */
export function requestId(options: RequestIdOptions = {}): Middleware {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError("requestId() options must be an object");
  }
  const header = options.header ?? "x-request-id";
  if (typeof header !== "string" || !TOKEN.test(header)) {
    throw new InvalidOptionsError(`header must be a valid header name, got ${JSON.stringify(header)}`);
  }
  const name = header.toLowerCase();
  const generate = options.generate ?? randomUUID;
  if (typeof generate !== "function")
    throw new InvalidOptionsError("generate must be a function returning a string");

  function newId(request: HttpRequest, context: Context): string {
    const where = { method: request.method, url: redactUrl(request.url), context };
    let id: unknown;
    try {
      id = generate();
    } catch (cause) {
      throw new RequestIdError("the request id generator threw", { ...where, cause });
    }
    if (!isValidRequestId(id)) {
      // The value is not a secret, but it is untrusted text: show a short, escaped prefix.
      const shown = typeof id === "string" ? JSON.stringify(id.slice(0, 40)) : typeof id;
      throw new RequestIdError(
        `the request id generator returned ${shown}; it must return 1 to ${MAX_REQUEST_ID_LENGTH} visible ASCII characters`,
        where,
      );
    }
    return id;
  }

  return {
    name: "request-id",
    stage: "send",
    handle(request: HttpRequest, next: Next, context: Context): Promise<HttpResponse> {
      const present = request.headers.get(name);
      if (present !== undefined) {
        // Pass-through: the request goes on as it is, no new object, no await.
        if (context.get(requestIdKey) !== present) context.set(requestIdKey, present);
        return next(request);
      }
      let id = context.get(requestIdKey);
      if (id === undefined) {
        try {
          id = newId(request, context);
        } catch (error) {
          return Promise.reject(error);
        }
        context.set(requestIdKey, id);
        if (assigned.hasSubscribers) {
          assigned.publish({
            method: request.method,
            url: redactUrl(request.url),
            header: name,
            id,
            context,
          });
        }
      }
      return next(request.with({ headers: { [name]: id } }));
    },
  };
}
