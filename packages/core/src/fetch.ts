import type { CallInit } from "./client.ts";
import { decodeResponse } from "./decompress.ts";
import { bodyFailure, fetchFailure } from "./fetch-error.ts";
import type { FetchCall } from "./fetch-input.ts";
import { fetchCall, LOCAL_SCHEME } from "./fetch-input.ts";
import { checkFetchIntegrity } from "./fetch-integrity.ts";
import { mapError } from "./map-error.ts";
import type { HttpResponse } from "./response.ts";
import type { WebStreamHooks } from "./web-body.ts";
import { toWebResponse } from "./web-response.ts";

type Request = (input: string, init: CallInit) => Promise<HttpResponse>;

// A fetch response body's hooks: errors as fetch's bodies error, cancel gives the socket back.
class BodyHooks implements WebStreamHooks {
  readonly #raw: HttpResponse;
  readonly #decoded: HttpResponse;
  readonly #call: FetchCall;
  constructor(raw: HttpResponse, decoded: HttpResponse, call: FetchCall) {
    this.#raw = raw;
    this.#decoded = decoded;
    this.#call = call;
  }
  readonly error = (error: unknown): unknown =>
    bodyFailure(
      mapError(error, {
        method: this.#call.method,
        url: this.#raw.url,
        context: this.#raw.context,
        phase: "body",
      }),
      this.#call.signal,
    );
  readonly cancel = (): void => {
    // Undecoded, a small body is drained so the socket is reused; a decoder is torn down with it.
    if (this.#decoded === this.#raw) void this.#raw.discard();
    else this.#decoded.body.destroy();
  };
}

function respond(call: FetchCall, res: HttpResponse): Response | Promise<Response> {
  try {
    const decoded = decodeResponse(res, call.method, undefined, false);
    const hooks = new BodyHooks(res, decoded, call);
    if (call.sri !== undefined) return checkFetchIntegrity(call, decoded, hooks);
    return toWebResponse(decoded, call.method, hooks, undefined, call.signal);
  } catch (error) {
    throw fetchFailure(error, call.signal);
  }
}

function ignore(): void {}

// Aborted before anything was sent. fetch's Request constructor runs first, so a URL it cannot
// parse is still a TypeError (client.fetch leaves most http(s) URLs to the client to parse); a
// stream body is cancelled at once with the signal's reason, which is also what fetch rejects with.
function aborted(call: FetchCall, signal: AbortSignal): Promise<never> {
  if (!URL.canParse(call.url)) return Promise.reject(new TypeError(`Failed to parse URL from ${call.url}`));
  const body = call.body as unknown as ReadableStream | undefined;
  if (typeof body?.getReader === "function" && !body.locked) body.cancel(signal.reason).catch(ignore);
  return Promise.reject(signal.reason);
}

// Node's own fetch, taken when core loads: a program that then sets `globalThis.fetch =
// client.fetch` (a test harness, an SDK that only reads the global) must not send data: and blob:
// URLs back into client.fetch.
const nodeFetch: typeof globalThis.fetch = globalThis.fetch;

/**
 * A standard `fetch` over the client's chain. WHATWG objects exist only at this edge: the
 * request is read by hand into the chain's own light types (with fetch's checks and default
 * headers) and the response wrapped on the way out (decoded as fetch decodes), its body streaming
 * in both directions. It rejects as fetch rejects (see `fetchFailure`).
 */
export function createFetch(request: Request): typeof globalThis.fetch {
  function send(call: FetchCall): Promise<Response> {
    if (call.signal?.aborted) return aborted(call, call.signal);
    return request(call.url, call).then(
      (res) => respond(call, res),
      (error: unknown) => {
        throw fetchFailure(error, call.signal);
      },
    );
  }
  return function fetch(
    input: RequestInfo | URL,
    init: RequestInit | undefined = undefined,
  ): Promise<Response> {
    let call: ReturnType<typeof fetchCall>;
    try {
      call = fetchCall(input, init);
    } catch (error) {
      return Promise.reject(fetchFailure(error, undefined));
    }
    if (call === LOCAL_SCHEME) return nodeFetch(input, init);
    if (call instanceof Promise) {
      return call.then(send, (error: unknown) => {
        throw fetchFailure(error, undefined);
      });
    }
    return send(call);
  };
}
