import type { Readable } from "node:stream";
import type { Context } from "./context.ts";
import { ClientClosedError } from "./errors.ts";
import { attachLease, leaseOf, producerDone, rawBodyOf } from "./internals.ts";
import { redactUrl } from "./redact.ts";
import type { HttpRequest } from "./request.ts";
import type { HttpResponse } from "./response.ts";

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
    return this.body.readableLength >= this.body.readableHighWaterMark;
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

/**
 * Releases the body of `response` if the response is collected before anyone asked for its body.
 * Called for the response a call hands its caller, and for responses derived from it later.
 */
export function releaseWhenCollected(response: HttpResponse, request: HttpRequest): void {
  let lease = leaseOf(response);
  if (lease === undefined) {
    // A body a middleware built (a verifying or resuming wrapper): watched on its own.
    const body = rawBodyOf(response);
    if (body === null) return;
    lease = new BodyLease(body, request, response.context);
    attachLease(response, lease);
  }
  lease.holders++;
  unread.register(response, lease);
}
