// One request sent with undici's `Dispatcher#dispatch` (core-internal), answered through a callback
// as `dispatcher.request(options, callback)` answers, with the same timing and the same errors, but
// with a body that holds its first chunks outside the stream machinery (response-body.ts). undici's
// own `request` adds, per call, an AsyncResource, a callback run in its async scope, and a body
// that pushes every chunk through a Readable at once.
import { addAbortListener } from "node:events";
import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import { errors } from "undici";
import { ResponseBody } from "./response-body.ts";

/** What the callback receives with a response (the fields core reads of undici's `ResponseData`). */
export interface DispatchedResponse {
  readonly statusCode: number;
  readonly statusText: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: ResponseBody;
}

/** Called once: with an error before the headers, or with the response at its headers. */
export type DispatchCallback = (error: Error | null, response: DispatchedResponse | undefined) => void;

class ResponseHandler implements Dispatcher.DispatchHandler {
  readonly #method: string;
  #callback: DispatchCallback | null;
  #body: ResponseBody | undefined;
  #controller: Dispatcher.DispatchController | undefined;
  /** Why the call was aborted before it started (its signal fired). */
  #reason: Error | undefined;
  #unlisten: Disposable | undefined;

  constructor(method: string, signal: AbortSignal | undefined, callback: DispatchCallback) {
    this.#method = method;
    this.#callback = callback;
    if (signal === undefined) return;
    if (signal.aborted) this.#reason = abortReason(signal);
    else this.#unlisten = addAbortListener(signal, () => this.#abort(abortReason(signal)));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#reason !== undefined) {
      controller.abort(this.#reason);
      return;
    }
    this.#controller = controller;
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusText?: string,
  ): void {
    // 1xx answers (100 Continue, 103 Early Hints) come before the response itself.
    if (statusCode < 200) return;
    const declared = headers["content-length"];
    const length = this.#method !== "HEAD" && typeof declared === "string" ? Number(declared) : Number.NaN;
    const body = new ResponseBody(controller, Number.isFinite(length) ? length : null);
    this.#body = body;
    const unlisten = this.#unlisten;
    if (unlisten !== undefined) {
      this.#unlisten = undefined;
      body.on("close", () => unlisten[Symbol.dispose]());
    }
    const callback = this.#callback!;
    this.#callback = null;
    callback(null, { statusCode, statusText: statusText ?? "", headers, body });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#body?.deliver(chunk);
  }

  onResponseEnd(): void {
    this.#body?.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    this.#unlisten?.[Symbol.dispose]();
    this.#unlisten = undefined;
    const callback = this.#callback;
    if (callback !== null) {
      this.#callback = null;
      // Never from inside dispatch(): undici reports some errors synchronously (a closed pool, bad
      // options), and `request` defers them too.
      queueMicrotask(() => callback(error, undefined));
    }
    const body = this.#body;
    if (body !== undefined) {
      this.#body = undefined;
      // After handlers queued by the same event, as undici's own body is failed.
      queueMicrotask(() => body.fail(error));
    }
  }

  #abort(reason: Error): void {
    const body = this.#body;
    if (body !== undefined) {
      this.#body = undefined;
      body.on("error", noop).destroy(reason);
    } else if (this.#controller !== undefined) {
      this.#controller.abort(reason);
    } else {
      this.#reason = reason;
    }
  }
}

const noop = (): void => {};

function abortReason(signal: AbortSignal): Error {
  return (signal.reason as Error | undefined) ?? new errors.RequestAbortedError();
}

/** Sends one request over `dispatcher`; `callback` gets the response at its headers, or the error. */
export function dispatchRequest(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: AbortSignal | undefined,
  callback: DispatchCallback,
): void {
  const handler = new ResponseHandler(options.method, signal, callback);
  // undici's `request` refuses CONNECT (a tunnel has no response body to hand out).
  if (options.method === "CONNECT") {
    handler.onResponseError(null, new errors.InvalidArgumentError("invalid method"));
    return;
  }
  try {
    dispatcher.dispatch(options, handler);
  } catch (error) {
    handler.onResponseError(null, error as Error);
  }
}
