import type { Dispatcher } from "undici";
import type { Chain, ChainOrder } from "./chain.ts";
import { composeChain, orderMiddleware, validateMiddleware } from "./chain.ts";
import { Context } from "./context.ts";
import { channels } from "./diagnostics.ts";
import { ClientClosedError, InvalidOptionsError, RedirectError, TimeoutError } from "./errors.ts";
import { createFetch } from "./fetch.ts";
import { requestWithIntegrity } from "./integrity-call.ts";
import { mapError } from "./map-error.ts";
import type { Middleware } from "./middleware.ts";
import { redactUrl } from "./redact.ts";
import { DEFAULT_MAX_REDIRECTS, isRedirect, redirectRequest } from "./redirect.ts";
import type { RedirectMode, RequestInit } from "./request.ts";
import { bindContext, HttpRequest } from "./request.ts";
import type { HttpResponse } from "./response.ts";
import type { Continuation, DirectTransport } from "./transport.ts";
import { createDirectTransport } from "./transport.ts";
import type { TransportOptions } from "./transport-options.ts";
import { buildDispatcher } from "./transport-options.ts";

/** Everything `createClient` and `client.reload` take. */
export interface ClientOptions extends TransportOptions {
  /** The plugins, in any order: core orders them by stage. */
  readonly middleware?: readonly Middleware[];
  /** `"stage"` orders by stage (list order within a stage); `"as-given"` keeps the list. @default "stage" */
  readonly order?: ChainOrder;
  /** Default whole-call timeout in milliseconds (until response headers, across retries and redirects). */
  readonly timeout?: number;
  /** Default redirect handling. @default "follow" */
  readonly redirect?: RedirectMode;
  /** Default most redirects per call. @default 20 */
  readonly maxRedirects?: number;
}

/** Per-call settings on top of the request's own. */
export interface CallInit extends RequestInit {
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
   * pool, which then closes. The promise resolves when the old pool has closed.
   */
  reload(options: ClientOptions): Promise<void>;
  /** The middleware as ordered in the chain, outermost first. */
  readonly middleware: readonly Middleware[];
  /** Waits for calls in flight, then closes the pool. */
  close(): Promise<void>;
  /** Closes the pool at once, failing calls in flight. */
  destroy(): Promise<void>;
}

interface State {
  readonly chain: Chain;
  /** The transport, when there is no middleware: calls go to it directly. */
  readonly direct: DirectTransport | undefined;
  readonly middleware: readonly Middleware[];
  readonly dispatcher: Dispatcher;
  readonly owned: boolean;
  readonly timeout: number | undefined;
  readonly redirect: RedirectMode;
  readonly maxRedirects: number;
  inflight: number;
  retired: boolean;
  closed: Promise<void> | undefined;
  onClosed: (() => void) | undefined;
}

function buildState(options: ClientOptions): State {
  if (typeof options !== "object" || options === null)
    throw new InvalidOptionsError("createClient needs an options object");
  const middleware = orderMiddleware(validateMiddleware(options.middleware ?? []), options.order);
  if (options.timeout !== undefined && (!Number.isFinite(options.timeout) || options.timeout <= 0)) {
    throw new InvalidOptionsError(
      `timeout must be a number of milliseconds > 0, got ${String(options.timeout)}`,
    );
  }
  const redirect = options.redirect ?? "follow";
  if (redirect !== "follow" && redirect !== "manual" && redirect !== "error") {
    throw new InvalidOptionsError(`redirect must be "follow", "manual" or "error", got ${String(redirect)}`);
  }
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  if (!Number.isInteger(maxRedirects) || maxRedirects < 0) {
    throw new InvalidOptionsError(`maxRedirects must be an integer >= 0, got ${String(maxRedirects)}`);
  }
  const { dispatcher, owned } = buildDispatcher(options);
  const transport = createDirectTransport(dispatcher);
  return {
    chain: composeChain(middleware, (request, context) => transport(request, context, undefined)),
    direct: middleware.length === 0 ? transport : undefined,
    middleware,
    dispatcher,
    owned,
    timeout: options.timeout,
    redirect,
    maxRedirects,
    inflight: 0,
    retired: false,
    closed: undefined,
    onClosed: undefined,
  };
}

function retire(state: State): Promise<void> {
  state.retired = true;
  if (state.closed !== undefined) return state.closed;
  state.closed = new Promise<void>((resolve) => {
    state.onClosed = resolve;
  });
  if (state.inflight === 0) closePool(state);
  return state.closed;
}

