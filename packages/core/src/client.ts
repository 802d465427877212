import { afterAnswer } from "./answer-hooks.ts";
import { Call } from "./call.ts";
import { Context } from "./context.ts";
import { secretHeadersKey } from "./cross-origin.ts";
import type { DecompressOptions } from "./decompress.ts";
import { withDecompression } from "./decompress.ts";
import { ClientClosedError, TimeoutError } from "./errors.ts";
import { createFetch } from "./fetch.ts";
import { requestWithIntegrity } from "./integrity-call.ts";
import { bindContext } from "./internals.ts";
import type { Middleware } from "./middleware.ts";
import { redactUrl } from "./redact.ts";
import type { RequestInit } from "./request.ts";
import { HttpRequest } from "./request.ts";
import type { HttpResponse } from "./response.ts";
import type { ClientOptions, Setup } from "./setup.ts";
import { buildSetup } from "./setup.ts";

export type { ClientOptions } from "./setup.ts";

/** Per-call settings on top of the request's own. */
export interface CallInit extends RequestInit, DecompressOptions {
  /** Whole-call timeout in milliseconds until response headers; fails with TimeoutError("request"). */
  readonly timeout?: number | undefined;
  /** The call's context store; pass one to seed values (credentials...) and read it afterwards. */
  readonly context?: Context | undefined;
  /**
   * The body's expected digest: SRI (`sha512-<base64>`, several allowed) or `sha256:<hex>`. The
   * body is checked as it streams and fails with `IntegrityError` instead of ending on a mismatch.
   * @default none (not checked)
   */
  readonly integrity?: string | undefined;
}

/** The Switchyard client. */
export interface Client {
  /** Sends a request through the chain and resolves with the response once headers arrive. */
  request(input: string | URL | HttpRequest, init?: CallInit): Promise<HttpResponse>;
  /** A standard `fetch` over the same chain, usable as the `fetch` option of SDKs. */
  readonly fetch: typeof globalThis.fetch;
  /**
   * Swaps in a chain and pool built from `options` at once; calls in flight finish on the old
   * pool, which then closes (by the same rule as `close()`). The promise resolves when the old
   * pool has closed.
   */
  reload(options: ClientOptions): Promise<void>;
  /** The middleware as ordered in the chain, outermost first. */
  readonly middleware: readonly Middleware[];
  /**
   * Refuses new calls, waits for calls in flight and bodies being read, releases bodies nobody reads
   * after `closeGraceMs`, then closes the pool. Always settles.
   */
  close(): Promise<void>;
  /** Closes the pool at once: fails calls in flight, releases every body, settles a pending `close()`. */
  destroy(): Promise<void>;
}

/**
 * Creates a client: the middleware chain (ordered by stage) over an undici pool.
 *
 * @example
 * const client = createClient({ middleware: [retry(), auth({ stores: [memoryStore(creds)] })] });
 * const res = await client.request("https://example.com/data.json");
 * const data = await res.json();
 * await client.close();
 */
export function createClient(options: ClientOptions = {}): Client {
  let setup = buildSetup(options);
  let closing = false;
  // Every generation not yet closed: the current one and retired ones still finishing calls.
  const live = new Set<Setup>([setup]);

  function request(input: string | URL | HttpRequest, init?: CallInit): Promise<HttpResponse> {
    // Integrity hook (integrity-call.ts): the check wraps the whole call, outermost, on the bytes as
    // the server sent them (decompression, when asked, wraps this).
    if (init?.integrity !== undefined)
      return requestWithIntegrity(request, input, { ...init, integrity: init.integrity });
    const s = setup;
    let req: HttpRequest;
    try {
      if (closing) throw new ClientClosedError("the client is closed; create a new one");
      req =
        input instanceof HttpRequest
          ? init === undefined
            ? input
            : input.with(init)
          : new HttpRequest(input, init);
    } catch (error) {
      return Promise.reject(error);
    }
    const context = init?.context ?? new Context();
    if (s.secretHeaders !== undefined && !context.has(secretHeadersKey)) {
      context.set(secretHeadersKey, s.secretHeaders);
    }
    const timeout = init?.timeout ?? s.timeout;
    let timer: NodeJS.Timeout | undefined;
    if (timeout !== undefined) {
      const controller = new AbortController();
      const method = req.method;
      const url = req.url;
      timer = setTimeout(() => {
        controller.abort(
          new TimeoutError("request", `the call did not complete within ${timeout} ms`, {
            method,
            url: redactUrl(url),
            context,
          }),
        );
      }, timeout);
      const signal = req.signal ? AbortSignal.any([req.signal, controller.signal]) : controller.signal;
      req = req.with({ signal });
    }
    // A request the client built (anything but the caller's own object) is bound in place.
    const bound = bindContext(req, context, req !== input);
    const call = new Call(
      s,
      bound,
      context,
      timer,
      bound.options.redirect ?? s.redirect,
      bound.options.maxRedirects ?? s.maxRedirects,
    );
    // No middleware: the transport runs the call's continuation in undici's callback.
    if (s.direct !== undefined) return s.direct(bound, context, call);
    return afterAnswer(s.chain(bound, context), answerCall, failCall, call);
  }

  async function each(action: (s: Setup) => Promise<void>): Promise<void> {
    closing = true;
    const all = [...live];
    await Promise.all(all.map(action));
    for (const s of all) live.delete(s);
  }

  return {
    // client.request decodes bodies only when asked; client.fetch always does, as fetch does.
    request: withDecompression(request, () => setup.decompress),
    fetch: createFetch(request),
    get middleware() {
      return setup.middleware;
    },
    reload(next: ClientOptions): Promise<void> {
      if (closing)
        return Promise.reject(new ClientClosedError("the client is closed; it cannot be reloaded"));
      const fresh = buildSetup(next);
      const old = setup;
      setup = fresh;
      live.add(fresh);
      return old.pool.retire().then(() => {
        live.delete(old);
      });
    },
    close: () => each((s) => s.pool.retire()),
    destroy: () => each((s) => s.pool.destroy()),
  };
}

// The call's own reactions to the chain's answer, filed without closures (answer-hooks.ts).
function answerCall(response: HttpResponse, call: Call): HttpResponse | Promise<HttpResponse> {
  return call.answer(response);
}

function failCall(error: unknown, call: Call): never {
  return call.failure(error);
}
