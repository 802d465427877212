import type { Readable } from "node:stream";
import type { Dispatcher } from "undici";
import { BodyLease } from "./body-lease.ts";
import type { Context } from "./context.ts";
import { watchPulls } from "./internals.ts";
import type { HttpRequest } from "./request.ts";

/** @default 5000: how long `close()` lets a body nobody reads hold its connection. */
export const DEFAULT_CLOSE_GRACE_MS = 5000;

// Leases are pruned of finished bodies when the list reaches this size (then twice what is left),
// so a pool that is never closed keeps only the bodies still open, at amortised O(1) per call.
const PRUNE_FLOOR = 64;

/**
 * One undici dispatcher and everything its calls hold (core-internal): the calls in flight, the
 * response bodies it handed out, and the way it closes. A client has one current pool; `reload()`
 * retires the old one, which closes once its calls and bodies are done.
 *
 * The rule for closing (documented in the README):
 * - `retire()` (what `close()` and `reload()` do) waits for the calls in flight, then closes the
 *   dispatcher gracefully; bodies still streaming finish. Every `closeGraceMs` it looks at the
 *   bodies still holding a connection: one nobody asked for, or one whose buffer is full and that
 *   nobody read from during that period (a reader that stopped half-way), is released (destroyed
 *   with a `ClientClosedError`), so the close always ends. A body waiting on its server is not
 *   released: undici's `bodyTimeout` bounds it.
 * - `destroy()` fails calls in flight, releases every body at once and settles a pending close.
 */
export class Pool {
  readonly dispatcher: Dispatcher;
  /** Whether core built the dispatcher (and so closes it); a caller's dispatcher is never closed. */
  readonly owned: boolean;
  readonly closeGraceMs: number;
  #inflight = 0;
  #retired = false;
  #destroyed = false;
  #leases: BodyLease[] = [];
  #pruneAt = PRUNE_FLOOR;
  #closed: Promise<void> | undefined;
  #onClosed: (() => void) | undefined;
  #draining: Promise<unknown> | undefined;
  #sweep: NodeJS.Timeout | undefined;

  constructor(dispatcher: Dispatcher, owned: boolean, closeGraceMs: number) {
    this.dispatcher = dispatcher;
    this.owned = owned;
    this.closeGraceMs = closeGraceMs;
  }

  /** A call starts on this pool. */
  begin(): void {
    this.#inflight++;
  }

  /** A call settled (its response handed over, or its error thrown). */
  end(): void {
    this.#inflight--;
    // Not from inside undici's callback (a call without middleware settles there): close after it.
    if (this.#inflight === 0 && this.#retired) queueMicrotask(() => this.#closeDispatcher());
  }

  /** Tracks a response body undici handed over, until its producer is done. */
  lease(body: Readable, request: HttpRequest, context: Context): BodyLease {
    const lease = new BodyLease(body, request, context);
    const leases = this.#leases;
    leases.push(lease);
    if (leases.length >= this.#pruneAt) {
      const open = leases.filter((l) => l.open);
      this.#leases = open;
      this.#pruneAt = Math.max(PRUNE_FLOOR, open.length * 2);
    }
    return lease;
  }

  /** Stops new use and closes once calls and bodies are done (see the class comment). */
  retire(): Promise<void> {
    this.#retired = true;
    if (this.#closed !== undefined) return this.#closed;
    if (this.#destroyed) return Promise.resolve();
    this.#closed = new Promise<void>((resolve) => {
      this.#onClosed = resolve;
    });
    if (this.#inflight === 0) this.#closeDispatcher();
    return this.#closed;
  }

  /** Fails calls in flight, releases every body, and settles a pending `retire()`. */
  async destroy(): Promise<void> {
    this.#retired = true;
    this.#destroyed = true;
    clearTimeout(this.#sweep);
    for (const lease of this.#leases) lease.abort("the client was destroyed before this body was read");
    this.#leases = [];
    // After a graceful close started, undici's agent no longer knows its connections (close() drops
    // them from its list); they end once their bodies above are gone, which `#draining` waits for.
    const destroyed = this.owned ? this.dispatcher.destroy() : undefined;
    await Promise.all([destroyed, this.#draining]);
    this.#settle();
  }

  #closeDispatcher(): void {
    if (this.#onClosed === undefined || this.#draining !== undefined || this.#destroyed) return;
    if (!this.owned) {
      this.#settle();
      return;
    }
    // undici's close() is graceful: it waits for every response body on this pool to complete.
    this.#draining = this.dispatcher.close().then(
      () => this.#settle(),
      () => this.#settle(),
    );
    const open = this.#leases.filter((l) => l.open);
    this.#leases = open;
    if (open.length === 0) return;
    for (const lease of open) {
      lease.moved = false;
      watchPulls(lease.body, () => {
        lease.moved = true;
      });
    }
    this.#scheduleSweep();
  }

  #scheduleSweep(): void {
    this.#sweep = setTimeout(() => {
      const still: BodyLease[] = [];
      for (const lease of this.#leases) {
        if (!lease.open) continue;
        if (!lease.taken || (!lease.moved && lease.full)) {
          lease.abort(
            `the client closed and this response body was not read for ${this.closeGraceMs} ms (closeGraceMs); it was released`,
          );
        } else {
          lease.moved = false;
          still.push(lease);
        }
      }
      this.#leases = still;
      if (still.length > 0) this.#scheduleSweep();
    }, this.closeGraceMs);
    // The open connection keeps the process alive while it matters; the sweep alone must not.
    this.#sweep.unref();
  }

  #settle(): void {
    clearTimeout(this.#sweep);
    this.#sweep = undefined;
    const done = this.#onClosed;
    this.#onClosed = undefined;
    done?.();
  }
}