function closePool(state: State): void {
  const done = state.onClosed;
  state.onClosed = undefined;
  if (!done) return;
  // undici's close() is graceful: bodies still streaming on this pool finish first.
  if (state.owned) state.dispatcher.close().then(done, done);
  else done();
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
  let state = buildState(options);
  let closing = false;
  // Every pool not yet closed: the current one and retired ones still finishing calls.
  const live = new Set<State>([state]);

  function finish(s: State): void {
    s.inflight--;
    // Not from inside undici's callback (a call without middleware settles there): close after it.
    if (s.inflight === 0 && s.retired) queueMicrotask(() => closePool(s));
  }

  function request(input: string | URL | HttpRequest, init?: CallInit): Promise<HttpResponse> {
    // Integrity hook (integrity-call.ts): the check wraps the whole call, outermost.
    if (init?.integrity !== undefined)
      return requestWithIntegrity(request, input, { ...init, integrity: init.integrity });
    const s = state;
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
    const timeout = init?.timeout ?? s.timeout;
    let timer: NodeJS.Timeout | undefined;
    if (timeout !== undefined) {
      const controller = new AbortController();
      timer = setTimeout(() => {
        controller.abort(
          new TimeoutError("request", `the call did not complete within ${timeout} ms`, {
            method: req.method,
            url: redactUrl(req.url),
            context,
          }),
        );
      }, timeout);
      const signal = req.signal ? AbortSignal.any([req.signal, controller.signal]) : controller.signal;
      req = req.with({ signal });
    }
    s.inflight++;
    const mode = req.options.redirect ?? s.redirect;
    const maxRedirects = req.options.maxRedirects ?? s.maxRedirects;
    // A request the client built (anything but the caller's own object) is bound in place.
    const call = bindContext(req, context, req !== input);
    // No middleware: the transport runs the continuation in undici's callback (no reaction here).
    if (s.direct !== undefined)
      return s.direct(call, context, new Call(s, timer, call, context, mode, maxRedirects));
    return s.chain(call, context).then(
      (res) => answer(s, timer, call, context, mode, maxRedirects, res),
      (error: unknown) => fail(s, timer, call, context, error),
    );
  }

  // Redirects are rare, so the common path settles synchronously in here.
  function answer(
    s: State,
    timer: NodeJS.Timeout | undefined,
    call: HttpRequest,
    context: Context,
    mode: RedirectMode,
    maxRedirects: number,
    res: HttpResponse,
  ): HttpResponse | Promise<HttpResponse> {
    if (mode !== "manual" && isRedirect(res)) {
      return followRedirects(s, call, res, context, mode, maxRedirects).then(
        (final) => settle(s, timer, final),
        (error: unknown) => fail(s, timer, call, context, error),
      );
    }
    return settle(s, timer, res);
  }

  // A call without middleware: one object whose methods are its continuation, no closures.
  class Call implements Continuation {
    readonly #s: State;
    readonly #timer: NodeJS.Timeout | undefined;
    readonly #request: HttpRequest;
    readonly #context: Context;
    readonly #mode: RedirectMode;
    readonly #maxRedirects: number;
    constructor(
      s: State,
      timer: NodeJS.Timeout | undefined,
      request: HttpRequest,
      context: Context,
      mode: RedirectMode,
      maxRedirects: number,
    ) {
      this.#s = s;
      this.#timer = timer;
      this.#request = request;
      this.#context = context;
      this.#mode = mode;
      this.#maxRedirects = maxRedirects;
    }

    answer(res: HttpResponse): HttpResponse | Promise<HttpResponse> {
      return answer(this.#s, this.#timer, this.#request, this.#context, this.#mode, this.#maxRedirects, res);
    }

    failure(error: unknown): never {
      return fail(this.#s, this.#timer, this.#request, this.#context, error);
    }
  }

  function settle(s: State, timer: NodeJS.Timeout | undefined, res: HttpResponse): HttpResponse {
    if (timer !== undefined) clearTimeout(timer);
    finish(s);
    return res;
  }

  function fail(
    s: State,
    timer: NodeJS.Timeout | undefined,
    req: HttpRequest,
    context: Context,
    error: unknown,
  ): never {
    if (timer !== undefined) clearTimeout(timer);
    finish(s);
    const mapped = mapError(error, { method: req.method, url: req.url, context });
    if (channels.error.hasSubscribers) {
      channels.error.publish({ method: req.method, url: redactUrl(req.url), error: mapped, context });
    }
    throw mapped;
  }

  async function followRedirects(
    s: State,
    original: HttpRequest,
    response: HttpResponse,
    context: Context,
    mode: RedirectMode,
    maxRedirects: number,
  ): Promise<HttpResponse> {
    let res = response;
    let req = original;
    let hops = 0;
    while (isRedirect(res)) {
      if (mode === "error") {
        await res.discard();
        throw new RedirectError(`the server answered ${res.status} and redirect is "error"`, {
          method: req.method,
          url: redactUrl(res.url),
          context,
        });
      }
      if (hops >= maxRedirects) {
        await res.discard();
        throw new RedirectError(`more than ${maxRedirects} redirects`, {
          method: req.method,
          url: redactUrl(res.url),
          context,
        });
      }
      hops++;
      await res.discard();
      const next = redirectRequest(req, res);
      if (channels.redirect.hasSubscribers) {
        channels.redirect.publish({
          method: next.method,
          from: redactUrl(res.url),
          to: redactUrl(next.url),
          status: res.status,
          context,
        });
      }
      req = next;
      res = await s.chain(req, context);
    }
    return hops === 0 ? res : res.with({ redirected: true });
  }

  const client: Client = {
    request,
    fetch: createFetch(request),
    get middleware() {
      return state.middleware;
    },
    reload(next: ClientOptions): Promise<void> {
      if (closing)
        return Promise.reject(new ClientClosedError("the client is closed; it cannot be reloaded"));
      const fresh = buildState(next);
      const old = state;
      state = fresh;
      live.add(fresh);
      return retire(old).then(() => {
        live.delete(old);
      });
    },
    async close(): Promise<void> {
      closing = true;
      await Promise.all([...live].map(retire));
      live.clear();
    },
    async destroy(): Promise<void> {
      closing = true;
      const states = [...live];
      live.clear();
      await Promise.all(
        states.map(async (s) => {
          s.retired = true;
          const done = s.onClosed;
          s.onClosed = undefined;
          if (s.owned) await s.dispatcher.destroy();
          done?.();
        }),
      );
    },
  };
  return client;
}
