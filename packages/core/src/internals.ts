// Core-internal access paths, in one place. Nothing here is exported from the package.
//
// Two kinds of workaround live here, each for speed or because no public API exists:
//
// 1. Private fields read across core's own files. `HttpRequest` and `HttpResponse` keep some state
//    in `#private` fields so that no user or plugin can reach or change it (a request's call
//    context, its parsed URL, a response's body lease). Core's transport and client still need
//    them, so each class hands out accessors from a `static {}` block (the one place that can read
//    its `#fields`) through the `install*` functions below. The accessors are plain functions: no
//    symbol-keyed properties, no WeakMap look-ups on the hot path.
// 2. Node stream state with no public getter: whether the producer of a Readable has pushed its end
//    (`_readableState.ended`; the public `readableEnded` only says the consumer saw the end), and a
//    hook on `_read` to notice that a consumer is still pulling a body. Both are used only when a
//    pool closes or a response is collected, never per call.
import type { Readable } from "node:stream";
import type { BodyLease } from "./body-lease.ts";
import type { Context } from "./context.ts";
import type { HttpRequest, UrlParts } from "./request.ts";
import type { HttpResponse } from "./response.ts";
import { ResponseBody } from "./response-body.ts";

/**
 * The URL's fields for core's transport: the shared view when a middleware made one, otherwise the
 * parsed URL itself, read and never handed out, so a call without middleware does not build a
 * view it reads once.
 */
export let urlFieldsOf: (request: HttpRequest) => UrlParts;
/** The call a request belongs to, if it was bound to one (see `bindContext`). */
export let contextOf: (request: HttpRequest) => Context | undefined;
/**
 * `request` bound to the call of `context`: in place when the caller alone holds the request
 * (`owned`, e.g. the client just built it), otherwise as a derived copy, so a request the user
 * sends in several calls is never shared between them. Every request derived with `with()`
 * inherits the binding; that is how a chain composed once per client finds each call's context.
 */
export let bindContext: (request: HttpRequest, context: Context, owned: boolean) => HttpRequest;

/** Installed once by `HttpRequest`'s static block. */
export function installRequestInternals(impl: {
  urlFieldsOf: typeof urlFieldsOf;
  contextOf: typeof contextOf;
  bindContext: typeof bindContext;
}): void {
  urlFieldsOf = impl.urlFieldsOf;
  contextOf = impl.contextOf;
  bindContext = impl.bindContext;
}

/** The lease on the body a response carries, if a pool tracks it. */
export let leaseOf: (response: HttpResponse) => BodyLease | undefined;
/** Attaches `lease` to a response the transport just built. */
export let attachLease: (response: HttpResponse, lease: BodyLease) => void;
/** The body stream itself, without marking it as taken (the body getter marks it). */
export let rawBodyOf: (response: HttpResponse) => Readable | null;

/** Installed once by `HttpResponse`'s static block. */
export function installResponseInternals(impl: {
  leaseOf: typeof leaseOf;
  attachLease: typeof attachLease;
  rawBodyOf: typeof rawBodyOf;
}): void {
  leaseOf = impl.leaseOf;
  attachLease = impl.attachLease;
  rawBodyOf = impl.rawBodyOf;
}

interface ReadableInternals {
  _readableState?: { ended?: boolean };
  _read(size: number): void;
}

/**
 * Whether the producer is done with `body`: it pushed its end (undici does when the response
 * completed and the socket went back to the pool), or the stream was destroyed.
 */
export function producerDone(body: Readable): boolean {
  return (
    body.destroyed ||
    (body instanceof ResponseBody && body.complete) ||
    body.readableEnded ||
    (body as unknown as ReadableInternals)._readableState?.ended === true
  );
}

/**
 * Calls `onPull` whenever a consumer asks `body` for more data. A Readable calls `_read` only while
 * its buffer is below the high-water mark, so a body nobody reads stops pulling once its buffer is
 * full (undici then pauses the socket, and its `bodyTimeout` no longer runs).
 */
export function watchPulls(body: Readable, onPull: () => void): void {
  const stream = body as unknown as ReadableInternals;
  const read = stream._read;
  stream._read = function pulled(this: Readable, size: number): void {
    onPull();
    read.call(this, size);
  };
}
