import type { Dispatcher } from "undici";
import { chainRest, closeSend, openSend, runReactions, SendReactions } from "./answer-hooks.ts";
import { attemptErrorChannel } from "./attempt-events.ts";
import type { DispatchBody } from "./body.ts";
import type { Context } from "./context.ts";
import { noteSent } from "./context.ts";
import { channels } from "./diagnostics.ts";
import { type DispatchedResponse, dispatchRequest } from "./dispatch-request.ts";
import { AbortError, TimeoutError } from "./errors.ts";
import type { HeaderValue } from "./headers.ts";
import { HttpHeaders, wireRecord } from "./headers.ts";
import { attachLease, urlFieldsOf } from "./internals.ts";
import { attemptKey } from "./keys.ts";
import { mapError } from "./map-error.ts";
import type { Pool } from "./pool.ts";
import { redactUrl } from "./redact.ts";
import type { HttpRequest, UrlParts } from "./request.ts";
import { HttpResponse } from "./response.ts";
import { unsupportedScheme } from "./scheme.ts";
import { publishScrubbed } from "./scrub.ts";

/** The innermost step of every chain: sends one request with undici. */
export type Transport = (request: HttpRequest, context: Context) => Promise<HttpResponse>;

function isHttp(url: string): boolean {
  return url.startsWith("https:") || url.startsWith("http:");
}

/**
 * What a client does with the transport's answer before the call's promise settles (core-internal).
 * With no middleware the client hands it to the transport, so a call settles in undici's callback
 * with no promise reaction of its own, as bare `undici.request` does.
 */
export interface Continuation {
  answer(response: HttpResponse): HttpResponse | Promise<HttpResponse>;
  /** Always throws: the call's error, mapped. */
  failure(error: unknown): never;
}

/** The transport with an optional {@link Continuation} (core-internal). */
export type DirectTransport = (
  request: HttpRequest,
  context: Context,
  then: Continuation | undefined,
) => Promise<HttpResponse>;

/** Builds the transport over `dispatcher`. */
export function createTransport(dispatcher: Dispatcher): Transport {
  const direct = createDirectTransport(dispatcher);
  return (request, context) => direct(request, context, undefined);
}

/**
 * Builds the transport over `dispatcher`, taking a continuation (core-internal). With a `pool`, every
 * response body is leased from it, so the pool can release bodies nobody reads when it closes.
 */
export function createDirectTransport(dispatcher: Dispatcher, pool?: Pool): DirectTransport {
  return function transport(request, context, then) {
    if (!isHttp(request.url)) {
      const refused = Promise.reject(unsupportedScheme(request.scheme, request.method, request.url));
      return then === undefined ? refused : refused.catch((error: unknown) => then.failure(error));
    }
    return dispatch(dispatcher, pool, request, context, then, false);
  };
}

function dispatch(
  dispatcher: Dispatcher,
  pool: Pool | undefined,
  request: HttpRequest,
  context: Context,
  then: Continuation | undefined,
  misdirected: boolean,
): Promise<HttpResponse> {
  const holder = request.bodyHolder;
  if (holder === undefined) return send(dispatcher, pool, request, context, undefined, then, misdirected);
  return holder
    .open("a second attempt needs it", { method: request.method, url: redactUrl(request.url) })
    .then(
      (body) => send(dispatcher, pool, request, context, body, then, misdirected),
      then === undefined ? undefined : (error: unknown) => then.failure(error),
    );
}

function ignore(): void {}

