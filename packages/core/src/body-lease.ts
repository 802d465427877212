import type { Readable } from "node:stream";
import type { Context } from "./context.ts";
import { ClientClosedError } from "./errors.ts";
import { attachLease, leaseOf, producerDone, rawBodyOf } from "./internals.ts";
import { redactUrl } from "./redact.ts";
import type { HttpRequest } from "./request.ts";
import type { HttpResponse } from "./response.ts";
import { ResponseBody } from "./response-body.ts";

/** What `discard()` drains too; also what a collected response's body is drained up to. */
const DRAIN_LIMIT = 128 * 1024;
const noop = (): void => {};

interface Dumpable extends Readable {
  dump(opts?: { limit: number }): Promise<void>;
}

/**
 * A response body handed out by a pool (core-internal): what a pool needs to release it when
 * nobody reads it. It never refers to the response itself, so the response can be collected.
 */
export class BodyLease {
  readonly body: Readable;
  readonly request: HttpRequest;
  readonly context: Context;
  /** Someone asked the response for its body (a reader, `discard()`, a wrapping middleware). */
  taken = false;
  /** Set by the pull watch while a pool closes: the body was read during the last grace period. */
  moved = false;
  /** Responses registered for collection that share this body. */
  holders = 0;
  /** A response carrying this body was handed to its caller (and waits for, or has, registration). */
  watched = false;

  constructor(body: Readable, request: HttpRequest, context: Context) {
    this.body = body;
    this.request = request;
    this.context = context;
  }

  /** Whether the body still holds a connection: its producer has not finished. */
  get open(): boolean {
    return !producerDone(this.body);
  }

  /**
   * Whether the body waits on its reader: its buffer is full, so undici has paused the socket (and
   * its `bodyTimeout` no longer runs). A body waiting on the server is not stalled by its reader.
   */
  get full(): boolean {
    const body = this.body;
    const waiting = body instanceof ResponseBody ? body.waitingBytes : body.readableLength;
    return waiting >= body.readableHighWaterMark;
  }

  /** Destroys the body with `error` (a reader sees it; nobody else is disturbed). */
  abort(why: string): void {
    const body = this.body;
    if (producerDone(body)) return;
    // A body nobody listens to must not turn the release into an uncaught 'error' event.
    body.on("error", noop);
    body.destroy(
      new ClientClosedError(why, {
        method: this.request.method,
        url: redactUrl(this.request.url),
        context: this.context,
      }),
    );
  }
}

// undici's fetch does the same for its Response objects: a body nobody read is released once the
// response that carried it is collected, so its connection goes back to the pool.
const unread = new FinalizationRegistry<BodyLease>((lease) => {
  lease.holders--;
  if (lease.holders > 0 || lease.taken || producerDone(lease.body)) return;
  const body = lease.body;
  body.on("error", noop);
  const dump = (body as Partial<Dumpable>).dump;
  // Drained when small (the socket is reused), destroyed otherwise; dump() never rejects.
  if (typeof dump === "function") void dump.call(body, { limit: DRAIN_LIMIT }).catch(noop);
  else body.destroy();
});

// Registering costs far more than a call's other bookkeeping (a weak cell per response, work for
// the collector), and most bodies are done within a turn of the event loop (small bodies arrive
// with their headers; read ones are taken). So responses wait here until the next turn, and only
// those whose body is then still unread and open are registered.
let waiting: HttpResponse[] = [];
let flush: NodeJS.Immediate | undefined;
// Calls that settle without the event loop turning (answers from a cache or a fake) must not pile
// up here: past this many, the batch is looked at at once.
const MAX_WAITING = 256;

function registerWaiting(): void {
  const batch = waiting;
  waiting = [];
  if (flush !== undefined) clearImmediate(flush);
  flush = undefined;
  for (const response of batch) {
    const lease = leaseOf(response);
    if (lease === undefined || lease.taken || producerDone(lease.body)) continue;
    lease.holders++;
    unread.register(response, lease);
  }
}

/**
 * Releases the body of `response` if the response is collected before anyone asked for its body.
 * Called for the response a call hands its caller, and for responses derived from it later.
 */
export function releaseWhenCollected(response: HttpResponse, request: HttpRequest): void {
  if (leaseOf(response) === undefined) {
    // A body a middleware built (a verifying or resuming wrapper): watched on its own.
    const body = rawBodyOf(response);
    if (body === null) return;
    attachLease(response, new BodyLease(body, request, response.context));
  }
  leaseOf(response)!.watched = true;
  if (waiting.push(response) >= MAX_WAITING) registerWaiting();
  else if (flush === undefined) {
    flush = setImmediate(registerWaiting);
    flush.unref();
  }
}