function send(
  dispatcher: Dispatcher,
  pool: Pool | undefined,
  request: HttpRequest,
  context: Context,
  body: DispatchBody | undefined,
  then: Continuation | undefined,
  misdirected: boolean,
): Promise<HttpResponse> {
  const url = urlFieldsOf(request);
  // No headers at all is undici's cheapest case (an empty record is still walked).
  let headers: Readonly<Record<string, HeaderValue>> | undefined =
    request.headers === HttpHeaders.EMPTY ? undefined : wireRecord(request.headers);
  if (url.username || url.password || body?.contentType !== undefined || body?.contentLength !== undefined) {
    headers = implicitHeaders(request, url, body);
  }
  const options = request.options;
  noteSent(context, request);
  const started = channels.response.hasSubscribers ? performance.now() : 0;
  if (channels.request.hasSubscribers) {
    publishScrubbed(channels.request, {
      method: request.method,
      url: redactUrl(request.url),
      attempt: context.get(attemptKey) ?? 1,
      context,
    });
  }
  const dispatchOptions: Dispatcher.DispatchOptions = {
    origin: url.origin,
    path: url.pathname + url.search,
    method: request.method as Dispatcher.HttpMethod,
    headers: headers as Record<string, string | string[]> | undefined,
    body: (body?.body ?? null) as Dispatcher.DispatchOptions["body"],
  };
  if (options.headersTimeout !== undefined) dispatchOptions.headersTimeout = options.headersTimeout;
  if (options.bodyTimeout !== undefined) dispatchOptions.bodyTimeout = options.bodyTimeout;
  // One promise per send, settled in the dispatch handler's callback (dispatch-request.ts).
  // Middleware outside may file reactions with that promise (answer-hooks.ts): they run here, in
  // that callback, before it settles. With a continuation (no middleware) nobody can file, so there
  // is no reactions object. `sent` is declared first: undici answers from its socket, never inside
  // dispatch(); a dispatcher of the caller's that did would find the reactions closed (closeSend
  // sees `sent` unset), and anything filed then runs as a plain `.then`.
  const reactions = then === undefined ? new SendReactions() : undefined;
  let sent: Promise<HttpResponse> | undefined;
  sent = new Promise<HttpResponse>((resolve, reject) => {
    dispatchRequest(dispatcher, dispatchOptions, options.signal, (error, data) => {
      const filed = reactions === undefined ? undefined : closeSend(sent, reactions);
      // 421 Misdirected Request: the connection reached a server that does not serve this origin
      // (RFC 9110 §15.5.20). As fetch does, the request is sent once more on a new connection when
      // its body can be sent again. Destroying the body here, while undici is still reading the
      // answer, closes the connection it came on, so the pool opens another.
      if (error === null && data!.statusCode === 421 && !misdirected && request.hasReplayableBody) {
        data!.body.on("error", ignore).destroy();
        const again = dispatch(dispatcher, pool, request, context, then, true);
        resolve(
          filed === undefined
            ? again
            : (chainRest(again, filed, 0, reactions!.used) as Promise<HttpResponse>),
        );
        return;
      }
      let response: HttpResponse;
      try {
        if (error) throw attemptFailed(transportError(error, request, context), request, context);
        response = toResponse(request, context, data!, started);
        if (pool !== undefined) attachLease(response, pool.lease(data!.body, request, context));
      } catch (failure) {
        if (filed !== undefined)
          runReactions(filed, 0, reactions!.used, false, failure, resolve as Settle, reject);
        else if (then === undefined) reject(failure);
        else settleFailure(then, failure, reject);
        return;
      }
      if (filed !== undefined)
        runReactions(filed, 0, reactions!.used, true, response, resolve as Settle, reject);
      else if (then === undefined) resolve(response);
      else {
        try {
          resolve(then.answer(response));
        } catch (failure) {
          reject(failure);
        }
      }
    });
  });
  if (reactions !== undefined) openSend(sent, reactions);
  return sent;
}

type Settle = (value: unknown) => void;

function attemptFailed(error: Error, request: HttpRequest, context: Context): Error {
  if (attemptErrorChannel.hasSubscribers) {
    attemptErrorChannel.publish({
      method: request.method,
      url: redactUrl(request.url),
      attempt: context.get(attemptKey) ?? 1,
      error,
      context,
    });
  }
  return error;
}

function settleFailure(then: Continuation, failure: unknown, reject: (reason: unknown) => void): void {
  try {
    then.failure(failure);
  } catch (mapped) {
    reject(mapped);
  }
}

function toResponse(
  request: HttpRequest,
  context: Context,
  data: DispatchedResponse,
  started: number,
): HttpResponse {
  const response = new HttpResponse({
    status: data.statusCode,
    statusText: data.statusText,
    headers: HttpHeaders.trusted(data.headers as Record<string, HeaderValue | undefined>),
    body: data.body,
    url: request.url,
    context,
    request,
  });
  if (channels.response.hasSubscribers) {
    publishScrubbed(channels.response, {
      method: request.method,
      url: redactUrl(request.url),
      status: data.statusCode,
      durationMs: performance.now() - started,
      context,
    });
  }
  return response;
}

function transportError(error: unknown, request: HttpRequest, context: Context): Error {
  const signal = request.options.signal;
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof TimeoutError || reason instanceof AbortError) {
      reason.context ??= context;
      return reason;
    }
    return new AbortError("the call was aborted", {
      method: request.method,
      url: redactUrl(request.url),
      context,
      cause: reason,
    });
  }
  return mapError(error, { method: request.method, url: request.url, context, phase: "send" });
}

// Userinfo in the URL becomes Basic auth (when no Authorization is set) and never goes on the
// wire as part of the URL; body kinds imply Content-Type / Content-Length unless already set.
function implicitHeaders(
  request: HttpRequest,
  url: UrlParts,
  body: DispatchBody | undefined,
): Readonly<Record<string, HeaderValue>> {
  let headers = request.headers;
  if ((url.username || url.password) && !headers.has("authorization")) {
    const userinfo = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers = headers.set("authorization", `Basic ${Buffer.from(userinfo).toString("base64")}`);
  }
  if (body?.contentType !== undefined && !headers.has("content-type")) {
    headers = headers.set("content-type", body.contentType);
  }
  if (
    body?.contentLength !== undefined &&
    !headers.has("content-length") &&
    !headers.has("transfer-encoding")
  ) {
    headers = headers.set("content-length", body.contentLength);
  }
  return wireRecord(headers);
}
